/**
 * `dockerize-optimize verify` through the command line: the table on stdout, --json with every figure,
 * the exit code, and the user's directory left exactly as it was.
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { VERIFY_LABEL } from '../../src/verify';
import { describeWithDocker, leftWithLabel, repoRoot } from './helpers';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd: repoRoot });
  return { code, out, err };
}

function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describeWithDocker('dockerize-optimize verify (command line)', () => {
  test('--json on an example: exit 0, every figure, nothing left, the example untouched', async () => {
    const dir = path.join(repoRoot, 'examples', 'node-express');
    const before = listing(dir);
    const dockerfileBefore = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    const r = await run(['verify', '--json', '--no-rebuild', 'examples/node-express']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.tool).toBe('dockerize-optimize');
    expect(json.verify).toHaveLength(1);
    const rep = json.verify[0];
    expect(rep).toMatchObject({ dockerfile: path.join(dir, 'Dockerfile'), ok: true, problems: [], probe: { kind: 'http', port: 3000, path: '/', expectStatus: 200 }, minRatio: 5 });
    expect(rep.configFile).toBe(path.join(dir, '.dockerize-optimizerc.json'));
    for (const side of ['original', 'rewritten']) {
      expect(rep[side].build).toMatchObject({ ok: true });
      expect(rep[side].build.steps).toBeGreaterThan(0);
      expect(rep[side].image.bytes).toBeGreaterThan(0);
      expect(rep[side].image.layerCount).toBeGreaterThan(0);
      expect(rep[side].image.largestLayers.length).toBeGreaterThan(0);
      expect(rep[side].image.exposedPorts).toEqual(['3000/tcp']);
      expect(rep[side].probe).toMatchObject({ kind: 'http', answered: true, status: 200 });
      expect(rep[side].rebuild).toBeUndefined();
    }
    expect(rep.rewritten.image.root).toBe(false);
    expect(rep.ratio).toBeGreaterThanOrEqual(5);
    expect(rep.leftBehind).toEqual({ containers: [], images: [], dangling: [] });
    expect(leftWithLabel(`${VERIFY_LABEL}=${rep.runId}`)).toEqual({ containers: [], images: [] });
    expect(r.err).toContain('dockerize-optimize verify: building the original');
    expect(listing(dir)).toEqual(before);
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfileBefore);
  });

  test('the table on stdout', async () => {
    const r = await run(['verify', '--no-rebuild', 'test/e2e/fixtures/node-cli']);
    expect(r.code).toBe(0);
    for (const row of ['image size', 'layers', 'largest layers', 'user', 'exposed ports', 'env keys', 'entrypoint', 'cmd', 'build', 'probe (command)']) expect(r.out).toMatch(new RegExp(`^  ${row.replace(/[()]/g, '\\$&')}\\s`, 'm'));
    expect(r.out).toMatch(/image size\s+\S+ [kMG]B\s+\S+ [kMG]B \([\d.]+x smaller\)/);
    expect(r.out).toContain('result: OK');
  });
});
