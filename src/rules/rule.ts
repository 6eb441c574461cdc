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
