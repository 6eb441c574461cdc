/**
 * The pipeline for one Dockerfile: text -> model -> facts -> plan -> text. Pure apart from reading
 * the build context; writing and diffing are the caller's (cli) business.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseDockerfile } from './model/parse';
import { renderPlan } from './plan/plan';
import { runRules } from './rules/engine';
import { BuildContext } from './stack/context';
import { detectStack } from './stack/detect';
import { FileResult, InputError, OptimizeOptions, SideFile } from './types';
import { filterFindings, isSuppressed, readSuppressions, SEPARABLE_SIDE_FILE_RULE, suppressedChange } from './suppress';
import { ECOSYSTEMS } from '../transforms';
import { RULES } from '../transforms/common/rules';

export const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

export function readDockerfile(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new InputError(file, undefined, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (st.isDirectory()) throw new InputError(file, undefined, 'is a directory');
  if (st.size > MAX_DOCKERFILE_BYTES) throw new InputError(file, undefined, `is ${(st.size / 1048576).toFixed(1)} MB; a Dockerfile over ${MAX_DOCKERFILE_BYTES / 1048576} MB is not rewritten`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, undefined, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function optimizeFile(file: string, opts: OptimizeOptions = {}): FileResult {
  const text = readDockerfile(file);
  return optimizeText(text, file, opts);
}

export function optimizeText(text: string, file: string, opts: OptimizeOptions = {}): FileResult {
  const first = optimizeOnce(text, file, opts);
  // A declined rewrite may become possible once the cross-cutting rules have fixed the file (a `cd` folded
  // into WORKDIR, RUNs merged): run again on the output, so that a second run of the tool changes nothing.
  if (!first.skipped || first.stack === 'unknown' || first.output === text) return first;
  const again = optimizeOnce(first.output, file, opts);
  if (again.output === first.output) return first;
  const seen = new Set(first.changes.map((c) => `${c.ruleId}|${c.message}`));
  // Lines of the second pass refer to the intermediate text: they are left out rather than wrong.
  const unlined = <T extends { line?: number }>(x: T): T => ({ ...x, line: undefined });
  const sideFiles = again.sideFiles.slice();
  for (const sf of first.sideFiles) if (!sideFiles.some((s) => s.path === sf.path)) sideFiles.push(sf);
  return {
    ...again,
    original: text,
    stagesBefore: first.stagesBefore,
    changes: [...first.changes, ...again.changes.filter((c) => !seen.has(`${c.ruleId}|${c.message}`)).map(unlined)],
    findings: again.findings.map(unlined),
    sideFiles,
    changed: again.output !== text || sideFiles.some((s) => s.original !== s.output),
  };
}

function optimizeOnce(text: string, file: string, opts: OptimizeOptions): FileResult {
  const contextDir = path.resolve(opts.context ?? path.dirname(file));
  const model = parseDockerfile(text, file);
  const ctx = new BuildContext(contextDir);
  const detected = opts.stack ? { stack: opts.stack, ecosystem: ECOSYSTEMS.find((e) => e.name === opts.stack) ?? null } : detectStack(model, ctx, ECOSYSTEMS);
  const result: FileResult = {
    path: file,
    context: contextDir,
    original: text,
    output: text,
    changed: false,
    stack: detected.stack,
    stagesBefore: model.stages.length,
    stagesAfter: model.stages.length,
    runtimeBase: model.stages[model.stages.length - 1].image,
    changes: [],
    findings: [],
    sideFiles: [],
  };
  let rewritten = false;
  let current = text;
  const sup = readSuppressions(model);
  if (sup.fileAll) {
    result.skipped = `every rule is disabled by a '# dockerize-optimize-disable' comment (line ${sup.where.get('*')})`;
    return result;
  }
  if (detected.ecosystem) {
    const t = detected.ecosystem.transform({ model, ctx, options: opts });
    const declined = t.kind === 'rewrite' ? suppressedChange(sup, t.plan.changes) : null;
    if (t.kind === 'rewrite' && declined) {
      result.skipped = declined;
      result.findings.push(...filterFindings(sup, t.plan.findings.filter((f) => !f.fixed)));
    } else if (t.kind === 'rewrite') {
      const out = renderPlan(model, t.plan);
      try {
        const check = parseDockerfile(out, file);
        current = out;
        rewritten = true;
        result.stagesAfter = check.stages.length;
        result.runtimeBase = t.runtimeBase;
        result.changes.push(...t.plan.changes);
        result.findings.push(...t.plan.findings);
        result.sideFiles.push(...t.plan.sideFiles);
      } catch (err) {
        result.skipped = `internal: the planned rewrite did not parse (${(err as Error).message}); nothing rewritten`;
      }
    } else {
      result.skipped = t.reason;
      result.findings.push(...t.findings);
      const at = /\bline (\d+)/.exec(t.reason);
      result.findings.push({ ruleId: `${detected.stack.toUpperCase()}-DECLINED`, severity: 'info', line: at ? Number(at[1]) : undefined, message: `multi-stage rewrite declined: ${t.reason}`, fixed: false });
    }
  } else {
    result.skipped = 'no supported stack detected (node, go, python, rust)';
    result.findings.push({ ruleId: 'STACK-UNKNOWN', severity: 'info', message: 'no supported stack detected (node, go, python, rust): only the cross-cutting rules ran', fixed: false });
  }
  result.findings = filterFindings(sup, result.findings);
  const rules = runRules(current, file, RULES, { ctx, stack: detected.stack, options: opts, rewritten, lineMap: rewritten ? () => undefined : undefined });
  current = rules.text;
  result.changes.push(...rules.changes);
  result.findings.push(...rules.findings);
  for (const sf of rules.sideFiles) if (!result.sideFiles.some((s) => s.path === sf.path)) result.sideFiles.push(sf);
  if (opts.dockerignore === false || isSuppressed(sup, SEPARABLE_SIDE_FILE_RULE)) {
    result.sideFiles = [];
    result.changes = result.changes.filter((c) => c.ruleId !== SEPARABLE_SIDE_FILE_RULE || opts.dockerignore === false);
  }
  result.output = current;
  result.changed = current !== text || result.sideFiles.some((s: SideFile) => s.original !== s.output);
  if (!rewritten) {
    const m = parseDockerfile(current, file);
    result.stagesAfter = m.stages.length;
    result.runtimeBase = m.stages[m.stages.length - 1].image;
  }
  return result;
}
