/**
 * The Node.js transform: detection facts and the decisions of the rewrite, as tables of cases.
 * Each case builds a small build context in a temporary directory and runs the whole pipeline.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { BuildContext } from '../../src/stack/context';
import type { FileResult, OptimizeOptions } from '../../src/types';
import { readNextStandalone, readNodeFacts, readTsConfig } from './facts';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-node-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const pkg = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { express: '^4.21.2' }, ...extra });

function rewrite(dockerfile: string, files: Record<string, string>, opts: OptimizeOptions = {}): FileResult {
  const dir = context({ 'server.js': 'require("express")', ...files });
  return optimizeText(dockerfile, path.join(dir, 'Dockerfile'), opts);
}

/** A lockfile in sync with pkg() (express only). */
const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app', dependencies: { express: '^4.21.2' } }, 'node_modules/express': { version: '4.21.2' } } });
const NAIVE = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD ["npm", "start"]\n';

describe('package manager and lockfile', () => {
  test.each([
    ['package-lock.json', 'npm', 'npm ci --omit=dev'],
    ['npm-shrinkwrap.json', 'npm', 'npm ci --omit=dev'],
    ['yarn.lock', 'yarn1', 'yarn install --frozen-lockfile --production'],
    ['pnpm-lock.yaml', 'pnpm', 'pnpm install --frozen-lockfile --prod'],
  ])('%s -> %s, installs with %s', (lock, pm, install) => {
    const dir = context({ 'package.json': pkg(), [lock]: lock.endsWith('.json') ? LOCK : '# lock\n' });
    expect(readNodeFacts(new BuildContext(dir)).pm).toBe(pm);
    const r = optimizeText(NAIVE, path.join(dir, 'Dockerfile'));
    expect(r.output).toContain(install);
    expect(r.output).toContain(`COPY package.json ${lock} ./`);
  });

  test('yarn berry is told from yarn 1 by the lockfile metadata', () => {
    const dir = context({ 'package.json': pkg(), 'yarn.lock': '__metadata:\n  version: 8\n', '.yarnrc.yml': 'nodeLinker: node-modules\n' });
    const facts = readNodeFacts(new BuildContext(dir));
    expect(facts.pm).toBe('yarn-berry');
    expect(facts.manifests).toContain('.yarnrc.yml');
  });

  test('without a lockfile the install is kept and a finding asks for one', () => {
    const r = rewrite(NAIVE, { 'package.json': pkg() });
    expect(r.findings.some((f) => /no lockfile/.test(f.message))).toBe(true);
    expect(r.output).not.toContain('npm ci');
  });
});

describe('TypeScript outDir through extends, read as syntax', () => {
  test('outDir and rootDir come from the extended config, comments and trailing commas allowed', () => {
    const dir = context({
      'tsconfig.base.json': '{\n // shared\n "compilerOptions": { "outDir": "./build/out", "rootDir": "lib", },\n}\n',
      'tsconfig.json': '{ "extends": "./tsconfig.base.json", "include": ["lib"] }',
    });
    const info = readTsConfig(new BuildContext(dir), 'tsconfig.json');
    expect(info.outDir).toBe('build/out');
    expect(info.rootDirs).toContain('lib');
  });

  test('the local outDir wins over the extended one', () => {
    const dir = context({
      'base.json': '{ "compilerOptions": { "outDir": "a" } }',
      'tsconfig.json': '{ "extends": "./base.json", "compilerOptions": { "outDir": "b" } }',
    });
    expect(readTsConfig(new BuildContext(dir), 'tsconfig.json').outDir).toBe('b');
  });
});

