#!/usr/bin/env node
'use strict';
/**
 * Benchmark (npm run bench; not a test): prints figures and how they compare with the goals.
 *
 *   1. `--help` cold start: the CLI's wall and CPU time, against `node -e 0` on the same machine.
 *   2. A sweep of the real corpora (../shared/corpora, when present) with 1 and 2 worker threads.
 *   3. A sweep of a generated monorepo of 10,000 Dockerfiles (bench/generate.js) with 1 and 2 workers.
 *
 * Each sweep runs in its own process (bench/sweep.js), so its peak memory (max RSS, worker threads
 * included) is its own. Files per second is given per wall second and per CPU second: on a shared
 * machine the wall figure moves with the load, the CPU figure much less. Options:
 *   --files N   size of the generated monorepo (default 10000)
 *   --runs N    cold-start runs (default 15)
 *   --keep      keep the generated tree (printed path)
 */
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { generate } = require('./generate');

const repo = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const N_FILES = opt('--files', 10000);
const RUNS = opt('--runs', 15);
const KEEP = argv.includes('--keep');

const GOALS = { filesPerSecond: 1000, peakRssMB: 300, helpMs: 150 };

/** Wall time (ms) of a child process, and its own CPU time (ms) reported by bench/cpu-on-exit.js. */
function timed(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', path.join(__dirname, 'cpu-on-exit.js'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall: ms, cpu: Number(String(r.output[3])) };
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function coldStart() {
  const bin = path.join(repo, 'bin/dockerize-optimize.js');
  const help = [];
  const bare = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so both see the same load.
    bare.push(timed(['-e', '0']));
    help.push(timed([bin, '--help']));
  }
  const pick = (xs, k) => xs.map((x) => x[k]);
  return {
    helpMin: Math.min(...pick(help, 'wall')),
    helpMedian: median(pick(help, 'wall')),
    nodeMin: Math.min(...pick(bare, 'wall')),
    nodeMedian: median(pick(bare, 'wall')),
    helpCpu: median(pick(help, 'cpu')),
    nodeCpu: median(pick(bare, 'cpu')),
  };
}

function sweep(dir, jobs, extra = []) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'sweep.js'), dir, '--jobs', String(jobs), ...extra], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`sweep ${dir} --jobs ${jobs} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (n, d = 0) => (n === null || n === undefined ? '-' : Number(n).toFixed(d));
const mark = (ok) => (ok ? 'meets' : 'MISSES');

function printSweep(label, s) {
  console.log(
    `  ${label.padEnd(10)} ${fmt(s.files).padStart(6)} files (${s.changed} to change, ${s.failed} failed) in ${fmt(s.seconds, 2)} s: ` +
      `${fmt(s.filesPerSecond)} files/s wall, ${fmt(s.filesPerCpuSecond)} files/CPU-s, peak RSS ${s.peakRssMB} MB`,
  );
}

function main() {
  if (!fs.existsSync(path.join(repo, 'dist/src/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
  const load = os.loadavg()[0];
  console.log(`dockerize-optimize benchmark: node ${process.version}, ${os.availableParallelism ? os.availableParallelism() : os.cpus().length} CPUs, load average ${load.toFixed(2)}`);

  const cs = coldStart();
  console.log(`\n--help cold start (${RUNS} runs): min ${fmt(cs.helpMin)} ms, median ${fmt(cs.helpMedian)} ms; node -e 0: min ${fmt(cs.nodeMin)} ms, median ${fmt(cs.nodeMedian)} ms`);
  console.log(`  CPU time (median): --help ${fmt(cs.helpCpu)} ms, node -e 0 ${fmt(cs.nodeCpu)} ms: the tool's own ${fmt(cs.helpCpu - cs.nodeCpu)} ms`);

  const results = {};
  const warm = {};
  // --cache: a first run fills the cache, a second finds every file unchanged (as in CI after a commit
  // that touched no Dockerfile). Shown apart: the goals are judged on runs without it.
  const cached = (key, dir) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-bench-cache-')), 'cache');
    try {
      printSweep('cache, 1st', sweep(dir, 1, ['--cache-location', file]));
      printSweep('cache, 2nd', (warm[key] = sweep(dir, 1, ['--cache-location', file])));
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  };
  const corpora = path.resolve(repo, '../shared/corpora');
  if (fs.existsSync(corpora)) {
    console.log(`\nsweep of ${corpora}:`);
    for (const jobs of [1, 2]) printSweep(`jobs=${jobs}`, (results[`corpora-${jobs}`] = sweep(corpora, jobs)));
    cached('corpora', corpora);
  } else {
    console.log(`\n(${corpora} absent: corpora sweep skipped)`);
  }

  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-bench-'));
  const t0 = Date.now();
  const count = generate(tree, N_FILES);
  console.log(`\ngenerated monorepo: ${count} Dockerfiles in ${((Date.now() - t0) / 1000).toFixed(1)} s (${tree})`);
  try {
    for (const jobs of [1, 2]) printSweep(`jobs=${jobs}`, (results[`mono-${jobs}`] = sweep(tree, jobs)));
    cached('mono', tree);
  } finally {
    if (!KEEP) fs.rmSync(tree, { recursive: true, force: true });
  }

  const best = (k) => Math.max(results[`${k}-1`]?.filesPerSecond ?? 0, results[`${k}-2`]?.filesPerSecond ?? 0);
  const peak = Math.max(...Object.values(results).map((r) => r.peakRssMB), ...Object.values(warm).map((r) => r.peakRssMB));
  const speedup = results['mono-1'] && results['mono-2'] ? results['mono-1'].seconds / results['mono-2'].seconds : null;
  console.log('\ngoals:');
  console.log(`  throughput >= ${GOALS.filesPerSecond} files/s: generated ${best('mono')} files/s (${mark(best('mono') >= GOALS.filesPerSecond)})${results['corpora-1'] ? `, corpora ${best('corpora')} files/s (${mark(best('corpora') >= GOALS.filesPerSecond)})` : ''}`);
  console.log(`  peak memory <= ${GOALS.peakRssMB} MB: ${peak} MB (${mark(peak <= GOALS.peakRssMB)})`);
  console.log(`  --help <= ${GOALS.helpMs} ms: ${fmt(cs.helpMin)} ms wall (${mark(cs.helpMin <= GOALS.helpMs)}), ${fmt(cs.helpCpu)} ms CPU (${mark(cs.helpCpu <= GOALS.helpMs)}); node alone starts in ${fmt(cs.nodeMin)} ms wall, ${fmt(cs.nodeCpu)} ms CPU`);
  if (warm.mono) console.log(`  (not the goal: a second run with --cache, nothing changed: generated ${warm.mono.filesPerSecond} files/s${warm.corpora ? `, corpora ${warm.corpora.filesPerSecond} files/s` : ''})`);
  if (speedup) console.log(`  2 workers vs 1: ${speedup.toFixed(2)}x on the generated monorepo`);
  if (load > (os.availableParallelism ? os.availableParallelism() : os.cpus().length)) console.log(`  note: load average ${load.toFixed(1)} exceeds the CPU count; wall figures are pessimistic, see files/CPU-s`);
}

main();
