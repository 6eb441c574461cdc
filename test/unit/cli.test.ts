/**
 * The command line end to end (in process): dry run, --check, --write, --json, --explain, exit codes,
 * and bad input that must leave the file byte-for-byte as it was.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

const example = path.resolve(__dirname, '../../examples/node-express');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-cli-'));
  tmpDirs.push(dir);
  fs.cpSync(example, dir, { recursive: true });
  return dir;
}

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd });
  return { code, out, err };
}

test('dry run prints a plain unified diff naming the file and writes nothing', async () => {
  const dir = copyExample();
  const before = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const r = await run([dir]);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`--- a/${path.relative(process.cwd(), path.join(dir, 'Dockerfile'))}`);
  expect(r.out).toContain('+FROM gcr.io/distroless/nodejs20-debian13:nonroot AS runtime');
  expect(r.out).not.toMatch(/\u001b\[/);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(before);
  expect(fs.existsSync(path.join(dir, '.dockerignore'))).toBe(false);
});

test('--check exits 1 before --write and 0 after; a second run changes nothing', async () => {
  const dir = copyExample();
  expect((await run(['--check', dir])).code).toBe(1);
  const mode = 0o640;
  fs.chmodSync(path.join(dir, 'Dockerfile'), mode);
  const w = await run(['--write', dir]);
  expect(w.code).toBe(0);
  expect(fs.statSync(path.join(dir, 'Dockerfile')).mode & 0o777).toBe(mode);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain('AS runtime');
  expect(fs.existsSync(path.join(dir, '.dockerignore'))).toBe(true);
  const again = await run(['--check', dir]);
  expect(again.code).toBe(0);
  expect(again.out).toBe('');
});

test('--json carries the stack, the changes with rule ids and the new text', async () => {
  const dir = copyExample();
  const r = await run(['--json', path.join(dir, 'Dockerfile')]);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out);
  const file = report.files[0];
  expect(file.stack).toBe('node');
  expect(file.changes.map((c: { ruleId: string }) => c.ruleId)).toEqual(expect.arrayContaining(['NODE-STAGES', 'NODE-CMD', 'NODE-NONROOT']));
  expect(file.output).toContain('AS runtime');
});

test('--explain prints a rule id and a reason for every change', async () => {
  const dir = copyExample();
  const r = await run(['--explain', dir]);
  expect(r.out).toMatch(/NODE-CMD \(line 15\): 'npm start' runs as 'node server.js'/);
  expect(r.out).toMatch(/NODE-NONROOT: runs as the distroless nonroot user/);
});

test('an unknown instruction: exit 2, Dockerfile:LINE named, file unchanged even with --write', async () => {
  const dir = copyExample();
  const file = path.join(dir, 'Dockerfile');
  const bad = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUNN npm ci\nCMD ["node", "server.js"]\r\n';
  fs.writeFileSync(file, bad);
  const r = await run(['--write', file]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(`${file}:4`);
  expect(r.err).toMatch(/RUNN/);
  expect(fs.readFileSync(file, 'utf8')).toBe(bad);
  expect(fs.existsSync(path.join(dir, '.dockerignore'))).toBe(false);
});

test.each([
  ['an empty file', ''],
  ['a binary file', '\u0000\u0001\u0002ELF\u0000'],
  ['not a Dockerfile', 'just some notes\nabout things\n'],
])('%s is bad input (exit 2) and stays as it was', async (_name, text) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-cli-bad-'));
  tmpDirs.push(dir);
  const file = path.join(dir, 'Dockerfile');
  fs.writeFileSync(file, text);
  const r = await run(['--write', file]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(file);
  expect(fs.readFileSync(file, 'utf8')).toBe(text);
});

test('usage errors exit 2; --help and --version exit 0', async () => {
  expect((await run(['--runtime', 'nonsense'])).code).toBe(2);
  expect((await run(['--no-such-flag'])).code).toBe(2);
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('--write');
  expect(help.out).toContain('Examples:');
  const v = await run(['--version']);
  expect(v.code).toBe(0);
});

test('a directory with no Dockerfile is an error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-cli-none-'));
  tmpDirs.push(dir);
  const r = await run([dir]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/no Dockerfile found/);
});

test('config in package.json sets defaults; JavaScript config files are never loaded', async () => {
  const dir = copyExample();
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pkg['dockerize-optimize'] = { runtime: 'slim' };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  const marker = path.join(dir, 'ran');
  fs.writeFileSync(path.join(dir, 'dockerize-optimize.config.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, '1'); module.exports = { runtime: 'alpine' };`);
  const r = await run(['--json', '.'], dir);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out).files[0].runtimeBase).toBe('node:20-slim');
  expect(fs.existsSync(marker)).toBe(false);
});
