/**
 * End to end, Rust examples: build the original and the rewritten Dockerfile with BuildKit on the local
 * base images, run both, probe them as the example's .dockerize-optimizerc.json says, and compare the
 * answers, the user and the sizes. Skipped when Docker or the base images are not there.
 */
import * as path from 'path';
import type { RuntimeChoice } from '../../src/types';
import { available, buildRunCompare, docker, stackExamples } from './stack-support';

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
    await buildRunCompare({ root, name, runtime, skip: 'target', label: LABEL, created }, ({ result, sizeOrig, sizeNew }) => {
      if (runtime === 'scratch') expect(result.runtimeBase).toBe('scratch');
      // eslint-disable-next-line no-console
      console.log(`${name} (${result.runtimeBase}): ${(sizeOrig / 1e6).toFixed(1)} MB -> ${(sizeNew / 1e6).toFixed(2)} MB (${(sizeOrig / sizeNew).toFixed(1)}x smaller), user 65532`);
    });
  }, 1800000);
});

test('the Rust examples are there to run', () => {
  expect(examples).toEqual(expect.arrayContaining(['rust-std', 'rust-workspace']));
});
