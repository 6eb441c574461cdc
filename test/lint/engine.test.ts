/** The rules engine: fixed point, conflicts between fixes, fixes that break the file, line origins. */
import { runCase } from '../../transforms/common/rules/tester';
import type { Rule } from '../../src/rules/rule';
import { RULES } from '../../transforms/common/rules';
import { afterWord, editScript, scripts } from '../../transforms/common/rules/util';

const breaker: Rule = {
  id: 'T-BREAK',
  description: 'replaces the first instruction with an unknown one',
  severity: 'info',
  check: ({ model }) => (model.instructions[1]?.keyword === 'RUN' ? [{ line: 1, message: 'break', fix: [{ startLine: 1, endLine: 1, lines: ['FOO bar'] }] }] : []),
};

const upper: Rule = {
  id: 'T-UPPER',
  description: 'upper-cases lower-case keywords, one per pass',
  severity: 'info',
  check: ({ model }) => {
    const i = model.instructions.find((x) => /^[a-z]/.test(x.lines[0]));
    return i ? [{ line: i.startLine, message: `upper ${i.keyword}`, fix: [{ startLine: i.startLine, endLine: i.endLine, lines: [i.lines[0].replace(/^[a-z]+/, (k) => k.toUpperCase())] }] }] : [];
  },
};

test('a fix whose output does not parse is dropped with a finding, once, and the others still apply', () => {
  const o = runCase([breaker, upper], { code: 'FROM debian\nRUN a\nrun b\n' });
  expect(o.text).toBe('FROM debian\nRUN a\nRUN b\n');
  expect(o.findings.filter((f) => f.ruleId === 'T-BREAK').map((f) => f.message)).toEqual(['a fix was dropped because its output did not parse: break']);
  expect(o.changes.map((c) => c.ruleId)).toEqual(['T-UPPER']);
});

test('fixes that touch the same lines take turns until nothing changes', () => {
  const o = runCase([upper], { code: 'from debian\nrun a\nrun b\nrun c\n' });
  expect(o.text).toBe('FROM debian\nRUN a\nRUN b\nRUN c\n');
  expect(o.changes).toHaveLength(4);
});

test('changes of later passes keep the line of the original file they stem from', () => {
  // DO-MERGE-RUNS goes first and moves lines; the apt-get fixes of the next passes still name line 3.
  const o = runCase(RULES, { code: 'FROM debian:bookworm\n# tools\nRUN apt update\nRUN apt install make=4.3-4.1\n' });
  expect(o.text).toBe('FROM debian:bookworm\n# tools\nRUN apt-get update \\\n    && apt-get install --no-install-recommends -y make=4.3-4.1 && rm -rf /var/lib/apt/lists/*\n');
  for (const c of o.changes.filter((x) => x.ruleId.startsWith('DO-APT'))) expect(c.line).toBe(3);
});

test('a rule switched off does nothing', () => {
  const code = 'FROM debian:bookworm\nMAINTAINER me\n';
  expect(runCase(RULES, { code }).text).toBe('FROM debian:bookworm\nLABEL maintainer="me"\n');
  // runCase passes no options; the engine reads `disable` from them
  const { runRules } = jest.requireActual('../../src/rules/engine') as typeof import('../../src/rules/engine');
  const { BuildContext } = jest.requireActual('../../src/stack/context') as typeof import('../../src/stack/context');
  const o = runRules(code, '/nonexistent/Dockerfile', RULES, { ctx: new BuildContext('/nonexistent'), stack: 'unknown', options: { disable: ['DO-MAINTAINER'] }, rewritten: false });
  expect(o.text).toBe(code);
});

test('fixes keep CRLF line endings, the escape directive and continuation layout', () => {
  const code = '# escape=`\r\nFROM python:3.12\r\nRUN pip install `\r\n      flask\r\nRUN echo done\r\n';
  const o = runCase(RULES, { code });
  expect(o.text).toBe('# escape=`\r\nFROM python:3.12\r\nRUN pip install --no-cache-dir `\r\n      flask `\r\n    && echo done\r\n');
});

test('words are found by the shell parser, not by their text: a quoted "pip install" is left alone', () => {
  const code = "FROM python:3.12\nRUN echo 'pip install x' && pip install y\n";
  expect(runCase(RULES, { code }).text).toBe("FROM python:3.12\nRUN echo 'pip install x' && pip install --no-cache-dir y\n");
});

test('findings describe the final text: one that a later pass resolved is not reported', () => {
  const o = runCase(RULES, { code: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y make\nRUN apt-get install -y gcc\n' });
  expect(o.text).toBe('FROM debian:bookworm\nRUN apt-get update && apt-get install --no-install-recommends -y make \\\n    && apt-get install --no-install-recommends -y gcc && rm -rf /var/lib/apt/lists/*\n');
  expect(o.findings.filter((f) => f.ruleId === 'DO-APT-LISTS')).toEqual([]);
});

/** A rule that inserts `word` after the command name of the first command of every RUN lacking it, through editScript. */
function inserter(id: string, word: string, after: (cmd: string) => boolean, mutate = false): Rule & { calls: number } {
  const rule = {
    id,
    description: `inserts ${word}`,
    severity: 'info' as const,
    calls: 0,
    check({ model }: Parameters<Rule['check']>[0]) {
      rule.calls++;
      const out = [];
      for (const s of scripts(model)) {
        const c = s.parsed.commands.find((x) => after(x.name) && !x.argv.some((w) => w.value === word));
        if (!c) continue;
        const at = afterWord(s, c, 0)!;
        const fix = editScript(model, s, [{ start: at, end: at, text: ` ${word}` }])!;
        if (mutate) fix.lines[0] = fix.lines[0].replace(/^RUN/, 'RUN ');
        out.push({ line: s.ins.startLine, message: `${id} ${word}`, fix: [fix] });
      }
      return out;
    },
  };
  return rule;
}

describe('fixes of several rules on the same RUN', () => {
  test('words far apart are applied in one pass (ESLint-style), and the text is what taking turns gives', () => {
    const a = inserter('T-A', '-a', (n) => n === 'foo');
    const b = inserter('T-B', '-b', (n) => n === 'bar');
    const o = runCase([a, b], { code: 'FROM debian\nRUN foo x && bar y\n' });
    expect(o.text).toBe('FROM debian\nRUN foo -a x && bar -b y\n');
    expect(o.changes.map((c) => c.ruleId)).toEqual(['T-A', 'T-B']);
    // one pass that fixes both, one that finds nothing
    expect([a.calls, b.calls]).toEqual([2, 2]);
  });

  test('edits at the same place take turns', () => {
    const a = inserter('T-A', '-a', (n) => n === 'foo');
    const b = inserter('T-B', '-b', (n) => n === 'foo');
    const o = runCase([a, b], { code: 'FROM debian\nRUN foo x\n' });
    expect(o.text).toBe('FROM debian\nRUN foo -b -a x\n');
    expect([a.calls, b.calls]).toEqual([3, 3]);
  });

  test('a fix whose lines a rule changed after editScript is not combined (its own change would be lost)', () => {
    const a = inserter('T-A', '-a', (n) => n === 'foo');
    const b = inserter('T-B', '-b', (n) => n === 'bar', true);
    const o = runCase([a, b], { code: 'FROM debian\nRUN foo x && bar y\n' });
    expect(o.text).toBe('FROM debian\nRUN  foo -a x && bar -b y\n');
    expect([a.calls, b.calls]).toEqual([3, 3]);
  });
});
