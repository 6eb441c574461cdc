/**
 * verify must catch a broken rewrite: the runtime stage missing the app's files, a rewrite that runs as
 * root, one that does not build. Each is the real rewrite of node-express changed through the
 * mutateRewritten hook. And a command-line app (no port) is compared by stdout and exit code.
 */
import * as path from 'path';
import { optimizeFile } from '../../src/api';
import { formatVerifyTable, runVerify, VERIFY_LABEL, verifyExitCode, VerifyReport } from '../../src/verify';
import { describeWithDocker, leftWithLabel, mb, repoRoot } from './helpers';

function verifyMutated(dir: string, mutate?: (text: string) => string, rebuild = false): Promise<VerifyReport> {
  const dockerfile = path.join(dir, 'Dockerfile');
  const r = optimizeFile(dockerfile);
  expect(r.skipped).toBeUndefined();
  return runVerify({
    dockerfile,
    context: r.context,
    rewritten: r.output,
    sideFiles: r.sideFiles.map((s) => ({ relPath: path.relative(r.context, s.path), content: s.output })),
    stack: r.stack,
    runtimeBase: r.runtimeBase,
    rebuild,
    mutateRewritten: mutate,
  });
}

function expectNothingLeft(report: VerifyReport): void {
  expect(report.leftBehind).toEqual({ containers: [], images: [], dangling: [] });
  expect(leftWithLabel(`${VERIFY_LABEL}=${report.runId}`)).toEqual({ containers: [], images: [] });
}

/** Drops the last line equal to `line` (the runtime stage's copy), failing when there is none. */
function dropLast(text: string, line: string): string {
  const ls = text.split('\n');
  const i = ls.lastIndexOf(line);
  if (i < 0) throw new Error(`no line ${JSON.stringify(line)} in:\n${text}`);
  ls.splice(i, 1);
  return ls.join('\n');
}

const express = path.join(repoRoot, 'examples', 'node-express');

describeWithDocker('verify catches broken rewrites', () => {
  test('the runtime stage without the app\'s sources: the container does not answer, exit 1', async () => {
    const report = await verifyMutated(express, (t) => dropLast(t, 'COPY --chown=65532:65532 . .'));
    process.stdout.write(formatVerifyTable(report));
    expect(report.rewritten.build?.ok).toBe(true);
    expect(report.original.probe).toMatchObject({ kind: 'http', answered: true, status: 200 });
    expect(report.rewritten.probe).toMatchObject({ kind: 'http', answered: false });
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/^rewritten container did not answer GET \/ on port 3000: the container exited \(code \d+\) before answering/);
    expect(report.problems[0]).toContain('server.js');
    expect(verifyExitCode([report])).toBe(1);
    expectNothingLeft(report);
  });

  test('a rewrite that runs as root fails even though it answers', async () => {
    const report = await verifyMutated(express, (t) => t.replace('USER 65532:65532', 'USER root'));
    expect(report.rewritten.probe).toMatchObject({ answered: true, status: 200 });
    expect(report.rewritten.image?.user).toBe('root');
    expect(report.problems).toEqual(['the rewritten image runs as root (USER "root")']);
    expect(verifyExitCode([report])).toBe(1);
    expectNothingLeft(report);
  });

  test('a rewrite that does not build fails with the build error', async () => {
    const report = await verifyMutated(express, (t) => t.replace('COPY --from=deps /app/node_modules ./node_modules', 'COPY --from=deps /app/no_such_dir ./node_modules'));
    expect(report.original.build?.ok).toBe(true);
    expect(report.rewritten.build?.ok).toBe(false);
    expect(report.rewritten.image).toBeUndefined();
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/^the rewritten Dockerfile does not build: /);
    expect(report.problems[0]).toContain('no_such_dir');
    expect(verifyExitCode([report])).toBe(1);
    expectNothingLeft(report);
  });

  test('a command-line app is compared by stdout and exit code; the rebuild after touching a source is measured', async () => {
    const report = await verifyMutated(path.join(repoRoot, 'test', 'e2e', 'fixtures', 'node-cli'), undefined, true);
    process.stdout.write(formatVerifyTable(report));
    // eslint-disable-next-line no-console
    console.log(`node-cli: original ${mb(report.original.image?.bytes)}, rewritten ${mb(report.rewritten.image?.bytes)}`);
    expect(report.probe).toEqual({ kind: 'command', args: [] });
    expect(report.rewritten.probe).toMatchObject({ kind: 'command', exitCode: 0, timedOut: false });
    const out = report.rewritten.probe?.kind === 'command' ? report.rewritten.probe.stdout : '';
    expect(out).toBe('request timeout: 30 seconds\ncache ttl: 1 hour\nretention: 14 days\nnode 20, env production\n');
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Only the source layer is rebuilt in the rewrite; the dependency install stays cached.
    const rb = report.rewritten.rebuild!;
    expect(rb).toMatchObject({ ok: true, touched: 'cli.js' });
    expect(rb.cachedSteps).toBe(rb.steps - 1);
    expect(report.original.rebuild!.cachedSteps).toBeLessThan(report.original.rebuild!.steps);
    expectNothingLeft(report);
  });

  test('a command-line app whose rewrite drops a data file fails on stdout and exit code', async () => {
    const report = await verifyMutated(path.join(repoRoot, 'test', 'e2e', 'fixtures', 'node-cli'), (t) => dropLast(t, 'COPY --chown=65532:65532 . .') + 'COPY cli.js ./\n');
    expect(report.rewritten.probe).toMatchObject({ kind: 'command', timedOut: false });
    expect(report.rewritten.probe?.kind === 'command' && report.rewritten.probe.exitCode).not.toBe(0);
    expect(report.problems.some((p) => p.startsWith('exit code: original 0, rewritten '))).toBe(true);
    expect(report.problems.some((p) => p.startsWith('stdout: bodies differ at byte 0'))).toBe(true);
    expect(verifyExitCode([report])).toBe(1);
    expectNothingLeft(report);
  });
});
