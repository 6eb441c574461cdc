/**
 * Planning many Dockerfiles: each against its own context, one bad file never stops the others (its
 * error is kept and reported), results come back in discovery order. With jobs > 1 the files are
 * spread over a worker_threads pool (the rewrite is CPU-bound); with jobs = 1 they run in-process.
 */
import * as path from 'path';
import type { ResultCache } from './cache';
import type { Discovered } from './discovery';
import type { Dependency } from './stack/context';
import type { FileResult, OptimizeOptions, SideFile } from './types';
import { INTERNAL_RULE, InputError } from './types';

export interface SweepError {
  file: string;
  line?: number;
  message: string;
}

export type SweepItem = { ok: true; result: FileResult } | { ok: false; error: SweepError };

export interface SweepOptions {
  /** Worker threads; 1 runs in this thread. */
  jobs?: number;
  /** Called after each file (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** The worker script (default: sweep-worker.js next to this module, once built). */
  workerScript?: string;
  /** Kept plans (--cache): those still valid are reused, the others are planned and kept. */
  cache?: ResultCache;
}

/** A plan with the file-system facts it read (for the cache). */
export interface Planned {
  item: SweepItem;
  deps: Dependency[];
}

export const TARGET_RULE = 'COMPOSE-TARGET';

/** Old-generation heap of a worker thread (MB). */
export const WORKER_HEAP_MB = 64;
/**
 * Young generation of a worker thread (MB). V8's default let two workers take the 10,000-file sweep
 * to 314 MB peak at ~1,400 files/s; 16 MB gives 273-277 MB at ~1,200 files/s (bench/README.md).
 */
export const WORKER_YOUNG_MB = 16;

/** How the message of an exception inside the tool (not bad input) begins. */
const INTERNAL_ERROR = 'internal error';

export function describeError(err: unknown, file: string): SweepError {
  if (err instanceof InputError) return { file: err.file, line: err.line, message: err.reason };
  const e = err as { name?: string; file?: string; line?: number; reason?: string; message?: string };
  // InputErrors that crossed a worker boundary arrive as plain objects.
  if (e && e.name === 'InputError' && typeof e.reason === 'string') return { file: e.file ?? file, line: e.line, message: e.reason };
  return { file, message: `${INTERNAL_ERROR}: ${e?.message ?? String(err)}` };
}

/** Whether a plan failed inside the tool (an exception, or a transform's failure reported as a finding) rather than on its input. */
export function isInternalFailure(item: SweepItem): boolean {
  if (!item.ok) return item.error.message.startsWith(INTERNAL_ERROR);
  return item.result.findings.some((f) => f.ruleId === INTERNAL_RULE);
}

/** Plan one discovered file; never throws. */
export function planOne(d: Discovered, options: OptimizeOptions): SweepItem {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { optimizeFile } = require('./api') as typeof import('./api');
    const result = optimizeFile(d.file, { ...options, context: options.context ?? d.context });
    keepComposeTargets(result, d);
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: describeError(err, d.file) };
  }
}

/** planOne, recording what the planning read from the file system. */
export function planRecorded(d: Discovered, options: OptimizeOptions): Planned {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { recordDependencies } = require('./stack/context') as typeof import('./stack/context');
  const { value, deps } = recordDependencies(() => planOne(d, options));
  return { item: value, deps };
}

/**
 * A compose service that builds `target: X` needs a stage named X. When the rewrite would lose it,
 * the file is left as it was, with a finding saying why.
 */