describe('Next.js standalone is read from the syntax tree', () => {
  test.each([
    ["module.exports = { output: 'standalone' }", true],
    ['const c = { reactStrictMode: true, output: "standalone" };\nmodule.exports = c;', true],
    ["export default withBundleAnalyzer({ output: 'standalone' })", true],
    ["import type { NextConfig } from 'next';\nconst config: NextConfig = { output: 'standalone' };\nexport default config;", true],
    ["module.exports = { output: 'export' }", false],
    ["// output: 'standalone'\nmodule.exports = {}", false],
    ["module.exports = { output: process.env.STANDALONE ? 'standalone' : undefined }", false],
  ])('%s -> %s', (text, expected) => {
    expect(readNextStandalone(text, 'next.config.js')).toBe(expected);
  });

  test('the config file is never executed', () => {
    const marker = path.join(os.tmpdir(), `dzo-next-ran-${process.pid}`);
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD ["npm","start"]\n', {
      'package.json': pkg({ scripts: { build: 'next build', start: 'next start' }, dependencies: { next: '15.0.0' } }),
      'package-lock.json': '{"lockfileVersion":3,"packages":{}}',
      'next.config.js': `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = { output: 'standalone' };`,
    });
    expect(fs.existsSync(marker)).toBe(false);
    expect(r.output).toContain('COPY --from=build --chown=65532:65532 /app/.next/standalone ./');
    expect(r.output).toContain('CMD ["server.js"]');
  });

  test('next start -p sets PORT for the standalone server', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["npm","start"]\n', {
      'package.json': pkg({ scripts: { build: 'next build', start: 'next start -p 4000' }, dependencies: { next: '15.0.0' } }),
      'package-lock.json': '{"lockfileVersion":3,"packages":{}}',
      'next.config.mjs': "export default { output: 'standalone' }",
    });
    expect(r.output).toMatch(/ENV .*PORT=4000/);
  });

  test('a custom server keeps the production dependencies instead of standalone', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["node","server.js"]\n', {
      'package.json': pkg({ scripts: { build: 'next build' }, dependencies: { next: '15.0.0' } }),
      'package-lock.json': '{"lockfileVersion":3,"packages":{}}',
      'next.config.js': "module.exports = { output: 'standalone' }",
    });
    expect(r.output).not.toContain('.next/standalone');
    expect(r.output).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(r.findings.some((f) => f.ruleId === 'NODE-NEXT-STANDALONE')).toBe(true);
  });
});

describe('the command is resolved for a runtime without npm', () => {
  const lock = { 'package-lock.json': LOCK };
  test.each([
    ['CMD ["npm", "start"]', { start: 'node server.js' }, 'CMD ["server.js"]'],
    ['CMD npm start', { start: 'node server.js' }, 'CMD ["server.js"]'],
    ['CMD ["npm", "run", "serve"]', { serve: 'node --enable-source-maps server.js' }, 'CMD ["--enable-source-maps", "server.js"]'],
    ['CMD ["yarn", "start"]', { start: 'node server.js' }, 'CMD ["server.js"]'],
    ['CMD ["node", "server.js"]', {}, 'CMD ["server.js"]'],
    ['CMD ["npm", "start"]', { start: 'NODE_ENV=production node server.js' }, 'CMD ["server.js"]'],
    ['CMD ["npm", "start", "--", "--port", "80"]', { start: 'node server.js' }, 'CMD ["server.js", "--port", "80"]'],
    ['CMD npm run serve -- -p 8080 -c-1', { serve: 'node bin/srv.js ./public' }, 'CMD ["bin/srv.js", "./public", "-p", "8080", "-c-1"]'],
    ['CMD ["yarn", "start", "--port", "80"]', { start: 'node server.js' }, 'CMD ["server.js", "--port", "80"]'],
    ['CMD ["yarn", "run", "serve", "--", "-p", "1"]', { serve: 'node server.js' }, 'CMD ["server.js", "-p", "1"]'],
  ])('%s with scripts %j', (cmd, scripts, expected) => {
    const r = rewrite(`FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n${cmd}\n`, { 'package.json': pkg({ scripts }), ...lock });
    expect(r.runtimeBase).toBe('gcr.io/distroless/nodejs20-debian13:nonroot');
    expect(r.output).toContain(expected);
  });

  test('variables an npm script sets become ENV', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["npm","start"]\n', { 'package.json': pkg({ scripts: { start: 'NODE_ENV=production node server.js' } }), ...lock });
    expect(r.output).toContain('ENV NODE_ENV=production');
  });

  test.each([
    ['a script with a pipeline', { start: 'node server.js | tee log' }],
    ['a script running another tool', { start: 'pm2-runtime server.js' }],
  ])('%s falls back to a -slim runtime that has npm', (_name, scripts) => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["npm","start"]\n', { 'package.json': pkg({ scripts }), ...lock });
    expect(r.runtimeBase).toBe('node:20-slim');
    expect(r.output).toContain('CMD ["npm","start"]');
    expect(r.output).toContain('USER node');
  });

  test.each([
    ['an option of npm itself', '["npm","start","--silent"]'],
    ['pnpm arguments after --', '["pnpm","start","--","--port","80"]'],
    ['a script with pre/post hooks and arguments', '["npm","run","web","--","-p","80"]'],
  ])('%s is not resolved: -slim with the command kept', (_name, cmd) => {
    const r = rewrite(`FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ${cmd}\n`, { 'package.json': pkg({ scripts: { start: 'node server.js', web: 'node web.js', preweb: 'node gen.js' } }), ...lock });
    expect(r.runtimeBase).toBe('node:20-slim');
    expect(r.output).toContain(`CMD ${cmd}`);
    expect(r.output).toContain('USER node');
  });
});

