#!/usr/bin/env node
'use strict';
/**
 * Builds the WebAssembly shell parser (src/shell/shparse, Go) into dist/shparse.wasm; part of
 * `npm run build`. Skipped when the module is newer than its sources. Without Go 1.24+ on the machine
 * it says so and the tool uses the GopherJS build of the same parser (slower, same results); in CI
 * (CI=true) a failed build is an error.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src', 'shell', 'shparse');
const out = path.join(root, 'dist', 'shparse.wasm');
const strict = process.env.CI === 'true';

function fail(message) {
  process.stderr.write(`build-shparse: ${message}\n`);
  if (strict) process.exit(1);
  process.stderr.write('build-shparse: falling back to the GopherJS shell parser (mvdan-sh): same results, slower sweeps\n');
  process.exit(0);
}

const inputs = ['main.go', 'go.mod', 'go.sum'].map((f) => path.join(src, f));
if (fs.existsSync(out)) {
  const built = fs.statSync(out).mtimeMs;
  if (inputs.every((f) => fs.statSync(f).mtimeMs <= built)) process.exit(0);
}

const version = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
if (version.error || version.status !== 0) fail('Go is not installed (needed for the fast shell parser)');
const m = /^go(\d+)\.(\d+)/.exec(version.stdout.trim());
if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 24)) fail(`Go 1.24 or newer is needed, found ${version.stdout.trim()}`);

fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const r = spawnSync('go', ['build', '-buildmode=c-shared', '-trimpath', '-ldflags=-s', '-o', tmp, '.'], {
  cwd: src,
  env: { ...process.env, GOOS: 'wasip1', GOARCH: 'wasm', CGO_ENABLED: '0' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (r.error || r.status !== 0) {
  fs.rmSync(tmp, { force: true });
  fail(`go build failed in ${path.relative(root, src)}`);
}
fs.renameSync(tmp, out);
