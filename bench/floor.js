#!/usr/bin/env node
'use strict';
/**
 * The parsing floor of a corpora sweep: `node bench/floor.js [DIR]` (default ../shared/corpora).
 * Reads every Dockerfile below DIR, then times, in this one process as a sweep would meet them:
 *   1. each file parsed once into the model (dockerfile-ast plus the model built on it),
 *   2. each distinct RUN script parsed once by the shell parser (mvdan-sh, WebAssembly build),
 * with nothing else: no stack detection, no transform, no rule, no report. A sweep cannot go faster
 * than this on one thread, whatever else it does; the figures say what that bound is.
 */
const fs = require('fs');
const path = require('path');
const repo = path.resolve(__dirname, '..');
const { parseDockerfile } = require(path.join(repo, 'dist/src/model/parse.js'));
const { parseShell } = require(path.join(repo, 'dist/src/shell/index.js'));

const dir = path.resolve(process.argv[2] || path.join(repo, '../shared/corpora'));
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && /(^|\.)(Dockerfile|Containerfile)(\.|$)/i.test(e.name)) files.push(p);
  }
})(dir);
const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

for (const round of ['first (cold, as a sweep meets them)', 'second (warm)']) {
  let t0 = process.hrtime.bigint();
  const models = [];
  for (let i = 0; i < texts.length; i++) {
    try {
      models.push(parseDockerfile(texts[i] + (round.startsWith('second') ? '\n' : ''), files[i]));
    } catch {
      /* bad input: the sweep reports it */
    }
  }
  const parseMs = ms(t0);
  const scripts = [...new Set(models.flatMap((m) => m.instructions.filter((i) => i.keyword === 'RUN' && !i.json).map((i) => i.body + (round.startsWith('second') ? ' ' : ''))))];
  t0 = process.hrtime.bigint();
  for (const s of scripts) parseShell(s);
  const shellMs = ms(t0);
  const total = parseMs + shellMs;
  console.log(
    `${round}: ${files.length} files parsed in ${parseMs.toFixed(0)} ms, ${scripts.length} distinct RUN scripts in ${shellMs.toFixed(0)} ms: ` +
      `${total.toFixed(0)} ms, a bound of ${Math.round((files.length / total) * 1000)} files/s on one thread for parsing alone`,
  );
}
