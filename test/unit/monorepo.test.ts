/**
 * Sweeping a monorepo: Dockerfiles found by name, through compose (any name, the real context, the
 * target) and through workspaces (built from the root); --exclude and .gitignore; one bad file does
 * not stop the others; --check / --write / --check over the tree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discover, goWorkUses, readComposeBuilds, Discovered } from '../../src/discovery';
import { keepComposeTargets, planOne, reconcileSharedSideFiles, sweep, TARGET_RULE } from '../../src/sweep';
import { optimizeFile } from '../../src/api';
import { writeTree as write, runCli as run } from '../support/cli';

const repoRoot = path.resolve(__dirname, '../..');
const fixture = path.join(repoRoot, 'test/fixtures/monorepo');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-mono-'));
  tmpDirs.push(dir);
  return dir;
}

/** A copy of the fixture, with the gitignored folder git itself would not keep. */
function copyFixture(): string {
  const dir = tmp();
  fs.cpSync(fixture, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'generated'));
  fs.writeFileSync(path.join(dir, 'generated/Dockerfile'), 'FROM node:20\nCMD ["node"]\n');
  return dir;
}

const rels = (dir: string, found: Discovered[]) => found.map((d) => path.relative(dir, d.file).split(path.sep).join('/'));
const byRel = (dir: string, found: Discovered[], rel: string) => found.find((d) => path.relative(dir, d.file).split(path.sep).join('/') === rel);

describe('discovery over the mixed fixture', () => {
  const dir = copyFixture();

  test('finds every service: a compose-only name, a workspace member, the bad file; skips --exclude and .gitignore', () => {
    const found = discover([dir], { exclude: ['legacy'] });
    expect(rels(dir, found)).toEqual(['apps/web/Dockerfile', 'broken/Dockerfile', 'packages/worker/Dockerfile', 'services/api/docker/Api.Dockerfile']);
    expect(rels(dir, discover([dir]))).toContain('legacy/old/Dockerfile');
    expect(rels(dir, discover([dir], { gitignore: false }))).toContain('generated/Dockerfile');
  });

  test('compose gives the real context and the target', () => {
    const found = discover([dir]);
    const api = byRel(dir, found, 'services/api/docker/Api.Dockerfile')!;
    expect(path.resolve(api.context!)).toBe(path.join(dir, 'services/api'));
    expect(api.services).toEqual([expect.objectContaining({ service: 'api', args: { NODE_ENV: 'production' } })]);
    const web = byRel(dir, found, 'apps/web/Dockerfile')!;
    expect(web.services?.[0].target).toBe('runtime');
    expect(path.resolve(web.context!)).toBe(path.join(dir, 'apps/web'));
  });

  test('a workspace member copying root paths is built from the workspace root', () => {
    const worker = byRel(dir, discover([dir]), 'packages/worker/Dockerfile')!;
    expect(path.resolve(worker.context!)).toBe(dir);
    expect(worker.contextReason).toMatch(/workspace root \(package.json workspaces\)/);
  });

  test('without compose the api Dockerfile would be planned against its own folder (so compose is what gives the context)', () => {
    const api = byRel(dir, discover([dir], { compose: false }), 'services/api/docker/Api.Dockerfile')!;
    expect(api.context).toBeUndefined();
  });

  test('a Dockerfile with any name is found when compose names it', () => {
    write(dir, { 'tools/compose.yaml': 'services:\n  t:\n    build:\n      context: .\n      dockerfile: build/prod.containerfile\n', 'tools/build/prod.containerfile': 'FROM node:20\n' });
    try {
      expect(rels(dir, discover([dir]))).toContain('tools/build/prod.containerfile');
      expect(rels(dir, discover([dir], { compose: false }))).not.toContain('tools/build/prod.containerfile');
    } finally {
      fs.rmSync(path.join(dir, 'tools'), { recursive: true });
    }
  });

  test('excluding by glob and by nested folder', () => {
    expect(rels(dir, discover([dir], { exclude: ['**/docker/**', 'packages/*'] }))).toEqual(['apps/web/Dockerfile', 'broken/Dockerfile', 'legacy/old/Dockerfile']);
    expect(rels(dir, discover([dir], { exclude: ['old'] }))).not.toContain('legacy/old/Dockerfile');
  });
});