export function keepComposeTargets(r: FileResult, d: Discovered): void {
  const targets = [...new Set((d.services ?? []).map((s) => s.target).filter((t): t is string => !!t))];
  if (!targets.length || !r.changed) return;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parseDockerfile } = require('./model/parse') as typeof import('./model/parse');
  const names = new Set(parseDockerfile(r.output, r.path).stages.map((s) => s.name));
  const missing = targets.filter((t) => !names.has(t.toLowerCase()));
  if (!missing.length) return;
  const svc = (d.services ?? []).find((s) => s.target === missing[0])!;
  const reason = `compose service ${svc.service} (${path.basename(svc.compose)}) builds target '${missing[0]}', which the rewrite does not keep; nothing rewritten`;
  r.output = r.original;
  r.sideFiles = [];
  r.changes = [];
  r.findings = r.findings.filter((f) => !f.fixed);
  r.findings.push({ ruleId: TARGET_RULE, severity: 'info', message: reason, fixed: false });
  r.skipped = reason;
  r.changed = false;
  r.stagesAfter = r.stagesBefore;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const m = parseDockerfile(r.original, r.path);
  r.runtimeBase = m.stages[m.stages.length - 1].image;
}

/** The worker script, next to this module once built (dist/src/sweep-worker.js). */
function workerScript(): string | null {
  const js = path.join(__dirname, 'sweep-worker.js');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('fs').existsSync(js) ? js : null;
}

export async function sweep(files: Discovered[], options: OptimizeOptions, opts: SweepOptions = {}): Promise<SweepItem[]> {
  const cache = opts.cache;
  if (!cache) return planAll(files, options, opts);
  // Kept plans still valid are taken as they are; the other files are planned, and their plans kept.
  const out: SweepItem[] = new Array(files.length);
  const todo: number[] = [];
  const keys: string[] = [];
  let done = 0;
  files.forEach((d, i) => {
    const found = cache.lookup(d, options);
    if (found && 'item' in found) {
      out[i] = found.item;
      opts.onProgress?.(++done, files.length);
    } else {
      todo.push(i);
      keys[i] = found ? found.key : '';
    }
  });
  const planned = await planAll(
    todo.map((i) => files[i]),
    options,
    { ...opts, onProgress: opts.onProgress ? (d) => opts.onProgress!(done + d, files.length) : undefined },
    (k, p) => {
      const i = todo[k];
      if (keys[i]) cache.store(files[i].file, keys[i], p.item, p.deps);
    },
  );
  todo.forEach((i, k) => (out[i] = planned[k]));
  return out;
}

