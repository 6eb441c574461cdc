/**
 * --cache: a kept plan is reused only while the Dockerfile, the options, the tool and everything its
 * planning read from the build context are unchanged; the reports of cached runs are the same as those
 * of runs without the cache.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as api from '../../src/api';
import { defaultCacheFile, ResultCache } from '../../src/cache';
import { discover } from '../../src/discovery';
import { BuildContext, recordDependencies, stillHolds } from '../../src/stack/context';
import { sweep } from '../../src/sweep';
import { corporaDir } from '../support/corpora';
import { writeTree as write, runCli as run } from '../support/cli';

const repoRoot = path.resolve(__dirname, '../..');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
afterEach(() => jest.restoreAllMocks());

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-cache-'));
  tmpDirs.push(dir);
  return dir;
}

/** A small repository: a Node service, a Go service, a broken Dockerfile. */
function repo(): string {
  const dir = tmp();
  write(dir, {
    'web/Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nEXPOSE 3000\nCMD ["node", "server.js"]\n',
    'web/package.json': JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { express: '^4.18.0' } }),
    'web/package-lock.json': JSON.stringify({ name: 'web', lockfileVersion: 3, requires: true, packages: { '': { name: 'web' } } }),
    'web/server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(3000);\n',
    'api/Dockerfile': 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n',
    'api/go.mod': 'module example.com/api\n\ngo 1.22\n',
    'api/main.go': 'package main\n\nfunc main() {}\n',
    'bad/Dockerfile': 'RUN echo no FROM here\n',
  });
  return dir;
}

/** Runs the CLI with the cache; counts the Dockerfiles actually planned. */
async function cached(dir: string, extra: string[] = []) {
  const spy = jest.spyOn(api, 'optimizeFile');
  const r = await run(['--format', 'json', '--cache-location', path.join(dir, '.cache'), ...extra, '.'], dir);
  const planned = spy.mock.calls.map((c) => path.relative(dir, c[0])).sort();
  spy.mockRestore();
  return { ...r, planned };
}

const plain = (dir: string, extra: string[] = []) => run(['--format', 'json', ...extra, '.'], dir);

test('a second run reuses every plan, and reports exactly what a run without the cache reports', async () => {
  const dir = repo();
  const first = await cached(dir);
  expect(first.planned).toEqual(['api/Dockerfile', 'bad/Dockerfile', 'web/Dockerfile']);
  expect(fs.existsSync(path.join(dir, '.cache'))).toBe(true);
  const second = await cached(dir);
  expect(second.planned).toEqual([]);
  // The text report says how many plans were reused.
  const text = await run(['--cache-location', path.join(dir, '.cache'), '.'], dir);
  expect(text.err).toContain('dockerize-optimize: cache: 3 of 3 plan(s) reused\n');
  const without = await plain(dir);
  expect(second.out).toBe(without.out);
  expect(first.out).toBe(without.out);
  expect(second.err).toBe(without.err);
  expect(second.code).toBe(without.code);
  expect(
    JSON.parse(second.out)
      .files.map((f: { stack: string }) => f.stack)
      .sort(),
  ).toEqual(['go', 'node']);
});

test.each<[string, (dir: string) => void, string[]]>([
  ['the Dockerfile changes', (d) => fs.appendFileSync(path.join(d, 'web/Dockerfile'), 'LABEL team=web\n'), ['web/Dockerfile']],
  [
    'a manifest it read changes',
    (d) => write(d, { 'web/package.json': JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { express: '^4.18.0' }, workspaces: ['x'] }) }),
    ['web/Dockerfile'],
  ],
  ['a file appears in its context', (d) => write(d, { 'web/yarn.lock': '# yarn lockfile v1\n' }), ['web/Dockerfile']],
  ['a file it read disappears', (d) => fs.rmSync(path.join(d, 'api/go.mod')), ['api/Dockerfile']],
  ['the broken file is mended', (d) => write(d, { 'bad/Dockerfile': 'FROM debian:12\nRUN echo mended\n' }), ['bad/Dockerfile']],
])('when %s, that Dockerfile is planned again and the report matches a fresh run', async (_what, change, again) => {
  const dir = repo();
  await cached(dir);
  change(dir);
  const next = await cached(dir);
  expect(next.planned).toEqual(again);
  const without = await plain(dir);
  expect(next.out).toBe(without.out);
  expect(next.code).toBe(without.code);
});

