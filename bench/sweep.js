#!/usr/bin/env node
'use strict';
/**
 * One measured sweep, in its own process so its peak memory is its own:
 *   node bench/sweep.js DIR [--jobs N] [--format text|json]
 * Runs the built CLI in-process over DIR (dry run, --check, JSON report written in chunks as a real
 * run prints it, only its end kept), and prints one JSON
 * line: files, failed, changed, seconds, cpuSeconds, filesPerSecond, filesPerCpuSecond, peakRssMB.
 */
const path = require('path');
const { main } = require('../dist/src/cli/main.js');

async function run() {
  const args = process.argv.slice(2);
  const dir = path.resolve(args[0]);
  const rest = args.slice(1);
  let bytes = 0;
  // The report arrives in chunks, as it would reach a pipe; only its end (the summary) is kept, so
  // the figures are the tool's own memory, not this harness's copy of the report.
  const tail = [];
  let tailLength = 0;
  let err = '';
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const code = await main(['--check', '--format', 'json', '--no-progress', ...rest, dir], {
    out: (s) => {
      bytes += s.length;
      tail.push(s);
      tailLength += s.length;
      while (tail.length > 1 && tailLength - tail[0].length >= 262144) tailLength -= tail.shift().length;
    },
    err: (s) => {
      if (err.length < 1e6) err += s;
    },
    isTTY: false,
    errTTY: false,
    cwd: dir,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // The summary closes the report: read it without parsing the whole report again.
  const text = tail.join('');
  const at = text.lastIndexOf('"summary": {');
  const summary = JSON.parse(text.slice(at + '"summary": '.length, text.indexOf('}', at) + 1));
  const out = {
    exit: code,
    files: summary.files,
    changed: summary.changed,
    failed: summary.errors,
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    filesPerSecond: Math.round(summary.files / seconds),
    filesPerCpuSecond: Math.round(summary.files / cpuSeconds),
    reportMB: Number((bytes / 1048576).toFixed(1)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}
run().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
