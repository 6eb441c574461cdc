/**
 * Inline suppressions, read from the Dockerfile's own comments:
 *
 *   # dockerize-optimize-disable-next-line RULE[,RULE...]   the instruction right below
 *   # dockerize-optimize-disable RULE[,RULE...]             the whole file
 *   # dockerize-optimize-disable                            the whole file, every rule: left as it is
 *
 * Rule ids may be separated by commas or spaces; text after ` -- ` is a free-form reason. A suppressed
 * finding is not reported; a suppressed rule fix is not applied. The ecosystem rewrite is one unit:
 * when one of its changes is suppressed, the rewrite is declined with a reason, never half-applied.
 */
import type { DockerfileModel } from './model/parse';
import type { Change, Finding } from './types';

export const DISABLE_NEXT_LINE = 'dockerize-optimize-disable-next-line';
export const DISABLE_FILE = 'dockerize-optimize-disable';

export interface Suppressions {
  /** Every rule off for the whole file. */
  fileAll: boolean;
  /** Rule ids off for the whole file. */
  file: Set<string>;
  /** 1-based source lines of suppressed instructions -> rule ids ('*' for all). */
  lines: Map<number, Set<string>>;
  /** The comment lines (1-based) that asked, for messages. */
  where: Map<string, number>;
}

const DIRECTIVE = /^\s*#\s*dockerize-optimize-disable(-next-line)?(?:\s+(.*?))?\s*$/;

function ruleList(text: string | undefined): string[] {
  const body = (text ?? '').split(/\s--\s/)[0];
  return body
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const byModel = new WeakMap<DockerfileModel, Suppressions>();

export function readSuppressions(model: DockerfileModel): Suppressions {
  const cached = byModel.get(model);
  if (cached) return cached;
  const sup = readSuppressionsOf(model);
  byModel.set(model, sup);
  return sup;
}

/**
 * A rule's reports on `model` less those its comments suppress (report lines are 0-based lines of
 * the model: the comments are read from the text the rule saw, rewritten or not).
 */
export function withoutSuppressed<R extends { line?: number }>(model: DockerfileModel, ruleId: string, reports: R[]): R[] {
  const sup = readSuppressions(model);
  if (!hasSuppressions(sup)) return reports;
  return reports.filter((r) => !isSuppressed(sup, ruleId, r.line === undefined ? undefined : r.line + 1));
}

function readSuppressionsOf(model: DockerfileModel): Suppressions {
  const sup: Suppressions = { fileAll: false, file: new Set(), lines: new Map(), where: new Map() };
  const lines = model.sourceLines;
  if (!lines.some((l) => l.includes(DISABLE_FILE))) return sup;
  const startAt = new Map(model.instructions.map((i) => [i.startLine, i]));
  for (let i = 0; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) continue;
    const ids = ruleList(m[2]);
    if (m[1]) {
      const ins = startAt.get(i + 1);
      if (!ins) continue;
      for (let l = ins.startLine; l <= ins.endLine; l++) {
        const set = sup.lines.get(l + 1) ?? new Set<string>();
        for (const id of ids.length ? ids : ['*']) set.add(id);
        sup.lines.set(l + 1, set);
      }
      for (const id of ids.length ? ids : ['*']) sup.where.set(`${id}@${ins.startLine + 1}`, i + 1);
    } else if (ids.length === 0) {
      sup.fileAll = true;
      sup.where.set('*', i + 1);
    } else {
      for (const id of ids) {
        sup.file.add(id);
        sup.where.set(id, i + 1);
      }
    }
  }
  return sup;
}

/** Whether rule `id` is suppressed at 1-based `line` (or file-wide). */
export function isSuppressed(sup: Suppressions, id: string, line?: number): boolean {
  if (sup.fileAll || sup.file.has(id)) return true;
  if (line === undefined) return false;
  const set = sup.lines.get(line);
  return !!set && (set.has(id) || set.has('*'));
}

export function hasSuppressions(sup: Suppressions): boolean {
  return sup.fileAll || sup.file.size > 0 || sup.lines.size > 0;
}

export function filterFindings(sup: Suppressions, findings: Finding[]): Finding[] {
  return hasSuppressions(sup) ? findings.filter((f) => !isSuppressed(sup, f.ruleId, f.line)) : findings;
}

/** The proposed .dockerignore is separable from the rewrite: suppressing it drops only the side file. */
export const SEPARABLE_SIDE_FILE_RULE = 'DO-IGNORE';

/** Why a planned rewrite must be declined: one of its changes (other than the .dockerignore) is suppressed. */
export function suppressedChange(sup: Suppressions, changes: Change[]): string | null {
  if (!hasSuppressions(sup)) return null;
  const c = changes.find((x) => x.ruleId !== SEPARABLE_SIDE_FILE_RULE && isSuppressed(sup, x.ruleId, x.line));
  if (!c) return null;
  const at = sup.file.has(c.ruleId) ? sup.where.get(c.ruleId) : sup.fileAll ? sup.where.get('*') : undefined;
  return `${c.ruleId} is disabled by a ${at ? `'# ${DISABLE_FILE}' comment (line ${at})` : `'# ${DISABLE_NEXT_LINE}' comment above line ${c.line}`}; the rewrite is not applied in part`;
}
