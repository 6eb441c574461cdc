/**
 * Tricky Dockerfile syntax through the whole pipeline, in a Node build context (the transform rewrites)
 * and in an empty one (only the cross-cutting rules run). For every case: no crash, the model splits the
 * instructions where BuildKit does, the output parses again (model and BuildKit) and passes BuildKit's
 * instruction checks when the input did, a second run changes nothing, and directives, BOM, line endings
 * and image metadata (ENV, LABEL, ARG, EXPOSE, STOPSIGNAL, HEALTHCHECK) are kept.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { parseDockerfile } from '../../src/model/parse';
import type { FileResult } from '../../src/types';
import { BkResult, bkParseTexts, buildkitHelper, metadataFacts, requireBuildkit } from '../support/buildkit';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-robust-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

const PKG = JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { express: '^4.21.2' } });
const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app', dependencies: { express: '^4.21.2' } }, 'node_modules/express': { version: '4.21.2' } } });
const NAIVE = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD ["npm", "start"]\n';

/** [name, Dockerfile text] */
const CASES: [string, string][] = [
  ['plain', NAIVE],
  ['backtick escape directive', '# escape=`\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install `\n    && echo done\nENV GREETING="a `\n  b"\nEXPOSE 3000\nCMD ["npm", "start"]\n'],
  ['escape directive with spaces and upper case', '#  ESCAPE = `\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install `\n    && echo done\nCMD ["npm", "start"]\n'],
  ['syntax directive', '# syntax=docker/dockerfile:1.7\n' + NAIVE],
  ['check directive', '# check=skip=JSONArgsRecommended;error=true\n' + NAIVE.replace('CMD ["npm", "start"]', 'CMD npm start')],
  ['syntax, check and escape directives', '# syntax=docker/dockerfile:1\n# check=error=true\n# escape=`\n\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['directive after a comment is only a comment', '# a comment\n# escape=`\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install \\\n && echo `done`\nCMD ["npm", "start"]\n'],
  ['CRLF', NAIVE.replace(/\n/g, '\r\n')],
  ['CRLF with continuations', 'FROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\nRUN npm install \\\r\n    && echo done\r\nCMD ["npm", "start"]\r\n'],
  ['BOM', '\ufeff' + NAIVE],
  ['BOM, CRLF and backtick escape', '\ufeff# escape=`\r\nFROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\nRUN npm install `\r\n  && echo ok\r\nCMD ["npm", "start"]\r\n'],
  ['comments and empty lines inside continuations', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install \\\n  # why: cache\n\n  && npm cache clean --force \\\n    # trailing comment \\\n  && echo done\nCMD ["npm", "start"]\n'],
  ['comment ending in an escape inside a continuation', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install \\\n# note \\\n  && echo done\nCMD ["npm", "start"]\n'],
  ['line ending in an escaped escape ends the instruction', 'FROM node:20\nWORKDIR /app\nENV WINPATH C:\\\\\nENV NEXT value\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['continuation at end of file', NAIVE + 'RUN echo last \\\n'],
  ['continuation followed by empty lines and a comment', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install \\\n\n# gap\n\n  && echo done\nCMD ["npm", "start"]\n'],
  ['no final newline', NAIVE.trimEnd()],
  ['heredoc RUN', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN <<EOF\nnpm install\necho "FROM inside a heredoc"\nEOF\nCMD ["npm", "start"]\n'],
  ['heredoc with quoted, chomped delimiter and COPY heredoc', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN <<-"END" bash\n\techo $HOME\n\tEND\nCOPY <<EOF /app/config.json\n{"port": 3000}\nEOF\nCMD ["npm", "start"]\n'],
  ['heredoc opened on a continuation line, with a file descriptor', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN cat \\\n  <<EOF\nhi \\\nEOF\nRUN 3<<EOT cat /dev/fd/3\nFROM x\nEOT\nCMD ["npm", "start"]\n'],
  ['heredoc markers in quotes and JSON are not heredocs', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install && echo "<<EOF"\nRUN ["echo", "<<EOF"]\nCMD ["npm", "start"]\n'],
  ['lowercase instructions', 'from node:20\nworkdir /app\ncopy . .\nrun npm install\nexpose 3000\ncmd ["npm", "start"]\n'],
  ['mixed case instructions', 'From node:20 as Base\nWorkDir /app\nCopy . .\nRun npm install\nExpose 3000\nCmd ["npm", "start"]\n'],
  ['ONBUILD', 'FROM node:20\nONBUILD COPY . /app\nONBUILD RUN npm install\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['shell-form CMD and ENTRYPOINT', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nENTRYPOINT exec node\nCMD npm start\n'],
  ['exec form with escapes', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN ["/bin/sh", "-c", "npm install && echo \\"done\\""]\nCMD ["node", "server.js", "--name=\\u00e9t\\u00e9"]\n'],
  ['invalid JSON is shell form', "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ['npm', 'start']\n"],
  ['unterminated JSON', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["npm", "start"\n'],
  ['ARG before FROM', 'ARG NODE_VERSION=20\nARG APP_DIR=/app\nFROM node:${NODE_VERSION}\nARG APP_DIR\nWORKDIR ${APP_DIR}\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['ARG scoping across stages', 'ARG BASE=node:20\nFROM ${BASE} AS deps\nARG TOKEN\nWORKDIR /app\nCOPY . .\nRUN npm install\nFROM ${BASE}\nARG BASE\nLABEL base=$BASE\nCOPY --from=deps /app /app\nWORKDIR /app\nCMD ["npm", "start"]\n'],
  ['--platform', 'FROM --platform=$BUILDPLATFORM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['already multi-stage', 'FROM node:20 AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n\nFROM node:20-slim\nWORKDIR /app\nCOPY --from=build /app /app\nUSER node\nCMD ["node", "server.js"]\n'],
  ['metadata in every form', 'FROM node:20\nLABEL a=b c="d e" \\\n  f=g\nLABEL maintainer "x <x@example.com>"\nMAINTAINER someone\nENV A=1 B="two words" C=\'single\'\nENV D 4 and more\nARG X=1\nEXPOSE 3000/tcp 9229\nSTOPSIGNAL SIGTERM\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:3000/ || exit 1\nWORKDIR /app\nCOPY . .\nRUN npm install\nVOLUME ["/data"]\nCMD ["npm", "start"]\n'],
  ['HEALTHCHECK NONE, SHELL and USER', 'FROM node:20\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nHEALTHCHECK NONE\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN npm install | tee /tmp/log\nUSER node\nCMD ["npm", "start"]\n'],
  ['tabs and trailing whitespace', 'FROM node:20\t\nWORKDIR\t/app   \nCOPY . .\nRUN\tnpm install \\   \n\t&& echo done\nCMD ["npm", "start"]   \n'],
  ['comments everywhere', '# header\n\n# more\nFROM node:20 # not a comment\n# before workdir\nWORKDIR /app\n\n\nCOPY . .\n  # indented comment\nRUN npm install\nCMD ["npm", "start"]\n# trailing\n\n# end\n'],
  ['RUN with mounts and flags', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm --network=default npm install\nCMD ["npm", "start"]\n'],
  ['COPY with --from an image and --link', 'FROM node:20\nWORKDIR /app\nCOPY --link --from=busybox:1 /bin/busybox /bin/busybox\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['ADD with URL and --chmod', 'FROM node:20\nWORKDIR /app\nADD --chmod=755 https://example.com/tool.sh /usr/local/bin/tool\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'],
  ['unicode text', 'FROM node:20\nLABEL description="Grüße, 世界 🐳"\nWORKDIR /app\nCOPY . .\nRUN npm install && echo "héllo"\nCMD ["npm", "start"]\n'],
  ['lone carriage returns (mixed line endings)', 'FROM node:20\r\r\nWORKDIR /app\nCOPY . .\nRUN npm install \\\r\r\n  && echo "a\rb"\nCMD ["npm", "start"]\n'],
  ['old Mac line endings (CR only) are one line to BuildKit', 'FROM node:20\rWORKDIR /app\rCMD ["npm", "start"]\r'],
  ['empty RUN continuation lines only', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install \\\n\\\n  && echo done\nCMD ["npm", "start"]\n'],
];

interface Run {
  input: string;
  result: FileResult;
  second: string;
}

function runCase(text: string, withNode: boolean): Run {
  const dir = withNode ? context({ 'package.json': PKG, 'package-lock.json': LOCK, 'server.js': 'require("express")' }) : context({});
  const file = path.join(dir, 'Dockerfile');
  const result = optimizeText(text, file);
  const second = optimizeText(result.output, file).output;
  return { input: text, result, second };
}

const directiveLines = (t: string) => {
  const out: string[] = [];
  for (const l of t.replace(/^\ufeff/, '').split(/\r?\n/)) {
    if (!/^#\s*[a-zA-Z]+\s*=/.test(l)) break;
    out.push(l);
  }
  return out;
};

const bin = buildkitHelper() ?? requireBuildkit();

describe.each([
  ['node context', true],
  ['empty context', false],
])('%s', (_label, withNode) => {
  const runs = new Map<string, Run>();
  let bk: Map<string, { before: BkResult; after: BkResult; second: BkResult }> | null = null;

  beforeAll(() => {
    for (const [name, text] of CASES) runs.set(name, runCase(text, withNode as boolean));
    if (bin) {
      const names = [...runs.keys()];
      const texts = names.flatMap((n) => [runs.get(n)!.input, runs.get(n)!.result.output, runs.get(n)!.second]);
      const res = bkParseTexts(bin, texts);
      bk = new Map(names.map((n, i) => [n, { before: res[3 * i], after: res[3 * i + 1], second: res[3 * i + 2] }]));
    }
  });

  test.each(CASES.map(([n]) => n))('%s', (name) => {
    const { input, result, second } = runs.get(name)!;
    const out = result.output;
    expect(result.findings.filter((f) => f.ruleId === 'DO-INTERNAL' || /^rule failed/.test(f.message))).toEqual([]);
    // The output is a Dockerfile again, and a fixed point.
    expect(() => parseDockerfile(out, 'Dockerfile')).not.toThrow();
    expect(second).toBe(out);
    // Directives, BOM and line endings are kept; no # syntax= line appears that was not there.
    expect(directiveLines(out)).toEqual(directiveLines(input));
    expect(out.charCodeAt(0) === 0xfeff).toBe(input.charCodeAt(0) === 0xfeff);
    const mixed = /\r\n/.test(input) && /(^|[^\r])\n/.test(input);
    if (/\r\n/.test(input) && !mixed) expect(out.replace(/\r\n/g, '')).not.toMatch(/\n/);
    else if (!mixed) expect(out).not.toMatch(/\r\n/);
    if (!bk) return;
    const { before, after } = bk.get(name)!;
    // The model draws instruction boundaries where BuildKit does, on the input and on the output.
    for (const [text, b] of [
      [input, before],
      [out, after],
    ] as const) {
      if (!b.parsed) continue;
      const m = parseDockerfile(text, 'Dockerfile');
      expect(m.instructions.map((i) => `${i.keyword.toLowerCase()}@${i.startLine + 1}`)).toEqual(b.nodes.map((n, i) => `${n.split(/[ (]/)[0]}@${b.lines[i]}`));
      expect(m.escape).toBe(b.escape);
    }
    if (before.parsed) expect(after.error ?? '').toBe(before.valid ? '' : after.error ?? '');
    expect(after.parsed).toBe(before.parsed);
    if (before.valid) expect(after.valid).toBe(true);
    const kept = new Set(metadataFacts(after));
    const changed = new Set(result.changes.map((c) => c.line).filter((l): l is number => l !== undefined));
    expect(metadataFacts(before, changed).filter((f) => !kept.has(f))).toEqual([]);
  });
});

describe('model details BuildKit agrees on', () => {
  test.each([
    ['a stray byte-order mark', '\ufeff\ufeff\nFROM debian\n', 1, 'U+FEFF'],
    ['a no-break space between instructions', 'FROM debian\n\u00a0\nRUN x\n', 2, 'U+00A0'],
  ])('a line blank to JavaScript but not to BuildKit is refused: %s', (_name, text, line, ch) => {
    expect(() => parseDockerfile(text, 'Dockerfile')).toThrow(`Dockerfile:${line}: unknown instruction: the line holds only an invisible character (${ch})`);
  });

  test('a line ending in an escaped escape is not a continuation', () => {
    const m = parseDockerfile('FROM a\nENV C trailing\\\\\nENV D x\n', 'Dockerfile');
    expect(m.instructions.map((i) => [i.keyword, i.startLine, i.endLine])).toEqual([
      ['FROM', 0, 0],
      ['ENV', 1, 1],
      ['ENV', 2, 2],
    ]);
    expect(m.instructions[2].args).toEqual(['D', 'x']);
  });

  test('the same with the backtick escape', () => {
    const m = parseDockerfile('# escape=`\nFROM a\nENV C c:``\nENV D x\nRUN a `\n  b\n', 'Dockerfile');
    expect(m.instructions.map((i) => [i.keyword, i.startLine, i.endLine])).toEqual([
      ['FROM', 1, 1],
      ['ENV', 2, 2],
      ['ENV', 3, 3],
      ['RUN', 4, 5],
    ]);
    expect(m.instructions[3].body).toBe('a   b');
  });

  test('a file may end inside a continuation; the escape is not part of the body', () => {
    const m = parseDockerfile('FROM a\nRUN something \\', 'Dockerfile');
    expect(m.instructions[1].body).toBe('something');
    expect(parseDockerfile('FROM a\nRUN something \\\n\n', 'Dockerfile').instructions[1].body).toBe('something');
  });

  test('lines end at LF only; CRs before it are dropped, a CR inside a line is blank space', () => {
    const m = parseDockerfile('\r\r\nFROM a\r\nRUN x \\\r\r\n  y\r\nCMD ["a",\r"b"]\r\n', 'Dockerfile');
    expect(m.instructions.map((i) => [i.keyword, i.startLine, i.endLine, i.body])).toEqual([
      ['FROM', 1, 1, 'a'],
      ['RUN', 2, 3, 'x   y'],
      ['CMD', 4, 4, '["a",\r"b"]'],
    ]);
    expect(m.instructions[2].json).toEqual(['a', 'b']);
    expect(m.eol).toBe('\r\n');
  });

  test('heredoc bodies belong to their instruction', () => {
    const m = parseDockerfile('FROM a\nRUN <<EOF\nFROM b\nEOF\nCMD x\n', 'Dockerfile');
    expect(m.stages).toHaveLength(1);
    expect(m.instructions.map((i) => [i.keyword, i.startLine, i.endLine])).toEqual([
      ['FROM', 0, 0],
      ['RUN', 1, 3],
      ['CMD', 4, 4],
    ]);
    expect(m.instructions[1].heredoc).toBe(true);
  });

  test('heredocs dockerfile-ast misses: opened on a continuation line, with a file descriptor', () => {
    const m = parseDockerfile('FROM a\nRUN cat \\\n  <<EOF\nhi \\\nEOF\nRUN 3<<EOT cat /dev/fd/3\nFROM x\nEOT\nCMD x\n', 'Dockerfile');
    expect(m.instructions.map((i) => [i.keyword, i.startLine, i.endLine, i.heredoc])).toEqual([
      ['FROM', 0, 0, false],
      ['RUN', 1, 4, true],
      ['RUN', 5, 7, true],
      ['CMD', 8, 8, false],
    ]);
    expect(m.stages).toHaveLength(1);
  });

  test('an unterminated heredoc is bad input, as in BuildKit', () => {
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\necho\n', 'Dockerfile')).toThrow('Dockerfile:2: unterminated heredoc');
  });

  test('invalid JSON is shell form; valid JSON is exec form', () => {
    const m = parseDockerfile("FROM a\nCMD ['x']\nCMD [\"x\", \"y\"]\nCMD [\"x\", 1]\n", 'Dockerfile');
    expect(m.instructions.slice(1).map((i) => i.json)).toEqual([null, ['x', 'y'], null]);
  });

  test('ARG before FROM is kept outside any stage; stage names and platforms are read', () => {
    const m = parseDockerfile('ARG V=1\nFROM --platform=$BUILDPLATFORM img:${V} AS Build\nFROM scratch\n', 'Dockerfile');
    expect(m.instructions[0].stage).toBe(-1);
    expect(m.stages.map((s) => [s.image, s.name, s.platform])).toEqual([
      ['img:${V}', 'build', '$BUILDPLATFORM'],
      ['scratch', null, null],
    ]);
  });
});
