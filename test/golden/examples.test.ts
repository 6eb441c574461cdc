/**
 * Golden tests: every bundled example's rewrite is pinned in test/golden/expected/<name>/. Run with
 * UPDATE_GOLDEN=1 to accept new output (and review the diff in git). Each rewrite must also be
 * idempotent: running the tool on its own output (with the proposed side files in place) changes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeFile, optimizeText } from '../../src/api';

const root = path.resolve(__dirname, '../../examples');
const examples = fs.existsSync(root)
  ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'Dockerfile'))).sort()
  : [];
const update = process.env.UPDATE_GOLDEN === '1';

function copyDir(src: string, dst: string) {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (e.name === 'expected' || e.name === 'node_modules' || e.name === 'target') continue;
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) copyDir(s, d);
    else if (e.isFile()) fs.copyFileSync(s, d);
  }
}

describe.each(examples)('example %s', (name) => {
  const dir = path.join(root, name);
  const expectedDir = path.join(__dirname, 'expected', name);
  const result = optimizeFile(path.join(dir, 'Dockerfile'));

  test('rewrite matches the pinned output', () => {
    const files: Record<string, string> = { Dockerfile: result.output };
    for (const sf of result.sideFiles) files[path.basename(sf.path)] = sf.output;
    files['explain.txt'] = [
      `stack: ${result.stack}`,
      `stages: ${result.stagesBefore} -> ${result.stagesAfter}`,
      `runtime: ${result.runtimeBase}`,
      ...(result.skipped ? [`declined: ${result.skipped}`] : []),
      ...result.changes.map((c) => `${c.ruleId}${c.line ? `:${c.line}` : ''} ${c.message}`),
      ...result.findings.map((f) => `${f.severity} ${f.ruleId}${f.line ? `:${f.line}` : ''} ${f.message}`),
      '',
    ].join('\n');
    if (update) {
      fs.rmSync(expectedDir, { recursive: true, force: true });
      fs.mkdirSync(expectedDir, { recursive: true });
      for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(expectedDir, f), t);
    }
    for (const [f, t] of Object.entries(files)) {
      expect(fs.existsSync(path.join(expectedDir, f))).toBe(true);
      expect(t).toBe(fs.readFileSync(path.join(expectedDir, f), 'utf8'));
    }
    const pinned = fs.readdirSync(expectedDir).sort();
    expect(pinned).toEqual(Object.keys(files).sort());
  });

  test('a second run changes nothing', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dzo-golden-${name}-`));
    try {
      copyDir(dir, tmp);
      for (const sf of result.sideFiles) fs.writeFileSync(path.join(tmp, path.relative(dir, sf.path)), sf.output);
      const again = optimizeText(result.output, path.join(tmp, 'Dockerfile'));
      expect(again.output).toBe(result.output);
      expect(again.sideFiles.filter((s) => s.original !== s.output)).toEqual([]);
      expect(again.changed).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test('there are examples to pin', () => {
  expect(examples.length).toBeGreaterThan(0);
});