describe('a Dockerfile named directly (as a pre-commit hook passes it)', () => {
  const dir = copyFixture();

  test('finds the compose service above it and its context', () => {
    const [api] = discover([path.join(dir, 'services/api/docker/Api.Dockerfile')], { stopAt: dir });
    expect(path.resolve(api.context!)).toBe(path.join(dir, 'services/api'));
    expect(api.contextReason).toBe('compose docker-compose.yml service api');
  });

  test('finds the workspace above it', () => {
    const [worker] = discover([path.join(dir, 'packages/worker/Dockerfile')], { stopAt: dir });
    expect(path.resolve(worker.context!)).toBe(dir);
  });

  test('does not look above the stop folder, nor at all without one', () => {
    expect(discover([path.join(dir, 'services/api/docker/Api.Dockerfile')], { stopAt: path.join(dir, 'services') })[0].context).toBeUndefined();
    expect(discover([path.join(dir, 'services/api/docker/Api.Dockerfile')])[0].context).toBeUndefined();
  });

  test('the CLI plans a named file against the context compose gives it', async () => {
    const r = await run(['--format', 'json', 'services/api/docker/Api.Dockerfile', 'packages/worker/Dockerfile'], dir);
    const report = JSON.parse(r.out);
    expect(report.files.map((f: { path: string; context: string }) => [f.path, f.context])).toEqual([
      ['services/api/docker/Api.Dockerfile', 'services/api'],
      ['packages/worker/Dockerfile', '.'],
    ]);
    expect(report.files.every((f: { changed: boolean }) => f.changed)).toBe(true);
  });
});

describe('workspace kinds', () => {
  const cases: { name: string; files: Record<string, string>; member: string; root: boolean }[] = [
    {
      name: 'pnpm-workspace.yaml, COPY of the member path from the root',
      files: { 'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n', 'pnpm-lock.yaml': '', 'apps/a/package.json': '{}', 'apps/a/Dockerfile': 'FROM node:20\nCOPY pnpm-lock.yaml ./\nCOPY apps/a ./apps/a\nCMD ["node","apps/a"]\n' },
      member: 'apps/a/Dockerfile',
      root: true,
    },
    {
      name: 'go.work block form',
      files: { 'go.work': 'go 1.22\n\nuse (\n\t./svc/api // the api\n\t./lib\n)\n', 'svc/api/go.mod': 'module x\n', 'lib/go.mod': 'module lib\n', 'svc/api/Dockerfile': 'FROM golang:1.22\nCOPY go.work ./\nCOPY svc/api ./svc/api\nCOPY lib ./lib\n' },
      member: 'svc/api/Dockerfile',
      root: true,
    },
    {
      name: 'cargo [workspace] members',
      files: { 'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\n', 'Cargo.lock': '', 'crates/app/Cargo.toml': '[package]\nname="app"\n', 'crates/app/Dockerfile': 'FROM rust:1\nCOPY Cargo.toml Cargo.lock ./\nCOPY crates ./crates\n' },
      member: 'crates/app/Dockerfile',
      root: true,
    },
    {
      name: 'a member copying only its own files keeps its folder',
      files: { 'package.json': '{"workspaces":["packages/*"]}', 'packages/b/package.json': '{}', 'packages/b/index.js': '', 'packages/b/Dockerfile': 'FROM node:20\nCOPY package.json index.js ./\n' },
      member: 'packages/b/Dockerfile',
      root: false,
    },
    {
      name: 'COPY . . keeps its folder',
      files: { 'package.json': '{"workspaces":{"packages":["packages/*"]}}', 'packages/c/package.json': '{}', 'packages/c/Dockerfile': 'FROM node:20\nCOPY . .\n' },
      member: 'packages/c/Dockerfile',
      root: false,
    },
    {
      name: 'a Dockerfile outside any member keeps its folder',
      files: { 'package.json': '{"workspaces":["packages/*"]}', 'tools/Dockerfile': 'FROM node:20\nCOPY package.json ./\n' },
      member: 'tools/Dockerfile',
      root: false,
    },
  ];
  test.each(cases)('$name', ({ files, member, root }) => {
    const dir = tmp();
    write(dir, files);
    const d = byRel(dir, discover([dir]), member)!;
    expect(d).toBeDefined();
    if (root) expect(path.resolve(d.context!)).toBe(dir);
    else expect(d.context).toBeUndefined();
  });

  test('go.work single-line and block uses', () => {
    expect(goWorkUses('go 1.22\nuse ./a\nuse (\n  "./b"\n  ./c // note\n)\nuse .\n')).toEqual(['./a', './b', './c']);
  });
});

