/** Unified diffs of a result: the Dockerfile and its side files (.dockerignore), headers naming each. */
import * as path from 'path';
import type { FileResult } from '../types';

export function unifiedDiff(oldText: string, newText: string, name: string, oldExists = true): string {
  if (oldText === newText) return '';
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  const patch = createTwoFilesPatch(oldExists ? `a/${name}` : '/dev/null', `b/${name}`, oldText, newText, '', '', { context: 3 });
  // The first line is a separator line of '=' that git-style diffs do not have.
  return patch.replace(/^=+\r?\n/, '');
}

/** `seenSideFiles`: side files already shown (a context's .dockerignore shared by several Dockerfiles is shown once). */
export function resultDiff(r: FileResult, cwd = process.cwd(), seenSideFiles?: Set<string>): string {
  const rel = (p: string) => path.relative(cwd, p).split(path.sep).join('/') || path.basename(p);
  let out = unifiedDiff(r.original, r.output, rel(r.path));
  for (const sf of r.sideFiles) {
    if (seenSideFiles) {
      const key = path.resolve(sf.path);
      if (seenSideFiles.has(key)) continue;
      seenSideFiles.add(key);
    }
    out += unifiedDiff(sf.original ?? '', sf.output, rel(sf.path), sf.original !== null);
  }
  return out;
}

export function colorize(diffText: string): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pc = require('picocolors') as typeof import('picocolors');
  return diffText
    .split('\n')
    .map((l) => {
      if (l.startsWith('+++') || l.startsWith('---')) return pc.bold(l);
      if (l.startsWith('@@')) return pc.cyan(l);
      if (l.startsWith('+')) return pc.green(l);
      if (l.startsWith('-')) return pc.red(l);
      return l;
    })
    .join('\n');
}
