/** The streamed JSON writer gives exactly JSON.stringify(value, null, 2), in pieces. */
import fc from 'fast-check';
import { jsonChunks } from '../../src/report/stream';

function streamed(value: unknown, depth?: number): { text: string; pieces: number } {
  const parts = [...jsonChunks(value, depth)];
  return { text: parts.join(''), pieces: parts.length };
}

describe('jsonChunks', () => {
  test.each([
    ['empty containers', { files: [], errors: {}, summary: { n: 0 } }],
    ['nested arrays and objects', { a: [1, [2, [3, { b: [] }]], 'x\ny"z'], c: { d: { e: { f: [null, true] } } } }],
    ['what JSON.stringify drops or nulls', { u: undefined, f: () => 1, arr: [undefined, () => 1, 1], n: null, date: new Date(0) }],
    ['a top-level array', [{ a: 1 }, 'é', 3.5, -0]],
    ['a string at top level', 'plain'],
  ])('%s', (_name, value) => {
    for (const depth of [0, 1, 2, 3, 6]) expect(streamed(value, depth).text).toBe(JSON.stringify(value, null, 2));
  });

  test('random JSON values, at every depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 6 }), (value, depth) => {
        expect(streamed(value, depth).text).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 400 },
    );
  });

  test('a large report reaches the output in pieces of about 64 KB, none the whole', () => {
    const report = { tool: 'x', files: Array.from({ length: 5000 }, (_, i) => ({ path: `svc${i}/Dockerfile`, output: 'FROM node:22\n'.repeat(20) })), summary: { files: 5000 } };
    const { text, pieces } = streamed(report);
    expect(text).toBe(JSON.stringify(report, null, 2));
    expect(pieces).toBeGreaterThan(text.length / 70000);
  });
});