describe('compose files', () => {
  const cases: { name: string; yaml: string; expected: { service: string; dockerfile: string; context: string; target?: string; args?: Record<string, string | null> }[] }[] = [
    { name: 'build as a string', yaml: 'services:\n  a:\n    build: ./svc\n', expected: [{ service: 'a', context: 'svc', dockerfile: 'svc/Dockerfile' }] },
    {
      name: 'context, dockerfile, target, args as a map',
      yaml: 'services:\n  a:\n    build:\n      context: ctx\n      dockerfile: ../other/X.Dockerfile\n      target: prod\n      args:\n        A: 1\n        B:\n',
      expected: [{ service: 'a', context: 'ctx', dockerfile: 'other/X.Dockerfile', target: 'prod', args: { A: '1', B: null } }],
    },
    { name: 'no context means the compose folder', yaml: 'services:\n  a:\n    build:\n      dockerfile: Dockerfile.prod\n', expected: [{ service: 'a', context: '', dockerfile: 'Dockerfile.prod' }] },
    { name: 'URL, variable and inline builds are not files', yaml: 'services:\n  a:\n    build: https://github.com/x/y.git\n  b:\n    build: ${DIR}\n  c:\n    build:\n      dockerfile_inline: FROM scratch\n  d:\n    image: nginx\n', expected: [] },
    { name: 'YAML anchors and merge keys', yaml: 'x-b: &b\n  context: s\nservices:\n  a:\n    build:\n      <<: *b\n      dockerfile: D.Dockerfile\n', expected: [{ service: 'a', context: 's', dockerfile: 's/D.Dockerfile' }] },
    { name: 'a file that is not YAML is skipped', yaml: 'services: [\n', expected: [] },
  ];
  test.each(cases)('$name', ({ yaml, expected }) => {
    const dir = tmp();
    write(dir, { 'compose.yaml': yaml });
    const got = readComposeBuilds(path.join(dir, 'compose.yaml')).map((b) => ({
      service: b.service,
      context: path.relative(dir, b.context).split(path.sep).join('/'),
      dockerfile: path.relative(dir, b.dockerfile).split(path.sep).join('/'),
      ...(b.target ? { target: b.target } : {}),
      ...(b.args ? { args: b.args } : {}),
    }));
    expect(got).toEqual(expected);
  });

  test('two services building one Dockerfile with different contexts: planned once, with a note', () => {
    const dir = tmp();
    write(dir, { 'docker-compose.yml': 'services:\n  a:\n    build: .\n  b:\n    build:\n      context: sub\n      dockerfile: ../Dockerfile\n', Dockerfile: 'FROM node:20\n', 'sub/x': '' });
    const found = discover([dir]);
    expect(found).toHaveLength(1);
    expect(found[0].services?.map((s) => s.service)).toEqual(['a', 'b']);
    expect(found[0].notes?.[0]).toMatch(/service b builds it with context sub/);
  });
});

