#!/usr/bin/env node
'use strict';
/**
 * Benchmark (npm run bench; not a test): prints figures and how they compare with the goals.
 *
 *   1. `--help` cold start: the CLI's wall time, against `node -e 0` on the same machine.
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

function wallMs(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
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
    bare.push(wallMs(process.execPath, ['-e', '0']));
    help.push(wallMs(process.execPath, [bin, '--help']));
  }
  return { helpMin: Math.min(...help), helpMedian: median(help), nodeMin: Math.min(...bare), nodeMedian: median(bare) };
}

function sweep(dir, jobs) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'sweep.js'), dir, '--jobs', String(jobs)], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
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
  console.log(`  tool's own share: ${fmt(cs.helpMin - cs.nodeMin)} ms (min - min); ratio help/node ${fmt(cs.helpMin / cs.nodeMin, 2)}`);

  const results = {};
  const corpora = path.resolve(repo, '../shared/corpora');
  if (fs.existsSync(corpora)) {
    console.log(`\nsweep of ${corpora}:`);
    for (const jobs of [1, 2]) printSweep(`jobs=${jobs}`, (results[`corpora-${jobs}`] = sweep(corpora, jobs)));
  } else {
    console.log(`\n(${corpora} absent: corpora sweep skipped)`);
  }

  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-bench-'));
  const t0 = Date.now();
  const count = generate(tree, N_FILES);
  console.log(`\ngenerated monorepo: ${count} Dockerfiles in ${((Date.now() - t0) / 1000).toFixed(1)} s (${tree})`);
  try {
    for (const jobs of [1, 2]) printSweep(`jobs=${jobs}`, (results[`mono-${jobs}`] = sweep(tree, jobs)));
  } finally {
    if (!KEEP) fs.rmSync(tree, { recursive: true, force: true });
  }

  const best = (k) => Math.max(results[`${k}-1`]?.filesPerSecond ?? 0, results[`${k}-2`]?.filesPerSecond ?? 0);
  const peak = Math.max(...Object.values(results).map((r) => r.peakRssMB));
  const speedup = results['mono-1'] && results['mono-2'] ? results['mono-1'].seconds / results['mono-2'].seconds : null;
  console.log('\ngoals:');
  console.log(`  throughput >= ${GOALS.filesPerSecond} files/s: generated ${best('mono')} files/s (${mark(best('mono') >= GOALS.filesPerSecond)})${results['corpora-1'] ? `, corpora ${best('corpora')} files/s (${mark(best('corpora') >= GOALS.filesPerSecond)})` : ''}`);
  console.log(`  peak memory <= ${GOALS.peakRssMB} MB: ${peak} MB (${mark(peak <= GOALS.peakRssMB)})`);
  console.log(`  --help <= ${GOALS.helpMs} ms: ${fmt(cs.helpMin)} ms (${mark(cs.helpMin <= GOALS.helpMs)}); the tool's own ${fmt(cs.helpMin - cs.nodeMin)} ms over node's start`);
  if (speedup) console.log(`  2 workers vs 1: ${speedup.toFixed(2)}x on the generated monorepo`);
  if (load > (os.availableParallelism ? os.availableParallelism() : os.cpus().length)) console.log(`  note: load average ${load.toFixed(1)} exceeds the CPU count; wall figures are pessimistic, see files/CPU-s`);
}

main();
