/**
 * Runs the cross-cutting rules to a fixed point: each pass applies the non-overlapping fixes (two
 * fixes of one RUN script whose characters are apart count as one), the instructions they touched are
 * parsed again, and passes repeat until nothing changes (at most a few). A fix whose output no longer
 * parses is dropped and reported, so rules can never break a Dockerfile.
 */
import { DockerfileModel, parseDockerfile, parseEdited } from '../model/parse';
import { joinDocument } from '../model/print';
import type { BuildContext } from '../stack/context';
import type { Change, Finding, OptimizeOptions, SideFile, StackName } from '../types';
import { charEditSources, charEditsTouch, type Edit, type Rule } from './rule';
import { withoutSuppressed } from '../suppress';

/** Each pass applies the non-overlapping fixes; rules that touch the same instruction take turns. */
export const MAX_PASSES = 16;

export interface RulesOutcome {
  text: string;
  changes: Change[];
  findings: Finding[];
  sideFiles: SideFile[];
  /** The last pass found nothing to fix: running the rules on `text` again changes nothing. */
  settled: boolean;
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

/** Key of a fix, to remember fixes whose output did not parse (they are not tried again). */
function fixKey(ruleId: string, fix: Edit[]): string {
  return `${ruleId}|${JSON.stringify(fix)}`;
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
  const rejected = new Set<string>();
  // Findings describe the final text: those of the last pass (the fixed point) are kept.
  let reported: Finding[] = [];
  let settled = false;
  let current = text;
  let model = parseDockerfile(current, path);
  // 1-based line of the original Dockerfile each current line stems from (undefined: none).
  let origin: (number | undefined)[] | null = null;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (!origin) origin = model.sourceLines.map((_, i) => (env.lineMap ? env.lineMap(i) : i + 1));
    const lineOrigin = origin;
    const mapLine = (l: number | undefined) => (l === undefined ? undefined : lineOrigin[l]);
    const groups: { fix: Edit[]; ruleId: string; change: Change; finding?: Finding }[] = [];
    const passFindings: Finding[] = [];
    const passSeen = new Set<string>();
    const acceptedFlat: Edit[] = [];
    for (const rule of active) {
      let reports;
      try {
        reports = withoutSuppressed(model, rule.id, rule.check({ model, ctx: env.ctx, stack: env.stack, options: env.options, rewritten: env.rewritten }));
      } catch (err) {
        const key = `${rule.id}|failed`;
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({ ruleId: rule.id, severity: 'warning', message: `rule failed and was skipped: ${(err as Error).message}`, fixed: false });
        }
        continue;
      }
      for (const r of reports) {
        const key = `${rule.id}|${r.message}`;
        if (r.sideFile) {
          sideFiles.set(r.sideFile.path, r.sideFile);
          if (!seen.has(key)) {
            seen.add(key);
            changes.push({ ruleId: rule.id, line: mapLine(r.line), message: r.message, hints: r.hints });
          }
          continue;
        }
        if (r.fix && r.fix.length && !(rejected.size > 0 && rejected.has(fixKey(rule.id, r.fix)))) {
          // A fix that overlaps one accepted this pass waits: the next pass sees it again on the new text.
          // Unless both edit words of the same RUN script far enough apart: then they are applied together.
          const clash = acceptedFlat.filter((x) => r.fix!.some((e) => overlaps(x, e)));
          const combined = clash.length === 1 && r.fix.length === 1 ? combine(clash[0], r.fix[0]) : null;
          if (clash.length === 0 || combined) {
            // Every original line the fix replaces (a merge of RUNs covers them all).
            const covered = [...new Set(r.fix.flatMap((e) => lineOrigin.slice(e.startLine, e.endLine + 1)).filter((l): l is number => l !== undefined))];
            const change: Change = { ruleId: rule.id, line: mapLine(r.line), message: r.message, hints: r.hints, ...(covered.length > 1 ? { lines: covered } : {}) };
            const finding = r.finding ? { ruleId: rule.id, severity: r.severity ?? rule.severity, line: change.line, message: r.message, fixed: true } : undefined;
            groups.push({ fix: r.fix, ruleId: rule.id, change, finding });
            if (combined) acceptedFlat[acceptedFlat.indexOf(clash[0])] = combined;
            else acceptedFlat.push(...r.fix);
          }
        } else if (!r.fix && !passSeen.has(key)) {
          passSeen.add(key);
          passFindings.push({ ruleId: rule.id, severity: r.severity ?? rule.severity, line: mapLine(r.line), message: r.message, fixed: false });
        }
      }
    }
    reported = passFindings;
    if (groups.length === 0) {
      settled = true;
      break;
    }
    // All fixes of a pass refer to the same lines, so any subset of them applies to this model.
    let kept = groups;
    let applied = acceptedFlat;
    let next = applyEdits(model, applied);
    let nextModel = parsedAfter(model, applied, next);
    if (!nextModel) {
      kept = [];
      applied = [];
      nextModel = model;
      for (const g of groups) {
        // A fix applied together with one kept here waits for the next pass.
        if (g.fix.some((e) => applied.some((x) => overlaps(x, e)))) continue;
        const edits = [...applied, ...g.fix];
        const candidate = parsedAfter(model, edits, applyEdits(model, edits));
        if (candidate) {
          kept.push(g);
          applied = edits;
          nextModel = candidate;
        } else {
          rejected.add(fixKey(g.ruleId, g.fix));
          findings.push({ ruleId: g.change.ruleId, severity: 'warning', line: g.change.line, message: `a fix was dropped because its output did not parse: ${g.change.message}`, fixed: false });
        }
      }
      next = applyEdits(model, applied);
    }
    for (const g of kept) {
      changes.push(g.change);
      if (g.finding) findings.push(g.finding);
    }
    origin = mapOrigin(lineOrigin, applied);
    if (next === current) break;
    current = next;
    model = nextModel;
  }
  return { text: current, changes, findings: [...findings, ...reported], sideFiles: [...sideFiles.values()], settled };
}

/** One Edit for two fixes of the same RUN script whose character edits are apart; null otherwise. */
function combine(a: Edit, b: Edit): Edit | null {
  const sa = charEditSources.get(a);
  const sb = charEditSources.get(b);
  const intact = (e: Edit, src: { lines: string[] }) => e.lines.length === src.lines.length && e.lines.every((l, i) => l === src.lines[i]);
  if (!sa || !sb || sa.script !== sb.script || !intact(a, sa) || !intact(b, sb) || charEditsTouch(sa.edits, sb.edits)) return null;
  return sa.rebuild([...sa.edits, ...sb.edits]);
}

/** The model of a pass's output (only the instructions the edits touch are parsed again); null when it does not parse. */
function parsedAfter(model: DockerfileModel, edits: Edit[], text: string): DockerfileModel | null {
  try {
    return parseEdited(model, edits, text);
  } catch {
    return null;
  }
}

/** Origins of the lines after applying edits: replaced lines stem from the first line they replace. */
function mapOrigin(origin: (number | undefined)[], edits: Edit[]): (number | undefined)[] {
  const out = origin.slice();
  const sorted = edits.slice().sort((a, b) => b.startLine - a.startLine || b.endLine - a.endLine);
  for (const e of sorted) {
    const from = origin[e.startLine] ?? origin[Math.max(0, e.startLine - 1)];
    out.splice(e.startLine, e.endLine - e.startLine + 1, ...e.lines.map(() => from));
  }
  return out;
}
