/**
 * Cross-cutting rules (transforms/common/rules/): one module per rule with an id, a one-line doc, a
 * detection and an optional fix, in the shape of ESLint rules and hadolint's DL ids. A rule sees the
 * model of the (possibly already rewritten) Dockerfile and answers reports with line edits.
 */
import type { DockerfileModel } from '../model/parse';
import type { BuildContext } from '../stack/context';
import type { Finding, OptimizeOptions, SideFile, StackName } from '../types';

/** Replace source lines [startLine..endLine] (0-based, inclusive) with `lines`. endLine = startLine - 1 inserts. */
export interface Edit {
  startLine: number;
  endLine: number;
  lines: string[];
}

/** Character edits of one instruction's text: [start, end) replaced by text (start === end inserts). */
export interface CharEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Where an Edit was made from character edits of one instruction's script (editScript): the engine can
 * then apply the fixes of several rules to the same RUN in one pass, as ESLint does, when their
 * character ranges are apart, instead of one rule per pass.
 */
export interface CharEditSource {
  /** The script the ranges refer to (one object per instruction of a model). */
  script: object;
  edits: CharEdit[];
  /** The lines the character edits gave (a rule that changes the Edit's lines afterwards makes the source void). */
  lines: string[];
  /** The instruction's Edit for another set of character edits of the same script; null if it cannot be made. */
  rebuild(edits: CharEdit[]): Edit | null;
}

export const charEditSources = new WeakMap<Edit, CharEditSource>();

/** Whether two sets of character edits touch: an insertion meets a range that holds its point, even at an end. */
export function charEditsTouch(a: CharEdit[], b: CharEdit[]): boolean {
  return a.some((x) => b.some((y) => (x.start === x.end || y.start === y.end ? x.start <= y.end && y.start <= x.end : x.start < y.end && y.start < x.end)));
}

export interface RuleReport {
  line?: number; // 0-based line of the model the report is about
  message: string;
  severity?: Finding['severity'];
  /** Edits that fix it; absent when the rule only reports. */
  fix?: Edit[];
  /** Extra explanation lines (e.g. the docker build --secret flag). Never secret values. */
  hints?: string[];
  sideFile?: SideFile;
  /** Also list a fixed report among the findings (fixed: true), for what the user must act on (pins, secrets). */
  finding?: boolean;
}

export interface RuleContext {
  model: DockerfileModel;
  ctx: BuildContext;
  stack: StackName;
  options: OptimizeOptions;
  /** Whether the ecosystem transform rewrote this file in this run. */
  rewritten: boolean;
}

export interface Rule {
  id: string;
  /** One line: what the rule wants. */
  description: string;
  severity: Finding['severity'];
  /** hadolint (DLxxxx) or BuildKit check ids this rule mirrors, for the README and the corpus bench. */
  mirrors?: string[];
  check(rc: RuleContext): RuleReport[];
}
