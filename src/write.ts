/**
 * --write: every file is replaced atomically (a temporary file in the same folder, fsync, rename), so a
 * crash mid-write leaves the old file whole. The mode of an existing file is kept; the text already
 * carries the original line endings and BOM.
 */
import * as fs from 'fs';
import type { FileResult } from './types';

export async function writeAtomic(file: string, text: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const writeFileAtomic = require('write-file-atomic') as typeof import('write-file-atomic');
  let mode: number | undefined;
  try {
    mode = fs.statSync(file).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  await writeFileAtomic(file, text, { encoding: 'utf8', fsync: true, ...(mode !== undefined ? { mode } : {}) });
}

/** Writes the Dockerfile, then its side files; all targets are checked for writability first. */
export async function writeResult(r: FileResult): Promise<void> {
  const targets = [{ path: r.path, text: r.output, old: r.original }, ...r.sideFiles.filter((s) => s.original !== s.output).map((s) => ({ path: s.path, text: s.output, old: s.original }))];
  for (const t of targets) {
    const dir = require('path').dirname(t.path);
    fs.accessSync(dir, fs.constants.W_OK);
    if (fs.existsSync(t.path)) fs.accessSync(t.path, fs.constants.W_OK);
  }
  for (const t of targets) if (t.text !== t.old) await writeAtomic(t.path, t.text);
}
