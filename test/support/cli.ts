/** Helpers shared by the tests that run the CLI in-process over a tree of files they write. */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';

/** Writes files (relative path -> text) under dir, making folders as needed. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

/** The CLI in this process, from cwd: its exit code, stdout and stderr. */
export async function runCli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd });
  return { code, out, err };
}