describe('the app files belong to the user the app runs as (the original, as root, could write them)', () => {
  const lock = { 'package-lock.json': LOCK };
  test.each([
    ['a copy of the context, distroless', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node","server.js"]\n', {}, 'COPY --chown=65532:65532 . .'],
    ['its own --chown becomes the distroless user', 'FROM node:20\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN npm ci\nCMD ["node","server.js"]\n', {}, 'COPY --chown=65532:65532 . .'],
    ['a build output, distroless', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["node","dist/index.js"]\n', { build: 'tsc' }, 'COPY --from=build --chown=65532:65532 /app/dist ./dist'],
  ])('%s', (_name, dockerfile, scripts, expected) => {
    const r = rewrite(dockerfile, { 'package.json': pkg({ scripts }), ...lock, 'dist/index.js': '', 'tsconfig.json': '{}' });
    expect(r.runtimeBase).toBe('gcr.io/distroless/nodejs20-debian13:nonroot');
    expect(r.output).toContain(expected);
    // node_modules come from the deps stage as they are: the app does not write there.
    expect(r.output).not.toMatch(/--chown=[^ ]+ \/app\/node_modules/);
  });

  test('on -slim they belong to node, the WORKDIR too', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node","server.js"]\n', { 'package.json': pkg(), ...lock }, { runtime: 'slim' });
    expect(r.output).toMatch(/^COPY --chown=node:node \. \.$/m);
    expect(r.output).toMatch(/^RUN chown node:node \/app\nUSER node$/m);
  });

  test('an original non-root USER keeps the original ownership', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER node\nCMD ["node","server.js"]\n', { 'package.json': pkg(), ...lock }, { runtime: 'slim' });
    expect(r.output).toMatch(/^COPY \. \.$/m);
    expect(r.output).not.toContain('chown');
  });
});

