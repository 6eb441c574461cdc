/**
 * Property-based tests: real Dockerfiles from ../shared/corpora (and Node cases in a Node build context)
 * are mutated at random, and the pipeline's invariants must hold for every mutant:
 *  - robustness: no crash (only InputError refusals); an output parses again and is a fixed point; BOM,
 *    line endings and directives are kept; with BuildKit's parser (tools/bkparse): the model splits
 *    instructions where BuildKit does, and an output parses/passes instruction checks when its input did;
 *  - formatting does not change decisions: comments, blank lines, keyword case, CRLF, a BOM and blanks after
 *    an escape give an output with the same instructions (as the model reads them) and the same rule ids.
 * FC_RUNS sets the number of runs per property (default 120); FC_SEED replays a failure.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { continues, parseDockerfile } from '../../src/model/parse';
import { InputError } from '../../src/types';
import { bkParseTexts, buildkitHelper } from '../support/buildkit';

const repoRoot = path.resolve(__dirname, '../..');
const corpora = path.resolve(repoRoot, '../shared/corpora');
const RUNS = Number(process.env.FC_RUNS ?? 120);
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-prop-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

const PKG = JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { express: '^4.21.2' } });
const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app', dependencies: { express: '^4.21.2' } }, 'node_modules/express': { version: '4.21.2' } } });
const nodeCtx = dirWith({ 'package.json': PKG, 'package-lock.json': LOCK, 'server.js': 'require("express")' });
const emptyCtx = dirWith({});

interface Seed {
  name: string;
  text: string;
  context: string;
}

/** A spread of parseable corpus files under 4 KB (every n-th of each set), plus Node cases. */
function seeds(): Seed[] {
  const out: Seed[] = [
    { name: 'node naive', text: 'FROM node:20\nLABEL a=b\nENV NODE_ENV=production\nWORKDIR /app\nCOPY . .\nRUN npm install \\\n    && npm cache clean --force\nEXPOSE 3000\nCMD ["npm", "start"]\n', context: nodeCtx },
    { name: 'node shell cmd', text: '# syntax=docker/dockerfile:1\nARG X=1\nFROM node:20-bookworm\nWORKDIR /srv\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nUSER node\nCMD node server.js\n', context: nodeCtx },
    { name: 'node backtick', text: '# escape=`\nFROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install `\n  && echo ok\nHEALTHCHECK CMD curl -f http://localhost:3000 || exit 1\nCMD ["node", "server.js"]\n', context: nodeCtx },
  ];
  if (!fs.existsSync(corpora)) return out;
  for (const set of ['binnacle-gold', 'shipwright', 'jessfraz', 'buildkit-parser', 'awesome-compose']) {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/Dockerfile$/.test(e.name)) files.push(p);
      }
    };
    walk(path.join(corpora, set));
    const step = Math.max(1, Math.floor(files.length / 12));
    for (let i = 0; i < files.length; i += step) {
      const text = fs.readFileSync(files[i], 'utf8');
      if (text.length > 4096) continue;
      try {
        parseDockerfile(text, files[i]);
      } catch {
        continue;
      }
      out.push({ name: path.relative(corpora, files[i]), text, context: set === 'awesome-compose' ? path.dirname(files[i]) : emptyCtx });
    }
  }
  return out;
}

const SEEDS = seeds();

type Mutation =
  | { kind: 'comment-between' | 'blank-between' | 'comment-in-continuation' | 'blank-in-continuation' | 'lowercase' | 'ws-after-escape'; at: number }
  | { kind: 'crlf' | 'bom' | 'no-final-newline' | 'extra-final-newlines' }
  | { kind: 'delete-line' | 'duplicate-line' | 'swap-lines'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string };

const FORMATTING = ['comment-between', 'blank-between', 'comment-in-continuation', 'blank-in-continuation', 'lowercase', 'ws-after-escape', 'crlf', 'bom', 'no-final-newline', 'extra-final-newlines'];