/** Plans every file, in this thread or in a pool; `recorded` (for the cache) gets each plan with what it read. */
async function planAll(files: Discovered[], options: OptimizeOptions, opts: SweepOptions, recorded?: (i: number, p: Planned) => void): Promise<SweepItem[]> {
  const plan = (i: number): SweepItem => {
    if (!recorded) return planOne(files[i], options);
    const p = planRecorded(files[i], options);
    recorded(i, p);
    return p.item;
  };
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, files.length));
  const script = jobs > 1 ? (opts.workerScript ?? workerScript()) : null;
  if (!script) {
    const out: SweepItem[] = [];
    for (let i = 0; i < files.length; i++) {
      out.push(plan(i));
      opts.onProgress?.(i + 1, files.length);
    }
    return out;
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Worker } = require('worker_threads') as typeof import('worker_threads');
  const out: SweepItem[] = new Array(files.length);
  let next = 0;
  let done = 0;
  // Send files in small batches: fewer messages, and still balanced across workers.
  const batch = Math.max(1, Math.min(64, Math.floor(files.length / (jobs * 8))));
  await Promise.all(
    Array.from({ length: jobs }, () => {
      return new Promise<void>((resolve) => {
        // A bounded heap per worker keeps the process's peak memory down (a worker that runs out is
        // replaced by planning its files here).
        const w = new Worker(script, { workerData: { options, record: !!recorded }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
        // Two batches in flight: the next one is already queued when a worker posts its results, so it
        // never waits for this thread to answer.
        let inFlight = 0;
        const feed = () => {
          if (next >= files.length) {
            if (inFlight === 0) void w.terminate().then(() => resolve());
            return;
          }
          const pending: number[] = [];
          for (let k = 0; k < batch && next < files.length; k++) pending.push(next++);
          inFlight++;
          w.postMessage(pending.map((i) => ({ i, d: files[i] })));
        };
        w.on('message', (items: ({ i: number } & Planned)[]) => {
          for (const { i, item, deps } of items) {
            out[i] = item;
            if (recorded) recorded(i, { item, deps });
            done++;
            opts.onProgress?.(done, files.length);
          }
          inFlight--;
          feed();
        });
        // A worker that fails or exits early: its unfinished batch is planned here below, so no file is
        // lost; the other workers go on taking files from the queue.
        w.on('error', () => resolve());
        w.on('exit', () => resolve());
        feed();
        feed();
      });
    }),
  );
  for (let i = 0; i < files.length; i++) {
    if (out[i]) continue;
    out[i] = plan(i);
    opts.onProgress?.(++done, files.length);
  }
  return out;
}

export const SHARED_IGNORE_RULE = 'DO-IGNORE-SHARED';
const SHARED_NAMES_SHOWN = 4;

/**
 * Several Dockerfiles built from one context (a workspace root, a compose context) each propose that
 * context's .dockerignore, and their proposals can differ: each keeps out only what its own build
 * does not copy. Writing one of them could drop a file another build needs, so they are reconciled:
 * the file proposed is the lines every proposal has (each proposal is safe for its build, so what
 * they share is safe for all). When a proposal re-includes something with `!` that the others do not,
 * the lines cannot be intersected safely, and nothing is proposed for that context. Each result
 * concerned gets a finding; `changed` is recomputed.
 */
export function reconcileSharedSideFiles(results: FileResult[]): void {
  const groups = new Map<string, { r: FileResult; i: number }[]>();
  for (const r of results) {
    r.sideFiles.forEach((sf, i) => {
      const key = path.resolve(sf.path);
      const group = groups.get(key);
      if (group) group.push({ r, i });
      else groups.set(key, [{ r, i }]);
    });
  }
  for (const [file, members] of groups) {
    const outputs = members.map(({ r, i }) => r.sideFiles[i].output);
    if (members.length < 2 || outputs.every((o) => o === outputs[0])) continue;
    const eol = outputs[0].includes('\r\n') ? '\r\n' : '\n';
    const lineSets = outputs.map((o) => new Set(o.split(/\r?\n/)));
    const common = outputs[0].split(/\r?\n/).filter((l) => lineSets.every((s) => s.has(l)));
    const unsharedNegation = lineSets.some((s) => [...s].some((l) => l.trim().startsWith('!') && !common.includes(l)));
    let merged: string | null = null;
    if (!unsharedNegation) {
      while (common.length && common[common.length - 1] === '') common.pop();
      merged = common.length ? common.join(eol) + eol : null;
    }
    // Named up to a few: the finding goes to every member, so a full list would grow with the square of a
    // large group (2,600 Dockerfiles in one folder made a 430 MB report).
    const shown = members.slice(0, SHARED_NAMES_SHOWN).map(({ r }) => path.basename(path.dirname(r.path)) + '/' + path.basename(r.path));
    const names = shown.join(', ') + (members.length > shown.length ? ` and ${members.length - shown.length} more` : '');
    const message =
      merged === null
        ? `${path.basename(file)} is shared by ${members.length} Dockerfiles (${names}) whose needs differ in '!' re-includes: none is proposed`
        : `${path.basename(file)} is shared by ${members.length} Dockerfiles (${names}): only the lines all of them can do without are proposed`;
    for (const { r } of members) {
      r.sideFiles = r.sideFiles
        .map((sf) => (path.resolve(sf.path) === file ? (merged === null || merged === sf.original ? null : { ...sf, output: merged }) : sf))
        .filter((sf): sf is SideFile => sf !== null);
      if (!r.findings.some((f) => f.ruleId === SHARED_IGNORE_RULE && f.message === message)) r.findings.push({ ruleId: SHARED_IGNORE_RULE, severity: 'info', message, fixed: merged !== null });
      r.changed = r.output !== r.original || r.sideFiles.some((s) => s.output !== s.original);
    }
  }
}