describe('runtime base', () => {
  const lock = { 'package-lock.json': LOCK, 'package.json': pkg() };
  test.each([
    ['FROM node:22', {}, 'gcr.io/distroless/nodejs22-debian13:nonroot'],
    ['FROM node:24-bookworm', {}, 'gcr.io/distroless/nodejs24-debian13:nonroot'],
    ['FROM node:20.11.1', {}, 'gcr.io/distroless/nodejs20-debian13:nonroot'],
    ['FROM node:18', {}, 'node:18-slim'],
    ['FROM node:20-alpine', {}, 'node:20-alpine'],
    ['FROM node', {}, null],
    ['FROM node:lts', {}, 'node:lts-slim'],
    ['FROM node:22', { runtime: 'slim' }, 'node:22-slim'],
    ['FROM node:22', { runtime: 'alpine' }, 'node:22-alpine'],
  ] as [string, OptimizeOptions, string | null][])('%s %j -> %s', (from, opts, expected) => {
    const r = rewrite(`${from}\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node","server.js"]\n`, lock, opts);
    if (expected === null) {
      // untagged: the floating tag cannot be matched to a distroless major
      expect(r.runtimeBase).toMatch(/slim/);
    } else {
      expect(r.runtimeBase).toBe(expected);
    }
  });

  test('a native addon never lands on musl when it was built on glibc', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node","server.js"]\n', { ...lock, 'package.json': pkg({ dependencies: { bcrypt: '^6.0.0' } }) }, { runtime: 'alpine' });
    expect(r.runtimeBase).toBe('node:20-slim');
    expect(r.findings.some((f) => f.ruleId === 'NODE-NATIVE-LIBC')).toBe(true);
  });

  test('a HEALTHCHECK that is not a plain HTTP probe keeps a base with a shell', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nHEALTHCHECK CMD curl -f http://localhost:3000/ | grep ok\nCMD ["node","server.js"]\n', lock);
    expect(r.runtimeBase).toBe('node:20-slim');
    expect(r.output).toContain('HEALTHCHECK CMD curl -f http://localhost:3000/ | grep ok');
  });

  test('a curl HTTP probe becomes node -e on distroless', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nHEALTHCHECK --interval=5s CMD curl -f http://localhost:3000/health || exit 1\nCMD ["node","server.js"]\n', lock);
    expect(r.runtimeBase).toMatch(/distroless/);
    expect(r.output).toMatch(/HEALTHCHECK --interval=5s CMD \["\/nodejs\/bin\/node", "-e", .*localhost:3000\/health/);
  });
});

describe('what is kept faithfully', () => {
  const lock = { 'package-lock.json': LOCK, 'package.json': pkg() };
  test('ENV, ARG, LABEL, EXPOSE, STOPSIGNAL, comments and the header survive', () => {
    const src = '# escape=\\\n# Service image\nARG NODE_VERSION=20\nFROM node:20\nARG BUILD_ID\nLABEL org.opencontainers.image.title="app"\n# where the app lives\nWORKDIR /app\nENV LOG_LEVEL=info\nCOPY . .\nRUN npm ci\nEXPOSE 3000 9229\nSTOPSIGNAL SIGINT\nCMD ["node","server.js"]\n';
    const r = rewrite(src, lock);
    for (const line of ['# escape=\\', '# Service image', 'ARG NODE_VERSION=20', 'ARG BUILD_ID', 'LABEL org.opencontainers.image.title="app"', '# where the app lives', 'ENV LOG_LEVEL=info', 'EXPOSE 3000 9229', 'STOPSIGNAL SIGINT']) {
      expect(r.output).toContain(line);
    }
    expect(r.output.startsWith('# escape=\\\n')).toBe(true);
  });

  test('CRLF line endings are kept', () => {
    const r = rewrite(NAIVE.replace(/\n/g, '\r\n'), lock);
    expect(r.changed).toBe(true);
    expect(r.output.split('\r\n').length).toBeGreaterThan(5);
    expect(r.output.replace(/\r\n/g, '')).not.toContain('\n');
  });

  test('a non-root user of the original survives on -slim', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER node\nCMD ["npm","start"]\n', { ...lock, 'package.json': pkg({ scripts: { start: 'node a.js | cat' } }) });
    expect(r.runtimeBase).toBe('node:20-slim');
    expect(r.output).toContain('USER node');
  });
});

