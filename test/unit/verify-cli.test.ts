/**
 * `dockerize-optimize verify` paths that need no Docker engine: no engine reachable (exit 2, a clear
 * message), a bad verify config (exit 2, names the file), a declined rewrite (nothing to verify).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeFile } from '../../src/api';
import { main } from '../../src/cli/main';

const examples = path.resolve(__dirname, '../../examples');
const tmpDirs: string[] = [];
const savedDocker = process.env.DOCKER;
afterEach(() => {
  if (savedDocker === undefined) delete process.env.DOCKER;
  else process.env.DOCKER = savedDocker;
});
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function copyExample(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-verify-cli-'));
  tmpDirs.push(dir);
  fs.cpSync(path.join(examples, name), dir, { recursive: true });
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd: process.cwd() });
  return { code, out, err };
}

test('no Docker engine: exit 2, "no Docker engine reachable" with the reason, nothing written', async () => {
  const dir = copyExample('node-express');
  const before = snapshot(dir);
  process.env.DOCKER = path.join(dir, 'no-such-docker');
  const r = await run(['verify', dir]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(`dockerize-optimize: no Docker engine reachable: ${path.join(dir, 'no-such-docker')} version:`);
  expect(r.out).toBe('');
  expect(snapshot(dir)).toEqual(before);
});

test('an engine that does not answer is reported the same way', async () => {
  const dir = copyExample('node-express');
  process.env.DOCKER = '/bin/false';
  const r = await run(['verify', dir]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('no Docker engine reachable: /bin/false version: exit 1');
});

test('a bad verify section: exit 2 naming the config file, before any build', async () => {
  const dir = copyExample('node-express');
  fs.writeFileSync(path.join(dir, '.dockerize-optimizerc.json'), JSON.stringify({ verify: { probe: { port: 'http' } } }));
  process.env.DOCKER = '/bin/false';
  const r = await run(['verify', dir]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(`${path.join(dir, '.dockerize-optimizerc.json')}: verify.probe.port must be a port number (1-65535)`);
  expect(r.err).not.toContain('no Docker engine');
});

test('a Dockerfile the tool does not rewrite is reported as skipped, exit 0', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-verify-cli-'));
  tmpDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY app /app\nUSER 1000\nCMD ["/app"]\n');
  // The .dockerignore the tool would propose is already there, so nothing at all is rewritten.
  const first = optimizeFile(path.join(dir, 'Dockerfile'));
  expect(first.output).toBe(first.original);
  for (const sf of first.sideFiles) fs.writeFileSync(sf.path, sf.output);
  expect(optimizeFile(path.join(dir, 'Dockerfile')).changed).toBe(false);
  process.env.DOCKER = '/bin/false';
  const r = await run(['verify', dir]);
  expect(r.err).toBe('');
  expect(r.out).toContain('skipped: nothing rewritten');
  expect(r.code).toBe(0);
});

test('an already rewritten app (the tool\'s own output and .dockerignore) has nothing to verify', async () => {
  const dir = copyExample('node-express');
  expect((await run(['--write', dir])).code).toBe(0);
  process.env.DOCKER = '/bin/false';
  const r = await run(['verify', dir]);
  expect(r.err).toBe('');
  expect(r.out).toContain('skipped: nothing rewritten');
  expect(r.code).toBe(0);
});

test('--json without an engine still exits 2 and prints no report', async () => {
  const dir = copyExample('node-express');
  process.env.DOCKER = '/bin/false';
  const r = await run(['verify', '--json', '--no-rebuild', dir]);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
});
