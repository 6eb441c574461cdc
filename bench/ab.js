#!/usr/bin/env node
'use strict';
/**
 * A/B comparison of two builds on the same tree, for a machine whose speed drifts (a shared virtual
 * machine: the same build can take twice as long an hour later):
 *   node bench/ab.js OTHER_CHECKOUT [--dir DIR] [--rounds N] [--jobs N]
 * OTHER_CHECKOUT is another clone of the project, built (`npm run build`) at the commit to compare with.
 * Each round runs `bench/sweep.js` of the other checkout, then of this one, back to back; the figures
 * of each round and the ratio of the best rounds are printed (the best, because a run only gets slower
 * from what else the machine does). DIR defaults to ../shared/corpora.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function usage(message) {
  process.stderr.write(`${message}\nusage: node bench/ab.js OTHER_CHECKOUT [--dir DIR] [--rounds N] [--jobs N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const here = path.resolve(__dirname, '..');
const dir = path.resolve(opt('--dir', path.join(here, '..', 'shared', 'corpora')));
const rounds = Number(opt('--rounds', '3'));
const jobs = opt('--jobs', '1');
if (args.length !== 1) usage('one other checkout is needed');
const other = path.resolve(args[0]);
for (const root of [other, here]) {
  if (!fs.existsSync(path.join(root, 'bench', 'sweep.js')) || !fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'main.js'))) usage(`${root}: not a built checkout (bench/sweep.js and dist/ are needed)`);
}
if (!fs.existsSync(dir)) usage(`${dir}: no such folder`);
if (!Number.isInteger(rounds) || rounds < 1) usage('--rounds must be a whole number of at least 1');

const git = (root) => spawnSync('git', ['-C', root, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim().slice(0, 72) || root;
const builds = [
  { name: 'A', root: other, runs: [] },
  { name: 'B', root: here, runs: [] },
];
process.stdout.write(`A: ${git(other)}\nB: ${git(here)}\nsweep of ${dir}, --jobs ${jobs}, ${rounds} rounds (A then B)\n`);
for (let r = 1; r <= rounds; r++) {
  for (const b of builds) {
    const p = spawnSync(process.execPath, [path.join(b.root, 'bench', 'sweep.js'), dir, '--jobs', jobs], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const line = (p.stdout || '').trim().split('\n').pop();
    let fig;
    try {
      fig = JSON.parse(line);
    } catch {
      process.stderr.write(`${b.name} failed: ${(p.stderr || p.stdout || '').slice(-2000)}\n`);
      process.exit(1);
    }
    b.runs.push(fig);
    process.stdout.write(`  round ${r} ${b.name}: ${fig.seconds.toFixed(2)} s wall, ${fig.cpuSeconds.toFixed(2)} CPU-s, ${fig.filesPerSecond} files/s, peak RSS ${fig.peakRssMB} MB\n`);
  }
}
const best = (b, k) => Math.min(...b.runs.map((x) => x[k]));
const [a, b] = builds;
if (a.runs[0].files !== b.runs[0].files) process.stdout.write(`note: A saw ${a.runs[0].files} files, B ${b.runs[0].files}\n`);
process.stdout.write(
  `best: A ${best(a, 'seconds').toFixed(2)} s (${Math.round(a.runs[0].files / best(a, 'seconds'))} files/s), B ${best(b, 'seconds').toFixed(2)} s (${Math.round(b.runs[0].files / best(b, 'seconds'))} files/s)\n` +
    `B vs A: ${(best(a, 'seconds') / best(b, 'seconds')).toFixed(2)}x wall, ${(best(a, 'cpuSeconds') / best(b, 'cpuSeconds')).toFixed(2)}x CPU\n`,
);
