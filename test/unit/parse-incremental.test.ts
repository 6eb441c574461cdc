/**
 * parseEdited: the rules engine's passes parse again only the instructions their edits touch. Every
 * case is run in 'verify' mode, where each incremental model is compared with a full parse of the same
 * text; the table also says whether the region parse may be used or the full parse must decide.
 */
import { incrementalParseCounts, LineEdit, parseDockerfile, parseEdited, setIncrementalParse } from '../../src/model/parse';
import { applyEdits } from '../../src/rules/engine';
import { optimizeText } from '../../src/api';
import { corpusFiles } from '../support/corpora';

afterAll(() => setIncrementalParse('on'));

let seq = 0;
/** Parses `text`, applies the edits as the engine does, parses the result incrementally in verify mode. */
function edited(text: string, edits: LineEdit[]) {
  setIncrementalParse('verify');
  // A path of its own, so that no cached model answers in place of the parse under test.
  const prev = parseDockerfile(text, `Dockerfile.${++seq}`);
  const next = applyEdits(prev, edits);
  const before = incrementalParseCounts();
  const model = parseEdited(prev, edits, next);
  const after = incrementalParseCounts();
  return {
    model,
    next,
    incremental: after.incremental - before.incremental,
    mismatches: after.mismatches - before.mismatches,
  };
}

const ins = (startLine: number, ...lines: string[]): LineEdit => ({ startLine, endLine: startLine - 1, lines });
const rep = (startLine: number, endLine: number, ...lines: string[]): LineEdit => ({ startLine, endLine, lines });

describe('parseEdited', () => {
  test.each<[string, string, LineEdit[], 'region' | 'full']>([
    ['a RUN rewritten in place', 'FROM debian\nRUN apt-get install curl\nCMD ["x"]\n', [rep(1, 1, 'RUN apt-get install -y curl')], 'region'],
    ['a RUN grown to a continuation', 'FROM debian\nRUN a\n# c\nCMD ["x"]\n', [rep(1, 1, 'RUN a \\', '  && b')], 'region'],
    ['two RUNs merged into one', 'FROM debian\nRUN a\n\n# why\nRUN b\nUSER app\n', [rep(1, 4, 'RUN a \\', '  && b')], 'region'],
    ['an instruction deleted, its comment left above the next', 'FROM debian\n# about a\nRUN a\nCMD ["x"]\n', [rep(2, 2)], 'region'],
    ['a USER appended after the last instruction and trailing comments', 'FROM debian\nCMD ["x"]\n# end\n', [ins(3, 'USER 10001')], 'region'],
    ['a FROM tag pinned on the first line', 'FROM node\nRUN npm ci\n', [rep(0, 0, 'FROM node:22')], 'region'],
    ['a FROM tag pinned under a directive', '# syntax=docker/dockerfile:1\nFROM node\nRUN npm ci\n', [rep(1, 1, 'FROM node:22')], 'region'],
    ['a new stage inserted: later instructions change stage', 'FROM a AS x\nRUN one\nFROM b\nCMD ["y"]\n', [ins(2, 'FROM c AS z', 'RUN two')], 'region'],
    ['a FROM removed: later instructions join the stage before', 'FROM a\nRUN one\nFROM b\nCMD ["y"]\n', [rep(2, 2)], 'region'],
    ['several edits in one pass', 'FROM debian\nRUN a\nENV X=1\nRUN b\nRUN c\n', [rep(1, 1, 'RUN a2'), rep(4, 4, 'RUN c2', 'RUN c3')], 'region'],
    ['CRLF and a backtick escape', '# escape=`\r\nFROM mcr/win\r\nRUN a `\r\n  b\r\nCMD x\r\n', [rep(2, 3, 'RUN a `', '  b `', '  c')], 'region'],
    ['a heredoc written into a RUN', 'FROM debian\nRUN a\nCMD ["x"]\n', [rep(1, 1, 'RUN <<EOF', 'echo hi', 'EOF')], 'region'],
    ['a comment that could be a directive written at the top', 'FROM debian\nRUN a\n', [ins(0, '# syntax=docker/dockerfile:1')], 'full'],
    ['an escape-directive look-alike inside the region', 'FROM debian\nRUN a\nCMD ["x"]\n', [rep(1, 1, '# escape=`', 'RUN a')], 'full'],
    ['a continuation left open that swallows the next instruction', 'FROM debian\nRUN a\nCMD ["x"]\n', [rep(1, 1, 'RUN a \\')], 'full'],
    ['a heredoc whose terminator lies past the region', 'FROM debian\nRUN a\nRUN b \\\nEOF\n', [rep(1, 1, 'RUN <<EOF')], 'full'],
    ['an edit on a directive line', '# syntax=docker/dockerfile:1\nFROM debian\n', [rep(0, 0, '# syntax=docker/dockerfile:1.7')], 'full'],
  ])('%s', (_name, text, edits, how) => {
    const r = edited(text, edits);
    expect(r.mismatches).toBe(0);
    expect(r.incremental).toBe(how === 'region' ? 1 : 0);
    expect(r.model.text).toBe(r.next);
  });

  test('moved instructions keep their content with new lines, indexes and stages', () => {
    const r = edited('FROM a\nRUN one\nFROM b\n# c\nCMD ["y"]\n', [ins(1, 'FROM m AS mid', 'RUN two')]);
    const cmd = r.model.instructions[r.model.instructions.length - 1];
    expect(cmd).toMatchObject({ keyword: 'CMD', index: 5, startLine: 6, endLine: 6, stage: 2, leading: ['# c'], json: ['y'] });
    expect(r.model.stages.map((s) => s.image)).toEqual(['a', 'm', 'b']);
    expect(r.model.stages[2].instructions).toEqual([cmd]);
  });

  test('an edit whose output does not parse throws as a full parse would', () => {
    setIncrementalParse('on');
    const prev = parseDockerfile('FROM debian\nRUN a\n', 'Dockerfile.bad');
    const edits = [rep(1, 1, 'BOGUS a')];
    expect(() => parseEdited(prev, edits, applyEdits(prev, edits))).toThrow("Dockerfile.bad:2: unknown instruction 'BOGUS'");
  });

  // Every pass of every rewrite of a corpus sample: the incremental models equal full parses.
  const corpus = corpusFiles().filter((_, i) => i % 10 === 0);
  (corpus.length ? test : test.skip)('corpus rewrites: each pass model equals the full parse', () => {
    setIncrementalParse('verify');
    const before = incrementalParseCounts();
    for (const f of corpus) {
      try {
        optimizeText(f.text, f.name);
      } catch {
        /* bad input: refused before any pass */
      }
    }
    const after = incrementalParseCounts();
    expect(after.mismatches - before.mismatches).toBe(0);
    expect(after.incremental - before.incremental).toBeGreaterThan(corpus.length / 2);
  }, 120000);
});
