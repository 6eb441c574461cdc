/**
 * The argument memo of src/model/ast-speed.ts changes no model: every corpus Dockerfile (and a set of
 * tricky inline ones) parses to the same model, or the same error, with the memo on and off.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseDockerfile } from '../../src/model/parse';
import { setArgumentsMemo } from '../../src/model/ast-speed';
import { corporaDir as corpora, corpusFiles } from '../support/corpora';

const repoRoot = path.resolve(__dirname, '../..');

const inline = [
  'FROM node:20\nRUN --mount=type=cache,target=/root/.npm \\\n    --mount=type=secret,id=npmrc \\\n    npm ci\nCMD ["node", "a.js"]\n',
  '# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nCOPY ["a b", "c"]\n',
  'FROM alpine AS build\nCOPY --from=build --chown=1:1 /a /b\nRUN <<EOF\necho hi\nEOF\nHEALTHCHECK --interval=5s CMD ["true"]\nONBUILD RUN echo x\n',
  'ARG V=1\nFROM busybox:${V}\nRUN echo a \\\n# a comment inside\n  && echo b\nENTRYPOINT []\nSHELL ["/bin/sh", "-c"]\nVOLUME ["/data"]\n',
  'FROM x\nRUN ["echo", "unterminated\nEXPOSE 80/tcp 443\n',
  'FROM x\nRUNN y\n',
  'RUN before from\n',
];

function texts(): { name: string; text: string }[] {
  const out = inline.map((text, i) => ({ name: `inline-${i}`, text }));
  for (const ex of fs.readdirSync(path.join(repoRoot, 'examples'))) {
    const f = path.join(repoRoot, 'examples', ex, 'Dockerfile');
    if (fs.existsSync(f)) out.push({ name: f, text: fs.readFileSync(f, 'utf8') });
  }
  out.push(...corpusFiles());
  return out;
}

function parseAll(all: { name: string; text: string }[], tag: string): string[] {
  return all.map(({ name, text }) => {
    try {
      // A distinct path per round: the parse cache must not answer.
      const m = parseDockerfile(text, `${name}#${tag}`);
      return JSON.stringify({ ...m, path: name });
    } catch (err) {
      return `error: ${(err as Error).message.replace(`#${tag}`, '')}`;
    }
  });
}

test('models are identical with and without the argument memo', () => {
  const all = texts();
  expect(all.length).toBeGreaterThan(fs.existsSync(corpora) ? 3000 : inline.length);
  setArgumentsMemo(false);
  let plain: string[];
  try {
    plain = parseAll(all, 'plain');
  } finally {
    setArgumentsMemo(true);
  }
  const memo = parseAll(all, 'memo');
  const differing = all.filter((_, i) => plain[i] !== memo[i]).map((t) => t.name);
  expect(differing).toEqual([]);
  // The comparison compares something: models and errors both occur.
  expect(memo.some((m) => m.startsWith('error: '))).toBe(true);
  expect(memo.filter((m) => m.startsWith('{')).length).toBeGreaterThan(inline.length - 2);
});
