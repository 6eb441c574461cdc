/**
 * End to end, Go examples: build the original and the rewritten Dockerfile with BuildKit on the local
 * base images, run both, probe them as the example's .dockerize-optimizerc.json says, and compare the
 * answers, the user and the sizes; on scratch, the image must be within 1.2x of the binary plus the CA
 * bundle. Skipped when Docker or the base images are not there.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RuntimeChoice } from '../../src/types';
import { available, buildRunCompare, docker, stackExamples } from './stack-support';

const LABEL = 'dockerize-optimize.test=e2e-go';
const root = path.resolve(__dirname, '../../examples');
const examples = stackExamples('go-');

const bases = examples.length ? ['golang:1.21', 'golang:1.22', 'gcr.io/distroless/static-debian13:nonroot'] : [];
const run = examples.length > 0 && available(bases) ? describe : describe.skip;

/** Bytes of a file inside an image (docker cp into a temporary directory). */
function fileSize(image: string, file: string, tmp: string): number {
  const name = `dzo-e2e-go-cp-${process.pid}-${Date.now()}`;
  docker(['create', '--name', name, '--label', LABEL, image]);
  try {
    const out = path.join(tmp, path.basename(file));
    docker(['cp', `${name}:${file}`, out]);
    return fs.statSync(out).size;
  } finally {
    docker(['rm', '-f', name], { allowFail: true });
  }
}

run('Go examples, built and run', () => {
  const created: string[] = [];
  afterAll(() => {
    for (const img of created) docker(['rmi', '-f', img], { allowFail: true });
  });

  // Every example on the automatic runtime (distroless static); two also on scratch.
  const cases: [string, RuntimeChoice][] = [
    ...examples.map((e): [string, RuntimeChoice] => [e, 'auto']),
    ...examples.filter((e) => e === 'go-certs' || e === 'go-root').map((e): [string, RuntimeChoice] => [e, 'scratch']),
  ];
  test.each(cases)('%s (runtime %s): the rewrite builds, answers like the original, runs non-root and is smaller', async (name, runtime) => {
    await buildRunCompare({ root, name, runtime, skip: 'bin', label: LABEL, created }, ({ result, tag, sizeOrig, sizeNew, tmp }) => {
      expect(result.runtimeBase).toBe(runtime === 'scratch' ? 'scratch' : 'gcr.io/distroless/static-debian13:nonroot');
      const cmd = JSON.parse(docker(['image', 'inspect', '-f', '{{json .Config.Cmd}}', `${tag}-new`])) as string[];
      const binary = fileSize(`${tag}-new`, cmd[0], tmp);
      const bundle = fileSize(`${tag}-new`, '/etc/ssl/certs/ca-certificates.crt', tmp);
      const overhead = sizeNew / (binary + bundle);
      // eslint-disable-next-line no-console
      console.log(`${name} (${result.runtimeBase}): ${(sizeOrig / 1e6).toFixed(1)} MB -> ${(sizeNew / 1e6).toFixed(2)} MB (${(sizeOrig / sizeNew).toFixed(1)}x smaller), binary ${(binary / 1e6).toFixed(2)} MB + CA bundle ${(bundle / 1e6).toFixed(2)} MB (image ${overhead.toFixed(2)}x that), user 65532`);
      if (runtime === 'scratch') expect(overhead).toBeLessThanOrEqual(1.2);
    });
  }, 1800000);
});

test('the Go examples are there to run', () => {
  expect(examples).toEqual(expect.arrayContaining(['go-certs', 'go-cmd', 'go-root']));
});