describe('compose targets', () => {
  test('a rewrite that loses the target stage a service builds is declined', () => {
    const dir = tmp();
    fs.cpSync(path.join(fixture, 'services/api'), dir, { recursive: true });
    const file = path.join(dir, 'docker/Api.Dockerfile');
    const d: Discovered = { file, context: dir, services: [{ compose: path.join(dir, 'compose.yaml'), service: 'api', target: 'builder' }] };
    const item = planOne(d, {});
    expect(item.ok).toBe(true);
    const r = (item as { ok: true; result: import('../../src/types').FileResult }).result;
    expect(r.changed).toBe(false);
    expect(r.output).toBe(r.original);
    expect(r.findings.map((f) => f.ruleId)).toContain(TARGET_RULE);
    expect(r.skipped).toMatch(/target 'builder'/);
    // The same file without a target is rewritten, so the decline above is the target's doing.
    expect(optimizeFile(file, { context: dir }).changed).toBe(true);
  });

  test('a target the rewrite keeps leaves the rewrite alone', () => {
    const dir = tmp();
    fs.cpSync(path.join(fixture, 'services/api'), dir, { recursive: true });
    const file = path.join(dir, 'docker/Api.Dockerfile');
    const r = optimizeFile(file, { context: dir });
    const stage = /AS (\S+)\s*$/m.exec(r.output)![1];
    keepComposeTargets(r, { file, services: [{ compose: 'c.yaml', service: 'api', target: stage }] });
    expect(r.changed).toBe(true);
  });
});

