/**
 * The verdict, from the measured figures only (pure): the rewritten image must build, answer the probe
 * like the original, run as non-root, keep the original's exposed ports, and, when the config asks, be
 * minRatio times smaller. Everything else (env keys, entrypoint, layers) is reported, not judged.
 */
import { parseDockerfile } from '../model/parse';
import type { BuildResult } from './build';
import type { ImageFacts } from './inspect';
import type { ProbeResult } from './probe';

export interface Side {
  build?: BuildResult;
  image?: ImageFacts;
  probe?: ProbeResult;
  rebuild?: BuildResult & { touched: string };
}

export interface Verdict {
  ok: boolean;
  /** Failures of the rewrite (exit 1). */
  problems: string[];
  /** Worth knowing, not a failure. */
  notes: string[];
  ratio?: number;
}

/** The first line that looks like an error, then the last lines of a container's log. */
export function logExcerpt(logs: string, tail = 3): string {
  const ls = logs.split('\n').filter((l) => l.trim());
  const errAt = ls.findIndex((l) => /\b(error|exception|panic|fatal|traceback|cannot|not found)\b/i.test(l));
  const last = ls.slice(-tail);
  const lines = errAt >= 0 && errAt < ls.length - tail ? [ls[errAt], ...(errAt < ls.length - tail - 1 ? ['...'] : []), ...last] : last;
  return lines.join('\n    ');
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 20), i + 40));
  return `bodies differ at byte ${i} (${a.length} vs ${b.length} chars): original ${show(a)}, rewritten ${show(b)}`;
}

export function compareProbes(orig: ProbeResult | undefined, next: ProbeResult | undefined, expectStatus?: number, compareBody = true): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  if (!next) return { problems, notes };
  if (next.kind === 'http') {
    const o = orig && orig.kind === 'http' ? orig : undefined;
    if (!next.answered) {
      problems.push(`rewritten container did not answer GET ${next.path} on port ${next.port}: ${next.error ?? 'no answer'}${next.logs ? `\n    logs: ${logExcerpt(next.logs)}` : ''}`);
      return { problems, notes };
    }
    if (expectStatus !== undefined && next.status !== expectStatus) problems.push(`rewritten container answered GET ${next.path} with ${next.status}, expected ${expectStatus}`);
    if (!o || !o.answered) {
      notes.push(`the original did not answer GET ${next.path} (${o?.error ?? 'not probed'}); the rewritten answer was not compared`);
      return { problems, notes };
    }
    if (o.status !== next.status) problems.push(`GET ${next.path}: original answered ${o.status}, rewritten ${next.status}`);
    else if (compareBody && o.body !== next.body) problems.push(`GET ${next.path}: ${firstDifference(o.body ?? '', next.body ?? '')}`);
    return { problems, notes };
  }
  const o = orig && orig.kind === 'command' ? orig : undefined;
  if (next.error) {
    problems.push(`rewritten container did not run: ${next.error}`);
    return { problems, notes };
  }
  if (!o || o.error) {
    notes.push(`the original did not run (${o?.error ?? 'not probed'}); the rewritten output was not compared`);
    return { problems, notes };
  }
  if (o.timedOut !== next.timedOut) problems.push(next.timedOut ? `the rewritten container did not finish within ${next.seconds} s; the original did (exit ${o.exitCode})` : `the original kept running; the rewritten container exited ${next.exitCode}`);
  else if (o.exitCode !== next.exitCode) problems.push(`exit code: original ${o.exitCode}, rewritten ${next.exitCode}${next.logs ? `\n    logs: ${logExcerpt(next.logs)}` : ''}`);
  if (o.timedOut && next.timedOut) notes.push(`both containers were still running after the wait (${next.seconds} s); only their output so far was compared (a server that exposes no port? set verify.probe.port)`);
  if (o.stdout !== next.stdout) problems.push(`stdout: ${firstDifference(o.stdout, next.stdout)}`);
  return { problems, notes };
}