describe('global packages', () => {
  const files = { 'package-lock.json': LOCK, 'package.json': pkg() };
  test('a global the command runs is installed in a -slim runtime too', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nRUN npm install -g pm2\nCOPY . .\nRUN npm ci\nCMD ["pm2-runtime","server.js"]\n', files);
    expect(r.runtimeBase).toBe('node:20-slim');
    const runtime = r.output.slice(r.output.indexOf('AS runtime'));
    expect(runtime).toContain('RUN npm install -g pm2');
    expect(runtime).toContain('CMD ["pm2-runtime","server.js"]');
  });

  test('a global build tool stays in the build stage when the runtime runs node', () => {
    const r = rewrite('FROM node:20\nWORKDIR /app\nRUN npm install -g typescript\nCOPY . .\nRUN npm ci\nRUN tsc -p .\nCMD ["node","dist/server.js"]\n', files);
    expect(r.runtimeBase).toMatch(/distroless/);
    const build = r.output.slice(r.output.indexOf('AS build'), r.output.indexOf('AS runtime'));
    expect(build).toContain('RUN npm install -g typescript');
    expect(r.output.slice(r.output.indexOf('AS runtime'))).not.toContain('npm install -g');
  });
});

describe('declines with a reason instead of guessing', () => {
  const lock = { 'package-lock.json': LOCK, 'package.json': pkg() };
  test.each([
    ['ADD of a URL', 'FROM node:20\nWORKDIR /app\nADD https://example.com/a.tgz /tmp/\nCOPY . .\nRUN npm ci\nCMD ["node","server.js"]\n', /fetches a URL/],
    ['cd inside RUN', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd web && npm ci\nCMD ["node","server.js"]\n', /cd/],
    ['no install at all', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","server.js"]\n', /./],
  ])('%s', (_name, src, reason) => {
    const r = rewrite(src, lock);
    expect(r.stagesAfter).toBe(1);
    expect(r.skipped).toMatch(reason);
    expect(r.output).toMatch(/^FROM node:20\n/);
  });

  test('an already multi-stage file is not restructured again', () => {
    const first = rewrite(NAIVE, lock);
    const dir = path.dirname(first.path);
    const again = optimizeText(first.output, path.join(dir, 'Dockerfile'));
    expect(again.output).toBe(first.output);
  });
});

describe('npm ci is only used when the lockfile would pass its checks', () => {
  const { npmLockProblems } = jest.requireActual('./facts') as typeof import('./facts');
  const pkgJson = { name: 'a', version: '1.0.0', dependencies: { express: '^4.0.0' } };
  const ok = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'a', dependencies: { express: '^4.0.0' } },
      'node_modules/express': { version: '4.21.2', dependencies: { debug: '2.6.9' }, optionalDependencies: { fsevents: '*' } },
      'node_modules/express/node_modules/debug': { version: '2.6.9', dependencies: { ms: '2.0.0' } },
      'node_modules/ms': { version: '2.0.0' },
      'node_modules/fsevents': { version: '2.3.3', optional: true },
    },
  };
  test.each([
    ['a consistent lockfile', pkgJson, ok, 0],
    ['an old v1 lockfile is not judged', pkgJson, { lockfileVersion: 1, dependencies: {} }, 0],
    ['a spec changed in package.json', { ...pkgJson, dependencies: { express: '^5.0.0' } }, ok, 1],
    ['a dependency added to package.json', { ...pkgJson, dependencies: { express: '^4.0.0', koa: '^2.0.0' } }, ok, 1],
    ['a dependency removed from package.json', { ...pkgJson, dependencies: {} }, ok, 1],
    ['an optional platform package left out of the lock', pkgJson, { ...ok, packages: { ...ok.packages, 'node_modules/fsevents': undefined } }, 1],
    ['a nested dependency that resolves nowhere', pkgJson, { ...ok, packages: { ...ok.packages, 'node_modules/ms': undefined } }, 1],
  ])('%s', (_name, pj, lock, count) => {
    const clean = JSON.parse(JSON.stringify(lock));
    expect(npmLockProblems(pj as never, clean).length).toBe(count);
  });

  test('an out-of-sync lock keeps npm install, with a finding', () => {
    const lockText = JSON.stringify({ ...ok, packages: { ...ok.packages, 'node_modules/ms': undefined } });
    const r = rewrite(NAIVE, { 'package.json': JSON.stringify({ ...pkgJson, scripts: { start: 'node server.js' } }), 'package-lock.json': lockText });
    expect(r.output).toContain('npm install --omit=dev');
    expect(r.output).not.toContain('npm ci');
    expect(r.findings.some((f) => /out of sync/.test(f.message) && f.severity === 'warning')).toBe(true);
  });
});