describe('the sweep', () => {
  test('one bad file does not stop the others; the error names file:line and the exit code says so', async () => {
    const dir = copyFixture();
    const r = await run(['--exclude', 'legacy', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\/Dockerfile:3: unknown instruction 'RUNN'/);
    expect(r.out).toContain('+++ b/services/api/docker/Api.Dockerfile');
    expect(r.out).toContain('+++ b/packages/worker/Dockerfile');
    expect(r.err).toMatch(/4 file\(s\): 3 to change, 1 skipped, 1 failed/);
  });

  test('--check exits 1, --write, then --check exits 0 and nothing changes', async () => {
    const dir = copyFixture();
    const args = ['--exclude', 'legacy', '--exclude', 'broken'];
    expect((await run(['--check', ...args], dir)).code).toBe(1);
    expect((await run(['--write', ...args], dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'services/api/docker/Api.Dockerfile'), 'utf8')).toMatch(/AS runtime/);
    expect(fs.existsSync(path.join(dir, 'services/api/.dockerignore'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.dockerignore'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'legacy/old/Dockerfile'), 'utf8')).toBe(fs.readFileSync(path.join(fixture, 'legacy/old/Dockerfile'), 'utf8'));
    const again = await run(['--check', ...args], dir);
    expect(again.code).toBe(0);
    expect(again.out).toBe('');
  });

  test('results come back in discovery order, errors in place', async () => {
    const dir = copyFixture();
    const files = discover([dir], { exclude: ['legacy'] });
    const items = await sweep(files, {}, { jobs: 1 });
    expect(items.map((i) => (i.ok ? path.relative(dir, i.result.path) : `error ${path.relative(dir, i.error.file)}`))).toEqual([
      path.join('apps/web/Dockerfile'),
      `error ${path.join('broken/Dockerfile')}`,
      path.join('packages/worker/Dockerfile'),
      path.join('services/api/docker/Api.Dockerfile'),
    ]);
  });
});

describe('a .dockerignore shared by several Dockerfiles', () => {
  function sharedRoot(bExtra: string): string {
    const dir = tmp();
    write(dir, {
      'package.json': '{"name":"r","private":true,"workspaces":["packages/*"]}',
      'package-lock.json': '{"name":"r","lockfileVersion":3,"requires":true,"packages":{"":{"name":"r"}}}',
      '.gitignore': 'generated\n',
      'generated/data.txt': 'x\n',
      'packages/a/package.json': '{"name":"a","version":"1.0.0"}',
      'packages/a/index.js': '',
      'packages/b/package.json': '{"name":"b","version":"1.0.0"}',
      'packages/b/index.js': '',
      'packages/a/Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY packages/a ./packages/a\nRUN npm install\nCMD ["node", "packages/a/index.js"]\n',
      'packages/b/Dockerfile': `FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY packages/b ./packages/b\n${bExtra}RUN npm install\nCMD ["node", "packages/b/index.js"]\n`,
    });
    return dir;
  }

  test('keeps out only what every build can do without, is shown once, and a second run changes nothing', async () => {
    const dir = sharedRoot('COPY generated ./generated\n');
    // Alone, a's build would keep 'generated' (from .gitignore) out of the context b copies it from.
    const alone = optimizeFile(path.join(dir, 'packages/a/Dockerfile'), { context: dir });
    expect(alone.sideFiles[0].output.split('\n')).toContain('generated');
    const r = await run(['--format', 'json', '.'], dir);
    const files = JSON.parse(r.out).files;
    const outputs = files.map((f: { sideFiles: { path: string; output: string }[] }) => f.sideFiles.find((s) => s.path === '.dockerignore')!.output);
    expect(outputs[0]).toBe(outputs[1]);
    expect(outputs[0].split('\n')).not.toContain('generated');
    expect(outputs[0].split('\n')).toContain('node_modules');
    expect(files[0].findings.map((f: { ruleId: string }) => f.ruleId)).toContain('DO-IGNORE-SHARED');
    const text = await run(['.'], dir);
    expect(text.out.match(/\+\+\+ b\/\.dockerignore/g)).toHaveLength(1);
    expect((await run(['--write', '.'], dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.dockerignore'), 'utf8')).toBe(outputs[0]);
    const again = await run(['--check', '.'], dir);
    expect(again.code).toBe(0);
  });

  test.each([
    { name: 'lines only some want are dropped', a: 'x\ny\nz\n', b: 'x\nz\nw\n', original: null, expected: 'x\nz\n' },
    { name: "an unshared '!' re-include: nothing proposed", a: '*.md\n!README.md\n', b: '*.md\n', original: null, expected: undefined },
    { name: 'a shared re-include is kept', a: '*.md\n!README.md\nq\n', b: '*.md\n!README.md\n', original: null, expected: '*.md\n!README.md\n' },
    { name: 'back to the original: no side file', a: 'keep\nnew-a\n', b: 'keep\nnew-b\n', original: 'keep\n', expected: undefined },
  ])('reconciling: $name', ({ a, b, original, expected }) => {
    const base = { original: 'FROM x\n', output: 'FROM x\n', context: '/r', stack: 'unknown' as const, stagesBefore: 1, stagesAfter: 1, runtimeBase: 'x', changes: [], findings: [], changed: true };
    const ra = { ...base, path: '/r/a/Dockerfile', sideFiles: [{ path: '/r/.dockerignore', original, output: a }], findings: [] };
    const rb = { ...base, path: '/r/b/Dockerfile', sideFiles: [{ path: '/r/.dockerignore', original, output: b }], findings: [] };
    reconcileSharedSideFiles([ra, rb]);
    expect(ra.sideFiles[0]?.output).toBe(expected);
    expect(rb.sideFiles[0]?.output).toBe(expected);
    expect(ra.changed).toBe(expected !== undefined);
  });

  test('a large group names a few members and counts the rest (the finding goes to each member)', () => {
    const base = { original: 'FROM x\n', output: 'FROM x\n', context: '/r', stack: 'unknown' as const, stagesBefore: 1, stagesAfter: 1, runtimeBase: 'x', changes: [], changed: true };
    const results = Array.from({ length: 500 }, (_, n) => ({ ...base, path: `/r/d${n}/Dockerfile`, findings: [] as { message: string }[], sideFiles: [{ path: '/r/.dockerignore', original: null, output: `keep\nonly-${n}\n` }] }));
    reconcileSharedSideFiles(results);
    const messages = results.map((r) => r.findings.find((f) => (f as { ruleId?: string }).ruleId === 'DO-IGNORE-SHARED')!.message);
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toContain('shared by 500 Dockerfiles (d0/Dockerfile, d1/Dockerfile, d2/Dockerfile, d3/Dockerfile and 496 more)');
    expect(messages[0].length).toBeLessThan(300);
    expect(results.every((r) => r.sideFiles[0].output === 'keep\n')).toBe(true);
  });

  test('identical proposals are left alone', async () => {
    const dir = sharedRoot('');
    const files = JSON.parse((await run(['--format', 'json', '.'], dir)).out).files;
    expect(files[0].findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('DO-IGNORE-SHARED');
  });
});

describe('the worker pool (built code: the worker script is dist/src/sweep-worker.js)', () => {
  const distSweep = path.join(repoRoot, 'dist/src/sweep.js');
  const built = fs.existsSync(distSweep);
  if (!built && process.env.CI === 'true') test('dist is built under CI', () => expect(built).toBe(true));
  (built ? test : test.skip)('2 workers give the same results, in the same order, as one thread; progress counts every file', async () => {
    const dir = copyFixture();
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const dist = require(distSweep) as typeof import('../../src/sweep');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const distDiscover = require(path.join(repoRoot, 'dist/src/discovery.js')) as typeof import('../../src/discovery');
    const files = distDiscover.discover([dir], { exclude: ['legacy'] });
    // Repeat the files so every worker gets several batches.
    const many = Array.from({ length: 12 }, () => files).flat();
    const seen: number[] = [];
    const pooled = await dist.sweep(many, {}, { jobs: 2, onProgress: (d) => seen.push(d) });
    const inline = await dist.sweep(many, {}, { jobs: 1 });
    expect(pooled).toEqual(inline);
    expect(seen).toHaveLength(many.length);
    expect(seen[seen.length - 1]).toBe(many.length);
    expect(pooled.filter((i) => !i.ok)).toHaveLength(12);
  });
});

test('workers that die lose no file: their files are planned in this thread', async () => {
  const dir = copyFixture();
  const script = path.join(dir, 'dying-worker.js');
  fs.writeFileSync(script, "require('worker_threads').parentPort.once('message', () => process.exit(3));\n");
  const files = discover([dir], { exclude: ['legacy'] });
  const seen: number[] = [];
  const items = await sweep(files, {}, { jobs: 2, workerScript: script, onProgress: (d) => seen.push(d) });
  expect(items).toEqual(await sweep(files, {}, { jobs: 1 }));
  expect(seen[seen.length - 1]).toBe(files.length);
});

describe('a real multi-service tree (awesome-compose)', () => {
  const corpus = path.resolve(repoRoot, '../shared/corpora/awesome-compose');
  const present = fs.existsSync(corpus);
  if (!present && process.env.CI === 'true') test('the corpus is present under CI', () => expect(present).toBe(true));
  (present ? test : test.skip)('every compose service that builds is found with its context; --check, --write, --check', async () => {
    const dir = tmp();
    fs.cpSync(corpus, dir, { recursive: true });
    // The shared corpus is read-only; a checkout of one's own repository is not.
    for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) fs.chmodSync(path.join(dir, f), fs.statSync(path.join(dir, f)).isDirectory() ? 0o755 : 0o644);
    const found = discover([dir]);
    // Every service build in every compose file names a Dockerfile that was found, with its context.
    const composeFiles = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)(docker-)?compose\.ya?ml$/.test(f));
    let builds = 0;
    for (const c of composeFiles) {
      for (const b of readComposeBuilds(path.join(dir, c))) {
        builds++;
        const d = found.find((x) => path.resolve(x.file) === b.dockerfile);
        expect(d).toBeDefined();
        expect(d!.services?.some((s) => s.service === b.service)).toBe(true);
      }
    }
    expect(builds).toBeGreaterThan(30);
    // And every file named like a Dockerfile is found.
    const named = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)Dockerfile$/.test(f));
    expect(found.length).toBeGreaterThanOrEqual(named.length);
    const first = await run(['--check', '--format', 'json', '.'], dir);
    const report = JSON.parse(first.out);
    expect(report.errors).toEqual([]);
    expect(report.files).toHaveLength(found.length);
    const pending = report.files.some((f: { changed: boolean }) => f.changed);
    expect(first.code).toBe(pending ? 1 : 0);
    expect((await run(['--write', '.'], dir)).code).toBe(0);
    const after = await run(['--check', '.'], dir);
    expect(after.code).toBe(0);
    expect(after.out).toBe('');
  });
});