/**
 * Keys the Dockerfile's final stage sets with ENV itself (following `FROM <earlier stage>`), as
 * opposed to keys inherited from the base image.
 */
export function declaredEnvKeys(text: string, file = 'Dockerfile'): string[] {
  const m = parseDockerfile(text, file);
  const keys = new Set<string>();
  let stage = m.stages[m.stages.length - 1];
  const seen = new Set<number>();
  while (stage && !seen.has(stage.index)) {
    seen.add(stage.index);
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'ENV' || ins.args.length === 0) continue;
      if (!ins.args[0].includes('=')) keys.add(ins.args[0]);
      else for (const a of ins.args) {
        const k = /^([A-Za-z_][A-Za-z0-9_.-]*)=/.exec(a);
        if (k) keys.add(k[1]);
      }
    }
    const base = stage.image.toLowerCase();
    stage = m.stages.find((s) => s.index < stage.index && s.name !== null && s.name.toLowerCase() === base)!;
  }
  return [...keys].sort();
}

export function judge(orig: Side, next: Side, opts: { expectStatus?: number; compareBody?: boolean; minRatio?: number; declined?: string; declaredEnv?: string[] } = {}): Verdict {
  const problems: string[] = [];
  const notes: string[] = [];
  if (orig.build && !orig.build.ok) notes.push(`the original Dockerfile does not build here: ${firstLine(orig.build.error)}`);
  if (!next.build || !next.build.ok) {
    problems.push(`the rewritten Dockerfile does not build: ${next.build?.error ?? 'not built'}`);
    return { ok: false, problems, notes };
  }
  const pr = compareProbes(orig.probe, next.probe, opts.expectStatus, opts.compareBody ?? true);
  problems.push(...pr.problems);
  notes.push(...pr.notes);
  let ratio: number | undefined;
  if (next.image) {
    if (next.image.root) problems.push(`the rewritten image runs as root (USER ${JSON.stringify(next.image.user)})`);
    if (orig.image) {
      const missing = orig.image.exposedPorts.filter((p) => !next.image!.exposedPorts.includes(p));
      if (missing.length) problems.push(`the rewritten image does not expose ${missing.join(', ')}`);
      const added = next.image.exposedPorts.filter((p) => !orig.image!.exposedPorts.includes(p));
      if (added.length) notes.push(`the rewritten image also exposes ${added.join(', ')}`);
      ratio = next.image.bytes > 0 ? Math.round((orig.image.bytes / next.image.bytes) * 100) / 100 : undefined;
      if (ratio !== undefined && opts.minRatio !== undefined && ratio < opts.minRatio) {
        if (opts.declined) notes.push(`size ratio ${ratio}x is below minRatio ${opts.minRatio} (the multi-stage rewrite was declined: ${opts.declined})`);
        else problems.push(`the rewritten image is ${ratio}x smaller, below minRatio ${opts.minRatio}`);
      } else if (ratio !== undefined && ratio < 1) notes.push(`the rewritten image is larger (${ratio}x)`);
      const lostEnv = orig.image.envKeys.filter((k) => !next.image!.envKeys.includes(k));
      const declared = new Set(opts.declaredEnv ?? []);
      const lostDeclared = lostEnv.filter((k) => declared.has(k));
      const lostInherited = lostEnv.filter((k) => !declared.has(k));
      if (lostDeclared.length) problems.push(`the rewritten image lost ENV ${lostDeclared.join(', ')} that the original Dockerfile sets`);
      if (lostInherited.length) notes.push(`env keys of the original base image not in the rewritten one: ${lostInherited.join(', ')}`);
    }
  }
  return { ok: problems.length === 0, problems, notes, ratio };
}

function firstLine(s: string | undefined): string {
  const ls = (s ?? '').split('\n').filter((l) => l.trim());
  return ls.length ? ls[ls.length - 1] : 'failed';
}
