import { parseDockerfile, joinContinuations } from '../../src/model/parse';
import { InputError } from '../../src/types';

describe('parseDockerfile', () => {
  test('keeps exact lines, leading comments and stages', () => {
    const text = '# syntax=docker/dockerfile:1\n# header\nARG V=20\n\n# base\nFROM node:${V} AS b\nRUN echo a \\\n  # inner comment\n  && echo b\nCMD ["node", "x.js"]\n';
    const m = parseDockerfile(text, 'Dockerfile');
    expect(m.directives).toEqual([{ name: 'syntax', value: 'docker/dockerfile:1', line: 0 }]);
    expect(m.instructions.map((i) => i.keyword)).toEqual(['ARG', 'FROM', 'RUN', 'CMD']);
    const run = m.instructions[2];
    expect(run.lines).toEqual(['RUN echo a \\', '  # inner comment', '  && echo b']);
    expect(run.body).toBe('echo a   && echo b');
    expect(m.instructions[1].leading).toEqual(['', '# base']);
    expect(m.instructions[3].json).toEqual(['node', 'x.js']);
    expect(m.stages[0].name).toBe('b');
    expect(m.instructions[0].stage).toBe(-1);
  });

  test('CRLF, BOM and backtick escape are recognised', () => {
    const text = '\ufeff# escape=`\r\nFROM node:20\r\nRUN echo a `\r\n  b\r\n';
    const m = parseDockerfile(text, 'Dockerfile');
    expect(m.bom).toBe(true);
    expect(m.eol).toBe('\r\n');
    expect(m.escape).toBe('`');
    expect(m.instructions[1].body).toBe('echo a   b');
    expect(m.instructions[1].endLine).toBe(3);
  });

  test.each([
    ['', 'empty'],
    ['   \n\n', 'empty'],
    ['FROM node:20\nFOO bar\n', "Dockerfile:2: unknown instruction 'FOO'"],
    ['RUN echo hi\n', "Dockerfile:1: 'RUN' before the first FROM"],
    ['# just a comment\n', 'no FROM instruction'],
    ['\u0000\u0001\u0002binary', 'binary'],
  ])('bad input %j -> InputError mentioning %s', (text, msg) => {
    expect(() => parseDockerfile(text, 'Dockerfile')).toThrow(InputError);
    expect(() => parseDockerfile(text, 'Dockerfile')).toThrow(msg);
  });

  test('lowercase instructions are accepted', () => {
    const m = parseDockerfile('from node:20\nrun npm ci\n', 'Dockerfile');
    expect(m.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
  });

  test('joinContinuations drops comment and empty lines inside continuations', () => {
    expect(joinContinuations(['a \\', '# c', '', '  b'], '\\')).toBe('a   b');
  });
});
