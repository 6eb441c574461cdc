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
import { decline, TransformResult } from './plan/ecosystem';
import { FileResult, Finding, INTERNAL_RULE, InputError, OptimizeOptions, SideFile, StackName } from './types';
import { filterFindings, isSuppressed, readSuppressions, SEPARABLE_SIDE_FILE_RULE, suppressedChange } from './suppress';
import { ECOSYSTEMS } from '../transforms';
import { RULES } from '../transforms/common/rules';

export const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

/** A file system error in words, with its code: "symbolic link loop (ELOOP)". */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ELOOP: 'symbolic link loop',
    ENAMETOOLONG: 'path too long',
    ENOTDIR: 'a part of the path is not a directory',
    EISDIR: 'is a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
  };
  if (e && e.code) return words[e.code] ? `${words[e.code]} (${e.code})` : e.code;
  return (err as Error)?.message ?? String(err);
}

/** 1-based line of a byte offset. */
function lineAt(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < buf.length; i++) if (buf[i] === 0x0a) line++;
  return line;
}

/**
 * Reads a Dockerfile as UTF-8 text, refusing what cannot be rewritten faithfully: directories and
 * special files, files over 4 MB (checked before reading), UTF-16, binary content (NUL bytes) and bytes
 * that are not UTF-8 (rewriting would replace them).
 */
export function readDockerfile(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new InputError(file, undefined, 'is a directory');
    throw new InputError(file, undefined, `cannot read: ${describeFsError(err)}`);
  }
  let buf: Buffer;
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new InputError(file, undefined, 'is a directory');
    if (!st.isFile()) throw new InputError(file, undefined, 'is not a regular file');
    if (st.size > MAX_DOCKERFILE_BYTES) throw new InputError(file, undefined, `is ${(st.size / 1048576).toFixed(1)} MB; a Dockerfile over ${MAX_DOCKERFILE_BYTES / 1048576} MB is not rewritten`);
    buf = fs.readFileSync(fd);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, undefined, `cannot read: ${describeFsError(err)}`);
  } finally {
    fs.closeSync(fd);
  }
  if (buf.length > MAX_DOCKERFILE_BYTES) throw new InputError(file, undefined, `grew over ${MAX_DOCKERFILE_BYTES / 1048576} MB while being read; not rewritten`);
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new InputError(file, undefined, 'is UTF-16 text; BuildKit reads Dockerfiles as UTF-8: save it as UTF-8');
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) throw new InputError(file, lineAt(buf, nul), 'binary content (a NUL byte): not a text Dockerfile');
  const text = buf.toString('utf8');
  const bad = text.indexOf('\ufffd');
  if (bad >= 0 && !Buffer.from(text, 'utf8').equals(buf)) {
    // Find the first byte sequence that did not decode, for the line number.
    let at = 0;
    for (let i = 0, b = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp === 0xfffd && !(buf[b] === 0xef && buf[b + 1] === 0xbf && buf[b + 2] === 0xbd)) {
        at = b;
        break;
      }
      const len = Buffer.byteLength(String.fromCodePoint(cp));
      b += len;
      if (cp > 0xffff) i++;
    }
    throw new InputError(file, lineAt(buf, at), 'is not valid UTF-8 (another encoding?); it is not rewritten, so its bytes stay as they are');
  }
  return text;
}

export function optimizeFile(file: string, opts: OptimizeOptions = {}): FileResult {
  const text = readDockerfile(file);
  return optimizeText(text, file, opts);
}

export function optimizeText(text: string, file: string, opts: OptimizeOptions = {}): FileResult {
  const once = optimizeOnce(text, file, opts)!;
  const first = once.result;
  // A declined rewrite may become possible once the cross-cutting rules have fixed the file (a `cd` folded
  // into WORKDIR, RUNs merged): run again on the output, so that a second run of the tool changes nothing.
  if (!first.skipped || first.stack === 'unknown' || first.output === text) return first;
  // Where the same stack's transform declines again and the rules had settled, the second run would end
  // where the first did: it stops there.
  const again = optimizeOnce(first.output, file, opts, once.settled ? first.stack : undefined)?.result;
  if (!again || again.output === first.output) return first;
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

/** Runs f; an exception other than bad input goes to onError (an internal bug, reported as a finding). */
function safely<T>(f: () => T, onError: (err: unknown) => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputError) throw err;
    return onError(err);
  }
}

/** An internal failure as a finding (rule id DO-INTERNAL), so a run goes on and the bug is visible. */
function internalFinding(what: string, err: unknown): Finding {
  const e = err as Error;
  const at = e?.stack?.split('\n').find((l) => /^\s+at /.test(l))?.trim() ?? '';
  return { ruleId: INTERNAL_RULE, severity: 'error', message: `${what} failed: ${e?.message ?? String(err)}${at ? ` (${at})` : ''}; no multi-stage rewrite for this Dockerfile`, fixed: false };
}

/**
 * One run of the transform and the rules. With `unlessDeclined`, a run whose stack is that one and whose
 * transform does not rewrite stops early (null): the caller already has its result.
 */
function optimizeOnce(text: string, file: string, opts: OptimizeOptions, unlessDeclined?: StackName): { result: FileResult; settled: boolean } | null {
  const contextDir = path.resolve(opts.context ?? path.dirname(file));
  const model = parseDockerfile(text, file);
  const ctx = new BuildContext(contextDir);
  const internal: Finding[] = [];
  const detected = safely(
    () => (opts.stack ? { stack: opts.stack, ecosystem: ECOSYSTEMS.find((e) => e.name === opts.stack) ?? null } : detectStack(model, ctx, ECOSYSTEMS)),
    (err) => {
      internal.push(internalFinding('stack detection', err));
      return { stack: 'unknown' as StackName, ecosystem: null };
    },
  );
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
    return { result, settled: true };
  }
  if (detected.ecosystem) {
    // A bug in one transform must not stop a run over many Dockerfiles: this one is declined.
    const eco = detected.ecosystem;
    const t = safely(
      () => eco.transform({ model, ctx, options: opts }),
      (err): TransformResult => decline(`internal error in the ${detected.stack} transform (${(err as Error)?.message ?? err}); nothing rewritten`, [internalFinding(`the ${detected.stack} transform`, err)]),
    );
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
        result.findings.push(internalFinding(`the ${detected.stack} transform's output`, err));
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
  if (unlessDeclined && detected.stack === unlessDeclined && !rewritten) return null;
  result.findings.push(...internal);
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
  return { result, settled: rules.settled };
}
