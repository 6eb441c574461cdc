/**
 * End to end, Rust examples: build the original and the rewritten Dockerfile with BuildKit on the local
 * base images, run both, probe them as the example's .dockerize-optimizerc.json says, and compare the
 * answers, the user and the sizes. Skipped when Docker or the base images are not there.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeFile } from '../../src/api';
import type { RuntimeChoice } from '../../src/types';
import { available, copyDir, docker, runAndProbe, stackExamples } from './stack-support';

const LABEL = 'dockerize-optimize.test=e2e-rust';
const root = path.resolve(__dirname, '../../examples');
const examples = stackExamples('rust-');

const bases = examples.length ? ['rust:1', 'gcr.io/distroless/cc-debian13:nonroot'] : [];
const run = examples.length > 0 && available(bases) ? describe : describe.skip;

run('Rust examples, built and run', () => {
  const created: string[] = [];
  afterAll(() => {
    for (const img of created) docker(['rmi', '-f', img], { allowFail: true });
  });

  // Every example with the automatic runtime; the std-only one also as a static musl binary on scratch.
  const cases: [string, RuntimeChoice][] = [...examples.map((e): [string, RuntimeChoice] => [e, 'auto']), ...examples.filter((e) => e === 'rust-std').map((e): [string, RuntimeChoice] => [e, 'scratch'])];
  test.each(cases)('%s (runtime %s): the rewrite builds, answers like the original, runs non-root and is smaller', async (name, runtime) => {
    const dir = path.join(root, name);
    const config = JSON.parse(fs.readFileSync(path.join(dir, '.dockerize-optimizerc.json'), 'utf8'));
    const { port, path: probePath, expectStatus } = config.verify.probe;
    const result = optimizeFile(path.join(dir, 'Dockerfile'), { runtime });
    if (runtime === 'scratch') expect(result.runtimeBase).toBe('scratch');
    expect(result.stagesAfter).toBe(2);

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dzo-e2e-${name}-`));
    try {
      const orig = path.join(tmp, 'orig');
      const next = path.join(tmp, 'new');
      copyDir(dir, orig, 'target');
      copyDir(dir, next, 'target');
      fs.writeFileSync(path.join(next, 'Dockerfile'), result.output);
      for (const sf of result.sideFiles) fs.writeFileSync(path.join(next, path.relative(dir, sf.path)), sf.output);
      const tag = `dzo-e2e-${name}:${runtime}-${process.pid}`;
      created.push(`${tag}-orig`, `${tag}-new`);
      docker(['build', '-q', '--label', LABEL, '-t', `${tag}-orig`, orig]);
      docker(['build', '-q', '--label', LABEL, '-t', `${tag}-new`, next]);

      const a = await runAndProbe(`${tag}-orig`, `dzo-e2e-${name}-${runtime}-orig-${process.pid}`, port, probePath, LABEL);
      const b = await runAndProbe(`${tag}-new`, `dzo-e2e-${name}-${runtime}-new-${process.pid}`, port, probePath, LABEL);
      expect(a.status).toBe(expectStatus);
      expect(b.status).toBe(a.status);
      expect(b.body).toBe(a.body);

      expect(docker(['image', 'inspect', '-f', '{{.Config.User}}', `${tag}-new`])).toBe('65532:65532');
      const sizeOrig = Number(docker(['image', 'inspect', '-f', '{{.Size}}', `${tag}-orig`]));
      const sizeNew = Number(docker(['image', 'inspect', '-f', '{{.Size}}', `${tag}-new`]));
      const ratio = sizeOrig / sizeNew;
      // eslint-disable-next-line no-console
      console.log(`${name} (${result.runtimeBase}): ${(sizeOrig / 1e6).toFixed(1)} MB -> ${(sizeNew / 1e6).toFixed(2)} MB (${ratio.toFixed(1)}x smaller), user 65532`);
      expect(ratio).toBeGreaterThanOrEqual(config.verify.minRatio ?? 5);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 1800000);
});

test('the Rust examples are there to run', () => {
  expect(examples).toEqual(expect.arrayContaining(['rust-std', 'rust-workspace']));
});
