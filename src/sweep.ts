/**
 * Planning many Dockerfiles: each against its own context, one bad file never stops the others (its
 * error is kept and reported), results come back in discovery order. With jobs > 1 the files are
 * spread over a worker_threads pool (the rewrite is CPU-bound); with jobs = 1 they run in-process.
 */
import * as path from 'path';
import type { Discovered } from './discovery';
import type { FileResult, OptimizeOptions } from './types';
import { InputError } from './types';

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
}

export const TARGET_RULE = 'COMPOSE-TARGET';

export function describeError(err: unknown, file: string): SweepError {
  if (err instanceof InputError) return { file: err.file, line: err.line, message: err.reason };
  const e = err as { name?: string; file?: string; line?: number; reason?: string; message?: string };
  // InputErrors that crossed a worker boundary arrive as plain objects.
  if (e && e.name === 'InputError' && typeof e.reason === 'string') return { file: e.file ?? file, line: e.line, message: e.reason };
  return { file, message: `internal error: ${e?.message ?? String(err)}` };
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
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, files.length));
  const script = jobs > 1 ? workerScript() : null;
  if (!script) {
    const out: SweepItem[] = [];
    for (let i = 0; i < files.length; i++) {
      out.push(planOne(files[i], options));
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
        const w = new Worker(script, { workerData: { options } });
        let pending: number[] = [];
        const feed = () => {
          if (next >= files.length) {
            void w.terminate().then(() => resolve());
            return;
          }
          pending = [];
          for (let k = 0; k < batch && next < files.length; k++) pending.push(next++);
          w.postMessage(pending.map((i) => ({ i, d: files[i] })));
        };
        w.on('message', (items: { i: number; item: SweepItem }[]) => {
          for (const { i, item } of items) {
            out[i] = item;
            done++;
            opts.onProgress?.(done, files.length);
          }
          feed();
        });
        w.on('error', (err) => {
          // A worker that dies: its files are planned here instead, so none is lost.
          for (const i of pending) if (!out[i]) out[i] = planOne(files[i], options);
          pending = [];
          void w.terminate();
          resolve();
          void err;
        });
        feed();
      });
    }),
  );
  for (let i = 0; i < files.length; i++) if (!out[i]) out[i] = planOne(files[i], options);
  return out;
}
