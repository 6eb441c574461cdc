/**
 * The pure parts of verify: config schema, BuildKit step counting, history parsing, the root check,
 * the verdict, the touch-file choice and the table. The Docker runs are in test/e2e.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildErrorTail, countSteps, pickTouchFile, prepareContexts, touchSource } from '../../src/verify/build';
import { compareProbes, declaredEnvKeys, judge, logExcerpt, Side } from '../../src/verify/compare';
import { parseVerifyConfig, loadVerifyConfig, VerifyConfigError } from '../../src/verify/config';
import { dockerBinary, lacksBuildKit } from '../../src/verify/docker';
import { factsFromInspect, ImageFacts, isRootUser, parseHistory, shortCreatedBy } from '../../src/verify/inspect';
import type { CommandProbeResult, HttpProbeResult } from '../../src/verify/probe';
import { formatTable, formatVerifyTable, humanBytes } from '../../src/verify/table';
import type { VerifyReport } from '../../src/verify';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-verify-unit-'));
  tmpDirs.push(d);
  return d;
}

describe('parseVerifyConfig', () => {
  test('no verify section: probe chosen from the image, rebuild on', () => {
    expect(parseVerifyConfig(undefined)).toEqual({ probe: { kind: 'auto', path: '/', timeoutSeconds: 60, env: {} }, rebuild: true });
  });

  test('the examples\' HTTP probe', () => {
    const c = parseVerifyConfig({ probe: { port: 3000, path: '/api/health', expectStatus: 200 }, minRatio: 5 });
    expect(c).toEqual({ probe: { kind: 'http', port: 3000, path: '/api/health', expectStatus: 200, compareBody: true, timeoutSeconds: 60, env: {} }, minRatio: 5, rebuild: true });
  });

  test('a command probe, with arguments, env and timeout', () => {
    expect(parseVerifyConfig({ probe: { command: ['--version'], env: { A: 'b' }, timeoutSeconds: 10 }, rebuild: false, touch: 'src/x.js' })).toEqual({
      probe: { kind: 'command', args: ['--version'], timeoutSeconds: 10, env: { A: 'b' } },
      rebuild: false,
      touch: 'src/x.js',
    });
    expect(parseVerifyConfig({ probe: { command: true } }).probe).toEqual({ kind: 'command', args: [], timeoutSeconds: 60, env: {} });
  });

  test('build args for both builds', () => {
    expect(parseVerifyConfig({ buildArgs: { NODE_VERSION: '20' } }).buildArgs).toEqual({ NODE_VERSION: '20' });
  });

  test.each([
    [{ buildArgs: { V: 20 } }, 'verify.buildArgs.V must be a string under a valid ARG name'],
    [[], 'verify must be an object'],
    [{ probes: {} }, 'verify.probes is not a known setting'],
    [{ probe: { port: '3000' } }, 'verify.probe.port must be a port number'],
    [{ probe: { port: 70000 } }, 'verify.probe.port must be a port number'],
    [{ probe: { path: 'health' } }, 'verify.probe.path must be a string starting with /'],
    [{ probe: { expectStatus: 42 } }, 'verify.probe.expectStatus must be an HTTP status'],
    [{ probe: { command: 'yes' } }, 'verify.probe.command must be true or an array of strings'],
    [{ probe: { command: true, port: 80 } }, 'verify.probe.port does not apply to a command probe'],
    [{ probe: { timeoutSeconds: 0 } }, 'verify.probe.timeoutSeconds must be'],
    [{ probe: { env: { 'A-B': 'x' } } }, 'verify.probe.env.A-B must be a string'],
    [{ minRatio: -1 }, 'verify.minRatio must be a positive number'],
    [{ touch: '../outside.js' }, 'verify.touch must be a relative path inside the build context'],
  ])('rejects %j', (raw, msg) => {
    expect(() => parseVerifyConfig(raw, 'x/.dockerize-optimizerc.json')).toThrow(VerifyConfigError);
    expect(() => parseVerifyConfig(raw, 'x/.dockerize-optimizerc.json')).toThrow(`x/.dockerize-optimizerc.json: ${msg}`);
  });

  test('every bundled example config parses and loads from the Dockerfile folder', () => {
    const examples = path.resolve(__dirname, '../../examples');
    for (const name of fs.readdirSync(examples)) {
      const dir = path.join(examples, name);
      if (!fs.existsSync(path.join(dir, '.dockerize-optimizerc.json'))) continue;
      const { config, file } = loadVerifyConfig(dir);
      expect(file).toBe(path.join(dir, '.dockerize-optimizerc.json'));
      const raw = JSON.parse(fs.readFileSync(file!, 'utf8')).verify;
      expect(config.probe.kind).toBe(raw.probe.command ? 'command' : 'http');
      expect(config.minRatio).toBe(raw.minRatio);
    }
  });
});

describe('countSteps', () => {
  const log = [
    '#1 [internal] load build definition from Dockerfile',
    '#1 DONE 0.0s',
    '#5 [deps 1/4] FROM docker.io/library/node:20',
    '#5 CACHED',
    '#6 [deps 2/4] WORKDIR /app',
    '#6 CACHED',
    '#7 [deps 3/4] COPY package.json package-lock.json ./',
    '#7 CACHED',
    '#8 [deps 4/4] RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev',
    '#8 DONE 3.1s',
    '#9 [runtime 2/3] COPY --from=deps /app/node_modules ./node_modules',
    '#9 DONE 0.2s',
    '#10 [3/3] COPY . .',
    '#10 CACHED',
  ].join('\n');
  test('counts stage steps except FROM, and the cached ones', () => {
    expect(countSteps(log)).toEqual({ steps: 5, cached: 3 });
  });
  test('an empty log has no steps', () => {
    expect(countSteps('')).toEqual({ steps: 0, cached: 0 });
  });
  test('a client without BuildKit is recognised from its build log', () => {
    expect(lacksBuildKit('ERROR: BuildKit is enabled but the buildx component is missing or broken.\n       Install the buildx component')).toBe(true);
    expect(lacksBuildKit('#8 ERROR: process "/bin/sh -c npm ci" did not complete successfully')).toBe(false);
    expect(lacksBuildKit(undefined)).toBe(false);
  });
  test('buildErrorTail keeps the lines around the error', () => {
    const tail = buildErrorTail(['#1 a', '#2 b', '#8 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1', '------', 'failed to solve: x'].join('\n'));
    expect(tail).toContain('ERROR: process');
    expect(tail).toContain('failed to solve');
  });
});

test('the docker client: $DOCKER, else /usr/bin/docker, else docker on PATH', () => {
  expect(dockerBinary({ DOCKER: '/opt/docker' })).toBe('/opt/docker');
  expect(dockerBinary({})).toBe(fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');
});

describe('image facts', () => {
  test.each([
    ['', true],
    ['root', true],
    ['0', true],
    ['0:0', true],
    ['root:staff', true],
    [' 0 ', true],
    ['65532:65532', false],
    ['nonroot', false],
    ['node', false],
    ['1000', false],
  ])('isRootUser(%j) = %s', (u, root) => {
    expect(isRootUser(u)).toBe(root);
  });

  test('parseHistory reads bytes and the creating command; factsFromInspect sorts the largest layers', () => {
    const h = parseHistory('0\tCMD ["server.js"]\n99000000\tADD nodejs.tar / # buildkit\n12800000\tRUN |1 A=b /bin/sh -c apt-get install -y x # buildkit\n\nnot-a-number\tx\n');
    expect(h).toEqual([
      { bytes: 0, createdBy: 'CMD ["server.js"]' },
      { bytes: 99000000, createdBy: 'ADD nodejs.tar / # buildkit' },
      { bytes: 12800000, createdBy: 'RUN |1 A=b /bin/sh -c apt-get install -y x # buildkit' },
    ]);
    const f = factsFromInspect(
      { Id: 'sha256:1', Size: 126000000, RootFS: { Layers: ['a', 'b', 'c'] }, Config: { User: '65532:65532', ExposedPorts: { '3000/tcp': {}, '2000/udp': {} }, Env: ['PATH=/x', 'NODE_ENV=production'], Entrypoint: ['/nodejs/bin/node'], Cmd: ['server.js'], WorkingDir: '/app' } },
      h,
    );
    expect(f).toEqual({
      id: 'sha256:1',
      bytes: 126000000,
      layerCount: 3,
      largestLayers: [h[1], h[2]],
      user: '65532:65532',
      root: false,
      exposedPorts: ['2000/udp', '3000/tcp'],
      envKeys: ['NODE_ENV', 'PATH'],
      entrypoint: ['/nodejs/bin/node'],
      cmd: ['server.js'],
      workdir: '/app',
    });
    expect(factsFromInspect({ Config: {} }, []).root).toBe(true);
  });

  test('shortCreatedBy drops shell and BuildKit noise', () => {
    expect(shortCreatedBy('RUN |1 A=b /bin/sh -c apt-get install -y x # buildkit')).toBe('RUN apt-get install -y x');
    expect(shortCreatedBy('/bin/sh -c #(nop)  CMD ["node"]')).toBe('CMD ["node"]');
    expect(shortCreatedBy('RUN /bin/sh -c set -ex; apt-get update', 12)).toBe('RUN set -ex…');
  });

  test('declaredEnvKeys: ENV of the final stage and the stages it builds on, not of other stages', () => {
    const text = 'FROM node:20 AS build\nENV BUILD_ONLY=1\nFROM node:20-slim AS base\nENV A=1 B="x y"\nFROM base\nENV C 3\nENV D=4\n';
    expect(declaredEnvKeys(text)).toEqual(['A', 'B', 'C', 'D']);
    expect(declaredEnvKeys('FROM node:20\nCMD ["node"]\n')).toEqual([]);
  });
});

function image(over: Partial<ImageFacts> = {}): ImageFacts {
  return { id: 'x', bytes: 1_000_000_000, layerCount: 10, largestLayers: [], user: '', root: true, exposedPorts: ['3000/tcp'], envKeys: ['NODE_ENV', 'NODE_VERSION', 'PATH'], entrypoint: null, cmd: ['npm', 'start'], workdir: '/app', ...over };
}
const built = { ok: true, seconds: 1, steps: 3, cachedSteps: 0 };
const http = (over: Partial<HttpProbeResult> = {}): HttpProbeResult => ({ kind: 'http', port: 3000, path: '/', answered: true, status: 200, body: 'hello', bodyBytes: 5, seconds: 1, ...over });
const cmd = (over: Partial<CommandProbeResult> = {}): CommandProbeResult => ({ kind: 'command', args: [], exitCode: 0, stdout: 'out\n', timedOut: false, seconds: 1, ...over });

describe('judge', () => {
  const orig: Side = { build: built, image: image(), probe: http() };
  const good: Side = { build: built, image: image({ bytes: 100_000_000, user: '65532:65532', root: false, envKeys: ['NODE_ENV', 'PATH'] }), probe: http() };

  test('a good rewrite passes, with the ratio and a note for inherited env keys', () => {
    const v = judge(orig, good, { expectStatus: 200, minRatio: 5, declaredEnv: ['NODE_ENV'] });
    expect(v).toEqual({ ok: true, problems: [], ratio: 10, notes: ['env keys of the original base image not in the rewritten one: NODE_VERSION'] });
  });

  test('a rewrite that does not build fails with the build error', () => {
    const v = judge(orig, { build: { ...built, ok: false, error: 'COPY failed: file not found' } });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(['the rewritten Dockerfile does not build: COPY failed: file not found']);
  });

  test.each<[string, Side, string]>([
    ['root', { ...good, image: { ...good.image!, user: '', root: true } }, 'the rewritten image runs as root (USER "")'],
    ['no answer', { ...good, probe: http({ answered: false, status: undefined, body: undefined, error: 'the container exited (code 1)', logs: "Error: Cannot find module '/app/server.js'" }) }, "rewritten container did not answer GET / on port 3000: the container exited (code 1)\n    logs: Error: Cannot find module '/app/server.js'"],
    ['other status', { ...good, probe: http({ status: 404 }) }, 'rewritten container answered GET / with 404, expected 200'],
    ['other body', { ...good, probe: http({ body: 'hellO' }) }, 'GET /: bodies differ at byte 4 (5 vs 5 chars): original "hello", rewritten "hellO"'],
    ['lost port', { ...good, image: { ...good.image!, exposedPorts: [] } }, 'the rewritten image does not expose 3000/tcp'],
    ['too big', { ...good, image: { ...good.image!, bytes: 400_000_000 } }, 'the rewritten image is 2.5x smaller, below minRatio 5'],
    ['lost declared env', { ...good, image: { ...good.image!, envKeys: ['PATH'] } }, 'the rewritten image lost ENV NODE_ENV that the original Dockerfile sets'],
  ])('fails on %s', (_name, next, problem) => {
    const v = judge(orig, next, { expectStatus: 200, minRatio: 5, declaredEnv: ['NODE_ENV'] });
    expect(v.ok).toBe(false);
    expect(v.problems).toContain(problem);
  });

  test('minRatio is only a note when the multi-stage rewrite was declined', () => {
    const v = judge(orig, { ...good, image: { ...good.image!, bytes: 900_000_000 } }, { minRatio: 5, declined: 'no supported stack' });
    expect(v.ok).toBe(true);
    expect(v.notes.join('\n')).toContain('below minRatio 5 (the multi-stage rewrite was declined: no supported stack)');
  });

  test('logExcerpt keeps the first error line and the last lines', () => {
    const node = ['node:internal/modules/cjs/loader:1228', '  throw err;', '  ^', '', "Error: Cannot find module '/app/server.js'", '    at Module._resolveFilename', '    at Module._load', '  code: \'MODULE_NOT_FOUND\',', '  requireStack: []', '}', '', 'Node.js v20.20.2'].join('\n');
    expect(logExcerpt(node)).toBe("Error: Cannot find module '/app/server.js'\n    ...\n      requireStack: []\n    }\n    Node.js v20.20.2");
    expect(logExcerpt('a\nb')).toBe('a\n    b');
  });

  test('status differences fail even without expectStatus; compareBody false ignores bodies', () => {
    expect(compareProbes(http(), http({ status: 500 })).problems).toEqual(['GET /: original answered 200, rewritten 500']);
    expect(compareProbes(http(), http({ body: 'other' }), undefined, false).problems).toEqual([]);
  });

  test('an original that does not answer is a note, not a failure of the rewrite', () => {
    const r = compareProbes(http({ answered: false, error: 'no HTTP answer' }), http());
    expect(r.problems).toEqual([]);
    expect(r.notes[0]).toContain('the original did not answer');
  });

  test('command probes compare exit code and stdout', () => {
    expect(compareProbes(cmd(), cmd()).problems).toEqual([]);
    expect(compareProbes(cmd(), cmd({ exitCode: 1, logs: 'boom' })).problems).toEqual(['exit code: original 0, rewritten 1\n    logs: boom']);
    expect(compareProbes(cmd(), cmd({ stdout: 'other\n' })).problems[0]).toMatch(/^stdout: bodies differ at byte 1 \(4 vs 6 chars\)/);
    expect(compareProbes(cmd(), cmd({ error: 'docker run exited 127: exec: "sh": not found' })).problems).toEqual(['rewritten container did not run: docker run exited 127: exec: "sh": not found']);
    const both = compareProbes(cmd({ timedOut: true, exitCode: null }), cmd({ timedOut: true, exitCode: null }));
    expect(both.problems).toEqual([]);
    expect(both.notes[0]).toMatch(/^both containers were still running after the wait/);
  });
});

describe('temp contexts and the touched file', () => {
  test('prepareContexts copies the context twice, writes the rewrite and side files only into the rewritten copy', () => {
    const ctx = tmp();
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM node:20\n');
    fs.mkdirSync(path.join(ctx, 'src'));
    fs.writeFileSync(path.join(ctx, 'src', 'app.js'), 'console.log(1)\n');
    const out = tmp();
    const p = prepareContexts(out, { dockerfile: path.join(ctx, 'Dockerfile'), context: ctx, original: 'FROM node:20\n', rewritten: 'FROM node:20 AS b\n', sideFiles: [{ relPath: '.dockerignore', content: 'node_modules\n' }] });
    expect(fs.readFileSync(p.orig.dockerfile, 'utf8')).toBe('FROM node:20\n');
    expect(fs.readFileSync(p.rewritten.dockerfile, 'utf8')).toBe('FROM node:20 AS b\n');
    expect(fs.existsSync(path.join(p.orig.context, '.dockerignore'))).toBe(false);
    expect(fs.readFileSync(path.join(p.rewritten.context, '.dockerignore'), 'utf8')).toBe('node_modules\n');
    expect(fs.readFileSync(path.join(p.rewritten.context, 'src', 'app.js'), 'utf8')).toBe('console.log(1)\n');
    // The user's files are untouched.
    expect(fs.readdirSync(ctx).sort()).toEqual(['Dockerfile', 'src']);
    expect(() => prepareContexts(tmp(), { dockerfile: path.join(ctx, 'Dockerfile'), context: ctx, original: '', rewritten: '', sideFiles: [{ relPath: '../evil', content: '' }] })).toThrow('outside the build context');
  });

  test('pickTouchFile prefers the shallowest source file outside dependency, test and config files', () => {
    const ctx = tmp();
    for (const f of ['node_modules/x/index.js', 'test/a.test.js', 'next.config.js', 'jest.config.ts', 'src/server.ts', 'src/types.d.ts', 'src/deep/z.ts', 'go/main.go']) {
      fs.mkdirSync(path.dirname(path.join(ctx, f)), { recursive: true });
      fs.writeFileSync(path.join(ctx, f), '');
    }
    expect(pickTouchFile(ctx, 'node')).toBe('src/server.ts');
    expect(pickTouchFile(ctx, 'go')).toBe('go/main.go');
    expect(pickTouchFile(ctx, 'python')).toBeNull();
    fs.writeFileSync(path.join(ctx, 'index.js'), 'x');
    expect(pickTouchFile(ctx, 'node')).toBe('index.js');
  });

  test('touchSource appends a comment in the file\'s language', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'a.py'), 'print(1)');
    fs.writeFileSync(path.join(d, 'a.js'), 'x()\n');
    touchSource(path.join(d, 'a.py'));
    touchSource(path.join(d, 'a.js'));
    expect(fs.readFileSync(path.join(d, 'a.py'), 'utf8')).toBe('print(1)\n# dockerize-optimize verify: rebuild probe\n');
    expect(fs.readFileSync(path.join(d, 'a.js'), 'utf8')).toBe('x()\n// dockerize-optimize verify: rebuild probe\n');
  });
});

describe('table', () => {
  test('humanBytes', () => {
    expect([humanBytes(undefined), humanBytes(999), humanBytes(1500), humanBytes(126_000_000), humanBytes(1_297_500_000)]).toEqual(['-', '999 B', '1.5 kB', '126 MB', '1.3 GB']);
  });

  test('formatTable pads columns and clips long cells', () => {
    expect(formatTable([['a', 'xx', 'y'], ['long label', 'abcdefghij', 'z']], ['', 'orig', 'new'], 6)).toBe(['            orig    new', '----------  ------  ---', 'a           xx      y', 'long label  abcde…  z'].join('\n'));
  });

  const base: VerifyReport = {
    dockerfile: '/x/Dockerfile',
    context: '/x',
    runId: 'abc',
    label: 'dockerize-optimize.verify=abc',
    runtimeBase: 'gcr.io/distroless/nodejs20-debian13:nonroot',
    ok: true,
    problems: [],
    notes: [],
    configFile: null,
    probe: { kind: 'http', port: 3000, path: '/' },
    ratio: 10,
    original: { build: built, image: image(), probe: http(), rebuild: { ...built, seconds: 30, touched: 'server.js' } },
    rewritten: { build: { ...built, steps: 6, cachedSteps: 1 }, image: image({ bytes: 100_000_000, user: '65532:65532', root: false, envKeys: ['NODE_ENV', 'PATH', 'SSL_CERT_FILE'], entrypoint: ['/nodejs/bin/node'], cmd: ['server.js'], largestLayers: [{ bytes: 99_000_000, createdBy: 'ADD nodejs.tar / # buildkit' }] }), probe: http(), rebuild: { ...built, seconds: 0.2, steps: 6, cachedSteps: 5, touched: 'server.js' } },
  };

  test('formatVerifyTable shows every figure side by side and the verdict', () => {
    const t = formatVerifyTable(base);
    expect(t).toContain('/x/Dockerfile  ->  gcr.io/distroless/nodejs20-debian13:nonroot');
    expect(t).toMatch(/image size\s+1\.0 GB\s+100 MB \(10x smaller\)/);
    expect(t).toMatch(/largest layers\s+99\.0 MB ADD nodejs\.tar \//);
    expect(t).toMatch(/user\s+\(none\) = root\s+65532:65532/);
    expect(t).toMatch(/exposed ports\s+3000\/tcp\s+3000\/tcp/);
    expect(t).toMatch(/env keys\s+3\s+3 \(-NODE_VERSION \+SSL_CERT_FILE\)/);
    expect(t).toMatch(/cmd\s+npm start\s+server\.js/);
    expect(t).toMatch(/rebuild \(touch server\.js\)\s+30 s \(0\/3 steps cached\)\s+0\.2 s \(5\/6 steps cached\)/);
    expect(t).toMatch(/probe GET \/ :3000\s+200, 5 B after 1 s\s+200, 5 B after 1 s/);
    expect(t.trimEnd().endsWith('result: OK')).toBe(true);
  });

  test('a failed report lists every problem; a skipped one says why', () => {
    const t = formatVerifyTable({ ...base, ok: false, problems: ['the rewritten image runs as root (USER "")', 'the rewritten image does not expose 3000/tcp'] });
    expect(t).toContain('FAILED: the rewritten image runs as root (USER "")\n  FAILED: the rewritten image does not expose 3000/tcp');
    expect(t).not.toContain('result: OK');
    expect(formatVerifyTable({ ...base, skipped: 'nothing rewritten: no supported stack' })).toBe('/x/Dockerfile  ->  gcr.io/distroless/nodejs20-debian13:nonroot\n  skipped: nothing rewritten: no supported stack\n');
  });
});