describe('an app without production dependencies', () => {
  const bare = JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node server.js' } });
  const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' } } });
  test('gets no deps stage and copies no node_modules (an install creates none)', () => {
    const files = { 'package.json': bare, 'package-lock.json': lock, 'server.js': 'require("http")' };
    const r = rewrite(NAIVE, files);
    expect(r.runtimeBase).toMatch(/^gcr\.io\/distroless\/nodejs20-debian13/);
    expect(r.output).not.toMatch(/AS deps|npm (ci|install)/);
    expect(r.output).not.toMatch(/node_modules/);
    expect(r.output).toContain('CMD ["server.js"]');
    const again = optimizeText(r.output, r.path, {});
    expect(again.output).toBe(r.output);
  });
  test('with a build and only dev dependencies, the runtime takes the build output only', () => {
    const devOnly = JSON.stringify({ name: 'app', version: '1.0.0', scripts: { build: 'tsc', start: 'node dist/server.js' }, devDependencies: { typescript: '^5.0.0' } });
    const lockDev = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app', devDependencies: { typescript: '^5.0.0' } }, 'node_modules/typescript': { version: '5.9.0', dev: true } } });
    const r = rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD ["npm","start"]\n', {
      'package.json': devOnly, 'package-lock.json': lockDev, 'tsconfig.json': '{"compilerOptions":{"outDir":"dist"}}', 'src/server.ts': 'export {}',
    });
    const runtime = r.output.slice(r.output.indexOf('AS runtime'));
    expect(r.output).toMatch(/AS build/);
    expect(runtime).not.toMatch(/node_modules/);
    expect(runtime).toMatch(/COPY --from=build .*dist/);
  });
});

describe('an install prepared in its own RUN', () => {
  test('an .npmrc written with a token next to npm ci is not split from it; the ARG becomes a secret mount', () => {
    const files = { 'package.json': pkg(), 'package-lock.json': LOCK };
    const df = 'FROM node:20\nARG NPM_TOKEN\nWORKDIR /app\nCOPY package*.json ./\nRUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm -f .npmrc\nCOPY . .\nCMD ["node","server.js"]\n';
    const r = rewrite(df, files);
    expect(r.skipped).toMatch(/prepares the install in the same RUN/);
    expect(r.stagesAfter).toBe(1);
    // The cross-cutting secret rule still runs: the token is a secret mount of the install's RUN.
    expect(r.output).toMatch(/RUN --mount=type=secret,id=npm_token .*> \.npmrc && npm ci/);
    expect(r.output).not.toMatch(/^ARG NPM_TOKEN/m);
    expect(optimizeText(r.output, r.path).output).toBe(r.output);
  });
});

describe('a workspace root without dependencies of its own', () => {
  test('still installs: its members have dependencies', () => {
    const root = JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] });
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'mono', workspaces: ['packages/*'] }, 'packages/worker': { name: 'worker', dependencies: { ms: '^2.1.3' } }, 'node_modules/worker': { resolved: 'packages/worker', link: true }, 'node_modules/ms': { version: '2.1.3' } } });
    const df = 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY packages/worker ./packages/worker\nRUN npm install\nCMD ["node", "packages/worker/index.js"]\n';
    const r = rewrite(df, { 'package.json': root, 'package-lock.json': lock, 'packages/worker/package.json': JSON.stringify({ name: 'worker', dependencies: { ms: '^2.1.3' } }), 'packages/worker/index.js': 'require("ms")' });
    // The member's manifest is in place before the frozen install (npm ci needs every member the lock records).
    const deps = r.output.slice(r.output.indexOf('AS deps'), r.output.indexOf('AS runtime'));
    expect(deps).toMatch(/COPY packages\/worker\/package\.json \.\/packages\/worker\/package\.json\nRUN --mount=type=cache,target=\/root\/\.npm npm ci --omit=dev/);
    expect(r.output).toMatch(/COPY --from=deps \/app\/node_modules/);
  });
});
