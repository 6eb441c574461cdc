/**
 * Runs the cross-cutting rules to a fixed point: each pass applies the non-overlapping fixes, the text
 * is parsed again, and passes repeat until nothing changes (at most a few). A fix whose output no
 * longer parses is dropped and reported, so rules can never break a Dockerfile.
 */
import { DockerfileModel, parseDockerfile } from '../model/parse';
import { joinDocument } from '../model/print';
import type { BuildContext } from '../stack/context';
import type { Change, Finding, OptimizeOptions, SideFile, StackName } from '../types';
import type { Edit, Rule } from './rule';
import { withoutSuppressed } from '../suppress';

export interface RulesOutcome {
  text: string;
  changes: Change[];
  findings: Finding[];
  sideFiles: SideFile[];
}

export function applyEdits(model: DockerfileModel, edits: Edit[]): string {
  const lines = model.sourceLines.slice();
  const sorted = edits.slice().sort((a, b) => b.startLine - a.startLine || b.endLine - a.endLine);
  for (const e of sorted) lines.splice(e.startLine, e.endLine - e.startLine + 1, ...e.lines);
  return joinDocument(lines, { escape: model.escape, eol: model.eol }, { bom: model.bom, finalNewline: model.finalNewline });
}

function overlaps(a: Edit, b: Edit): boolean {
  const aEnd = Math.max(a.endLine, a.startLine);
  const bEnd = Math.max(b.endLine, b.startLine);
  return a.startLine <= bEnd && b.startLine <= aEnd;
}

export function runRules(
  text: string,
  path: string,
  rules: Rule[],
  env: { ctx: BuildContext; stack: StackName; options: OptimizeOptions; rewritten: boolean; lineMap?: (line: number) => number | undefined },
): RulesOutcome {
  const disabled = new Set(env.options.disable ?? []);
  const active = rules.filter((r) => !disabled.has(r.id));
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const sideFiles = new Map<string, SideFile>();
  const seen = new Set<string>();
  let current = text;
  for (let pass = 0; pass < 4; pass++) {
    const model = parseDockerfile(current, path);
    const mapLine = (l: number | undefined) => (l === undefined ? undefined : pass === 0 && env.lineMap ? env.lineMap(l) : pass === 0 ? l + 1 : undefined);
    const accepted: Edit[][] = [];
    const acceptedFlat: Edit[] = [];
    for (const rule of active) {
      let reports;
      try {
        reports = withoutSuppressed(model, rule.id, rule.check({ model, ctx: env.ctx, stack: env.stack, options: env.options, rewritten: env.rewritten }));
      } catch (err) {
        findings.push({ ruleId: rule.id, severity: 'warning', message: `rule failed and was skipped: ${(err as Error).message}`, fixed: false });
        continue;
      }
      for (const r of reports) {
        const key = `${rule.id}|${r.message}`;
        if (r.sideFile) sideFiles.set(r.sideFile.path, r.sideFile);
        if (r.fix && r.fix.length && !r.fix.some((e) => acceptedFlat.some((x) => overlaps(x, e)))) {
          accepted.push(r.fix);
          acceptedFlat.push(...r.fix);
          changes.push({ ruleId: rule.id, line: mapLine(r.line), message: r.message, hints: r.hints });
        } else if (!seen.has(key) && !r.fix) {
          seen.add(key);
          findings.push({ ruleId: rule.id, severity: r.severity ?? rule.severity, line: mapLine(r.line), message: r.message, fixed: false });
        } else if (r.fix && !r.sideFile) {
          // Overlapped another fix this pass: the next pass sees it again on the new text.
        }
        if (r.sideFile && !r.fix) changes.push({ ruleId: rule.id, line: mapLine(r.line), message: r.message, hints: r.hints });
      }
    }
    if (acceptedFlat.length === 0) break;
    let next = applyEdits(model, acceptedFlat);
    try {
      parseDockerfile(next, path);
    } catch (err) {
      // Fall back to applying fixes one rule at a time, keeping those that parse.
      next = current;
      for (const group of accepted) {
        const m = parseDockerfile(next, path);
        const candidate = applyEdits(m, group);
        try {
          parseDockerfile(candidate, path);
          next = candidate;
        } catch {
          findings.push({ ruleId: 'DO-INTERNAL', severity: 'warning', message: `a fix was dropped because its output did not parse: ${(err as Error).message}`, fixed: false });
        }
        break; // edits of later groups refer to old line numbers; the next pass recomputes them
      }
    }
    if (next === current) break;
    current = next;
  }
  return { text: current, changes, findings, sideFiles: [...sideFiles.values()] };
}
