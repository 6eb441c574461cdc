/**
 * Every bundled example whose rewrite is not declined: build the original and the rewritten
 * Dockerfile on the local engine (BuildKit, stand-in bases), run both, probe them, and assert the
 * rewritten container answers like the original, runs non-root, exposes the same ports and is at
 * least minRatio (from the example's .dockerize-optimizerc.json) times smaller. Nothing may be left.
 * Examples run one after the other. DZO_E2E_REBUILD=1 also measures every rebuild (the table
 * prints it); by default only node-express does.
 */
import * as fs from 'fs';
import * as path from 'path';
import { optimizeFile } from '../../src/api';
import { formatVerifyTable, loadVerifyConfig, runVerify, VERIFY_LABEL } from '../../src/verify';
import { danglingImages, describeWithDocker, leftWithLabel, mb, repoRoot, withLabelValue } from './helpers';

const examplesDir = path.join(repoRoot, 'examples');
const examples = fs
  .readdirSync(examplesDir)
  .filter((n) => fs.existsSync(path.join(examplesDir, n, 'Dockerfile')))
  .sort();

describeWithDocker('verify the bundled examples on the local Docker engine', () => {
  test('there are examples to verify', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  for (const name of examples) {
    const dockerfile = path.join(examplesDir, name, 'Dockerfile');
    const result = optimizeFile(dockerfile);
    if (result.skipped) {
      test.skip(`${name}: rewrite declined (${result.skipped})`, () => undefined);
      continue;
    }
    test(`${name}: the rewritten image builds, answers like the original, runs non-root and is smaller`, async () => {
      const { config, file } = loadVerifyConfig(path.dirname(dockerfile));
      expect(file).toBe(path.join(examplesDir, name, '.dockerize-optimizerc.json'));
      const danglingBefore = new Set(danglingImages());
      const report = await runVerify({
        dockerfile,
        context: result.context,
        rewritten: result.output,
        sideFiles: result.sideFiles.map((s) => ({ relPath: path.relative(result.context, s.path), content: s.output })),
        stack: result.stack,
        runtimeBase: result.runtimeBase,
        rebuild: process.env.DZO_E2E_REBUILD === '1' || name === 'node-express',
      });
      process.stdout.write(`\n${formatVerifyTable(report)}`);
      // eslint-disable-next-line no-console
      console.log(`${name}: original ${mb(report.original.image?.bytes)}, rewritten ${mb(report.rewritten.image?.bytes)} (${report.ratio}x smaller)`);

      expect(report.original.build?.ok).toBe(true);
      expect(report.rewritten.build?.ok).toBe(true);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);

      // The probe really ran on both and the answers are the same.
      const o = report.original.probe;
      const n = report.rewritten.probe;
      expect(o && n).toBeTruthy();
      expect(n!.kind).toBe(o!.kind);
      if (o!.kind === 'http' && n!.kind === 'http') {
        expect(o!.answered).toBe(true);
        expect(n!.answered).toBe(true);
        if (config.probe.kind === 'http' && config.probe.port !== undefined) expect(n!.port).toBe(config.probe.port);
        if (config.probe.kind === 'http' && config.probe.expectStatus !== undefined) expect(n!.status).toBe(config.probe.expectStatus);
        expect(n!.status).toBe(o!.status);
        expect(n!.body).toBe(o!.body);
      } else if (o!.kind === 'command' && n!.kind === 'command') {
        expect(n!.exitCode).toBe(o!.exitCode);
        expect(n!.stdout).toBe(o!.stdout);
      }

      const orig = report.original.image!;
      const next = report.rewritten.image!;
      expect(next.root).toBe(false);
      expect(next.user).not.toMatch(/^(root|0)?(:.*)?$/);
      expect(next.exposedPorts).toEqual(orig.exposedPorts);
      expect(next.bytes).toBeLessThan(orig.bytes);
      expect(orig.bytes / next.bytes).toBeGreaterThanOrEqual(config.minRatio ?? 1);

      // Nothing with the run's label is left, and no new dangling image is this run's.
      const label = `${VERIFY_LABEL}=${report.runId}`;
      expect(report.leftBehind).toEqual({ containers: [], images: [], dangling: [] });
      expect(leftWithLabel(label)).toEqual({ containers: [], images: [] });
      const newDangling = danglingImages().filter((id) => !danglingBefore.has(id));
      expect(withLabelValue(newDangling, VERIFY_LABEL, report.runId)).toEqual([]);
    }, 20 * 60 * 1000); // a cold Next.js build on two busy cores takes minutes
  }
});