test('other options plan again; the cache keeps the plan of the last options', async () => {
  const dir = repo();
  await cached(dir);
  const slim = await cached(dir, ['--runtime', 'slim']);
  expect(slim.planned).toEqual(['api/Dockerfile', 'bad/Dockerfile', 'web/Dockerfile']);
  expect(slim.out).toBe((await plain(dir, ['--runtime', 'slim'])).out);
  expect((await cached(dir, ['--runtime', 'slim'])).planned).toEqual([]);
});

test('a cache written by another build of the tool, or not a cache at all, is set aside and the run goes on', async () => {
  const dir = repo();
  await cached(dir);
  const file = path.join(dir, '.cache');
  expect(ResultCache.open(file, 'another build').discarded).toBe('written by another build of the tool');
  expect(ResultCache.open(file).discarded).toBeNull();
  fs.writeFileSync(file, '{ "format": 1, "tool": ');
  expect(ResultCache.open(file).discarded).toBe('not valid JSON');
  expect((await run(['--cache-location', file, '.'], dir)).err).toContain('cache: 0 of 3 plan(s) reused (the cache file was not valid JSON: set aside)');
  fs.writeFileSync(file, '{ "format": 1, "tool": ');
  const r = await cached(dir);
  expect(r.planned).toHaveLength(3);
  expect(r.out).toBe((await plain(dir)).out);
  // The file was written again, whole.
  expect(ResultCache.open(file).discarded).toBeNull();
  expect((await cached(dir)).planned).toEqual([]);
});

test('facts are compared by content: a fresh copy of the same files (a CI checkout with a restored cache) finds its plans', async () => {
  const dir = repo();
  const first = await cached(dir);
  // Same paths are needed (the key names the Dockerfile): move the original away and copy it back.
  fs.renameSync(dir, `${dir}.moved`);
  tmpDirs.push(`${dir}.moved`);
  fs.cpSync(`${dir}.moved`, dir, { recursive: true });
  expect(fs.statSync(path.join(dir, 'web/package.json')).ino).not.toBe(fs.statSync(path.join(`${dir}.moved`, 'web/package.json')).ino);
  const again = await cached(dir);
  expect(again.planned).toEqual([]);
  expect(again.out).toBe(first.out);
  // Touching a file without changing it changes nothing either.
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(path.join(dir, 'web/package.json'), later, later);
  expect((await cached(dir)).planned).toEqual([]);
});

test('--write, then a cached --check: the rewritten files are planned again and nothing is pending', async () => {
  const dir = repo();
  expect((await cached(dir, ['--check'])).code).toBe(2); // the broken file
  fs.rmSync(path.join(dir, 'bad'), { recursive: true });
  expect((await cached(dir, ['--check'])).code).toBe(1);
  expect((await run(['--write', '.'], dir)).code).toBe(0);
  const after = await cached(dir, ['--check']);
  expect(after.planned).toEqual(['api/Dockerfile', 'web/Dockerfile']);
  expect(after.code).toBe(0);
  expect((await cached(dir, ['--check'])).planned).toEqual([]);
});