const formatting: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('comment-between', 'blank-between', 'comment-in-continuation', 'blank-in-continuation', 'lowercase', 'ws-after-escape' as const), at: fc.nat() }) as fc.Arbitrary<Mutation>,
  fc.record({ kind: fc.constantFrom('crlf', 'bom', 'no-final-newline', 'extra-final-newlines' as const) }) as fc.Arbitrary<Mutation>,
);
const damage: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete-line', 'duplicate-line', 'swap-lines' as const), at: fc.nat() }) as fc.Arbitrary<Mutation>,
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('RUN echo \\', '\\', '`', '# escape=`', '# syntax=x', 'FROM scratch', 'ONBUILD RUN x', 'COPY <<EOF /x', 'EOF', 'CMD ["a", ', "CMD ['a']", 'ENV A=', 'ARG', 'USER', 'FROM --platform= node AS', '\t', '\u00a0', '\ufeff', '\r'),
    ),
  }),
);

/** Applies the mutations to a seed; formatting mutations are placed by the seed's own instructions. */
function mutate(seed: string, mutations: Mutation[]): string {
  const model = parseDockerfile(seed, 'Dockerfile');
  let lines = model.sourceLines.slice();
  const starts = model.instructions.map((i) => i.startLine);
  const contLines = model.instructions.filter((i) => !i.heredoc).flatMap((i) => i.lines.map((l, k) => (k < i.lines.length - 1 && continues(l, model.escape) && !/^\s*#/.test(l) ? i.startLine + k : -1)).filter((x) => x >= 0));
  const inserts: { line: number; text: string }[] = [];
  let crlf = false;
  let bom = model.bom;
  let finalNewline = model.finalNewline;
  let extra = 0;
  const pick = <T>(xs: T[], at: number) => xs[at % xs.length];
  const edits: ((ls: string[]) => string[])[] = [];
  for (const m of mutations) {
    switch (m.kind) {
      case 'comment-between':
        if (starts.length) inserts.push({ line: pick(starts, m.at), text: `# fuzz comment ${m.at}` });
        break;
      case 'blank-between':
        if (starts.length) inserts.push({ line: pick(starts, m.at), text: '' });
        break;
      case 'comment-in-continuation':
        if (contLines.length) inserts.push({ line: pick(contLines, m.at) + 1, text: '    # fuzz inside a continuation' });
        break;
      case 'blank-in-continuation':
        if (contLines.length) inserts.push({ line: pick(contLines, m.at) + 1, text: '' });
        break;
      case 'lowercase':
        if (starts.length) {
          const l = pick(starts, m.at);
          lines[l] = lines[l].replace(/^(\s*)([A-Za-z]+)/, (_x, ws: string, kw: string) => ws + kw.toLowerCase());
        }
        break;
      case 'ws-after-escape':
        if (contLines.length) {
          const l = pick(contLines, m.at);
          lines[l] = lines[l] + ' \t ';
        }
        break;
      case 'crlf':
        crlf = true;
        break;
      case 'bom':
        bom = true;
        break;
      case 'no-final-newline':
        finalNewline = false;
        break;
      case 'extra-final-newlines':
        extra++;
        break;
      case 'delete-line':
        edits.push((ls) => (ls.length > 1 ? ls.filter((_, i) => i !== m.at % ls.length) : ls));
        break;
      case 'duplicate-line':
        edits.push((ls) => {
          const i = m.at % ls.length;
          return [...ls.slice(0, i + 1), ls[i], ...ls.slice(i + 1)];
        });
        break;
      case 'swap-lines':
        edits.push((ls) => {
          const i = m.at % ls.length;
          const j = (i + 1) % ls.length;
          const c = ls.slice();
          [c[i], c[j]] = [c[j], c[i]];
          return c;
        });
        break;
      case 'truncate':
        edits.push((ls) => ls.slice(0, 1 + (m.at % ls.length)));
        break;
      case 'insert':
        edits.push((ls) => {
          const i = m.at % (ls.length + 1);
          return [...ls.slice(0, i), m.text, ...ls.slice(i)];
        });
        break;
    }
  }
  for (const ins of inserts.sort((a, b) => b.line - a.line)) lines.splice(ins.line, 0, ins.text);
  for (const e of edits) lines = e(lines);
  const eol = crlf || model.eol === '\r\n' ? '\r\n' : '\n';
  let text = lines.join(eol) + (finalNewline ? eol : '') + eol.repeat(extra);
  if (bom) text = '\ufeff' + text;
  return text;
}

const bin = buildkitHelper();
if (!bin && process.env.CI === 'true') throw new Error('BuildKit parse helper unavailable under CI');

function directiveLines(t: string): string[] {
  const out: string[] = [];
  for (const l of t.replace(/^\ufeff/, '').split(/\r?\n/)) {
    if (!/^#\s*[a-zA-Z]+\s*=/.test(l)) break;
    out.push(l);
  }
  return out;
}

/** The invariants for one input; returns the output (or null when refused). */
function checkInvariants(text: string, context: string): string | null {
  const file = path.join(context, 'Dockerfile');
  let out: string;
  try {
    const r = optimizeText(text, file);
    expect(r.findings.filter((f) => f.ruleId === 'DO-INTERNAL' || /^rule failed/.test(f.message))).toEqual([]);
    out = r.output;
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
  expect(() => parseDockerfile(out, file)).not.toThrow();
  expect(optimizeText(out, file).output).toBe(out);
  expect(out.charCodeAt(0) === 0xfeff).toBe(text.charCodeAt(0) === 0xfeff);
  expect(directiveLines(out)).toEqual(directiveLines(text));
  if (bin) {
    const [before, after] = bkParseTexts(bin, [text, out]);
    if (before.parsed) {
      const m = parseDockerfile(text, file);
      expect(m.instructions.map((i) => `${i.keyword.toLowerCase()}@${i.startLine + 1}`)).toEqual(before.nodes.map((n, i) => `${n.split(/[ (]/)[0]}@${before.lines[i]}`));
      expect(after.parsed).toBe(true);
    }
    if (before.valid) expect(after.error ?? '').toBe('');
  }
  return out;
}

/** What the model reads from a Dockerfile, without its formatting. */
function meaning(text: string): string[] {
  const m = parseDockerfile(text, 'Dockerfile');
  return m.instructions.map((i) => [i.keyword, ...i.flags.map((f) => `--${f.name}=${f.value}`), i.body.replace(/\s+/g, ' ').trim()].join(' '));
}

describe('mutated corpus Dockerfiles', () => {
  test('there are seeds', () => {
    expect(SEEDS.length).toBeGreaterThan(fs.existsSync(corpora) ? 40 : 2);
  });

  test('any mutation: no crash, outputs parse (model and BuildKit), idempotent, directives and BOM kept', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.oneof(formatting, damage), { minLength: 1, maxLength: 5 }), (s, muts) => {
        const seed = SEEDS[s % SEEDS.length];
        checkInvariants(mutate(seed.text, muts), seed.context);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('formatting changes no decision: same instructions and rule ids in the output', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(formatting, { minLength: 1, maxLength: 6 }), (s, muts) => {
        expect(muts.every((m) => FORMATTING.includes(m.kind))).toBe(true);
        const seed = SEEDS[s % SEEDS.length];
        const file = path.join(seed.context, 'Dockerfile');
        const mutant = mutate(seed.text, muts);
        // The mutant means the same to BuildKit's reading (and to the model) as the seed.
        expect(meaning(mutant)).toEqual(meaning(seed.text));
        const a = optimizeText(seed.text, file);
        const b = optimizeText(mutant, file);
        checkInvariants(mutant, seed.context);
        expect(meaning(b.output)).toEqual(meaning(a.output));
        expect(b.changes.map((c) => c.ruleId)).toEqual(a.changes.map((c) => c.ruleId));
        expect(b.skipped === undefined).toBe(a.skipped === undefined);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