test('the configuration can ask for the cache; --no-cache overrides it; a bad setting names the file', async () => {
  const dir = repo();
  const home = tmp();
  const was = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = home;
  try {
    write(dir, { '.dockerize-optimizerc.json': JSON.stringify({ cache: true }) });
    const plainOut = (await plain(dir, ['--no-cache'])).out;
    expect(fs.existsSync(path.join(home, 'dockerize-optimize'))).toBe(false);
    expect((await plain(dir)).out).toBe(plainOut);
    // The default cache file is outside the repository, one per folder run from.
    const made = fs.readdirSync(path.join(home, 'dockerize-optimize'));
    expect(made).toEqual([path.basename(defaultCacheFile(dir))]);
    expect(made[0]).toMatch(new RegExp(`^${path.basename(dir)}-[0-9a-f]{16}\\.json$`));
    expect(defaultCacheFile(path.join(dir, 'web'))).not.toBe(defaultCacheFile(dir));
    expect(fs.readdirSync(dir)).not.toContain('.dockerize-optimize-cache');
    expect(ResultCache.open(defaultCacheFile(dir)).discarded).toBeNull();
    const spy = jest.spyOn(api, 'optimizeFile');
    expect((await plain(dir)).out).toBe(plainOut);
    expect(spy).not.toHaveBeenCalled();
    write(dir, { '.dockerize-optimizerc.json': JSON.stringify({ cacheLocation: 3 }) });
    const bad = await plain(dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('.dockerize-optimizerc.json: cache must be true or false, cacheLocation a path');
  } finally {
    if (was === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = was;
  }
});

test('what a build context reads is recorded, and each fact is checked again', () => {
  const dir = tmp();
  write(dir, { 'top.txt': 'a', 'sub/deep.txt': 'b', 'sub/more/x': 'c' });
  const ctx = new BuildContext(dir);
  const { deps } = recordDependencies(() => {
    ctx.readText('top.txt');
    ctx.readText('sub/deep.txt');
    ctx.exists('sub/missing');
    ctx.exists('absent-at-top');
    ctx.isDir('sub');
    ctx.walk('sub');
  });
  const kinds = deps.map((d) => `${d.k} ${path.relative(dir, d.p) || '.'}`).sort();
  expect(kinds).toEqual(['d sub', 'e sub/missing', 'f sub/deep.txt', 'f top.txt', 'l .', 'l sub', 'l sub/more']);
  expect(deps.every(stillHolds)).toBe(true);
  const holds = (k: string) => stillHolds(deps.find((d) => `${d.k} ${path.relative(dir, d.p) || '.'}` === k)!);
  fs.writeFileSync(path.join(dir, 'sub/deep.txt'), 'bb');
  expect(holds('f sub/deep.txt')).toBe(false);
  fs.writeFileSync(path.join(dir, 'sub/missing'), '');
  expect(holds('e sub/missing')).toBe(false);
  fs.writeFileSync(path.join(dir, 'sub/more/y'), '');
  expect(holds('l sub/more')).toBe(false);
  fs.writeFileSync(path.join(dir, 'absent-at-top'), '');
  expect(holds('l .')).toBe(false);
  fs.rmSync(path.join(dir, 'sub'), { recursive: true });
  expect(holds('d sub')).toBe(false);
  // Outside recordDependencies nothing is recorded, and a nested recording is its own.
  const outer = recordDependencies(() => {
    new BuildContext(dir).readText('top.txt');
    const inner = recordDependencies(() => new BuildContext(dir).readText('other.txt'));
    expect(inner.deps.map((d) => d.k)).toEqual(['l']);
  });
  expect(outer.deps.map((d) => d.k).sort()).toEqual(['f', 'l']);
});

describe('real Dockerfiles (../shared/corpora, read in place)', () => {
  const present = fs.existsSync(corporaDir);
  if (!present && process.env.CI === 'true') test('the corpora are present under CI', () => expect(present).toBe(true));
  (present ? test : test.skip)('a tenth of the corpora: cold and warm cached runs report what an uncached run reports', async () => {
    const all = discover([corporaDir]);
    const files = all.filter((_, i) => i % 10 === 0);
    const cacheFile = path.join(tmp(), 'cache');
    const without = await sweep(files, {}, { jobs: 1 });
    const c1 = ResultCache.open(cacheFile);
    const cold = await sweep(files, {}, { jobs: 1, cache: c1 });
    c1.save();
    expect(c1.misses).toBe(files.length);
    const c2 = ResultCache.open(cacheFile);
    const warm = await sweep(files, {}, { jobs: 1, cache: c2 });
    // Bad input is kept too: its error depends on the Dockerfile's bytes alone.
    expect(without.some((i) => !i.ok)).toBe(true);
    expect(c2.hits).toBe(files.length);
    expect(c2.misses).toBe(0);
    expect(cold).toEqual(without);
    expect(warm).toEqual(without);
  });

  const distSweep = path.join(repoRoot, 'dist/src/sweep.js');
  const built = fs.existsSync(distSweep);
  (present && built ? test : test.skip)('with 2 workers (built code) the plans are kept as in one thread', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const dist = require(distSweep) as typeof import('../../src/sweep');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const distCache = require(path.join(repoRoot, 'dist/src/cache.js')) as typeof import('../../src/cache');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const distDiscover = require(path.join(repoRoot, 'dist/src/discovery.js')) as typeof import('../../src/discovery');
    const files = distDiscover.discover([path.join(corporaDir, 'awesome-compose')]);
    const cacheFile = path.join(tmp(), 'cache');
    const inline = await dist.sweep(files, {}, { jobs: 1 });
    const c1 = distCache.ResultCache.open(cacheFile);
    expect(await dist.sweep(files, {}, { jobs: 2, cache: c1 })).toEqual(inline);
    c1.save();
    const c2 = distCache.ResultCache.open(cacheFile);
    expect(await dist.sweep(files, {}, { jobs: 2, cache: c2 })).toEqual(inline);
    expect(c2.hits).toBe(files.length);
    expect(c2.misses).toBe(0);
  });
});
