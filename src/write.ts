/**
 * --write: every file is replaced atomically — the new text goes to a hidden temporary file in the same
 * folder (`.<name>.dockerize-optimize-<pid>-<n>.tmp`, a name discovery never picks up), is flushed to
 * disk, then renamed over the target, so a crash or Ctrl-C at any moment leaves the old file whole. The
 * mode of an existing file is kept; the text already carries the original line endings and BOM. All
 * targets of a result are checked before any is written: a read-only one stops the whole result.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FileResult } from './types';

/** A target that cannot be written; the message names it. */
export class WriteError extends Error {
  constructor(
    public file: string,
    public reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'WriteError';
  }
}

const pending = new Set<string>();
let counter = 0;
let handlersInstalled = false;

/** On SIGINT/SIGTERM/SIGHUP, remove temporary files of writes in flight, then die of the same signal. */
function installSignalCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const tmp of pending) {
        try {
          fs.unlinkSync(tmp);
        } catch {
          /* already renamed or removed */
        }
      }
      process.kill(process.pid, sig);
    });
  }
}

function code(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device', ENOENT: 'folder does not exist', ELOOP: 'symbolic link loop' };
  return e?.code ? `${words[e.code] ?? 'cannot write'} (${e.code})` : (err as Error)?.message ?? String(err);
}

/** Why `file` cannot be replaced, or null when it can. */
export function unwritableReason(file: string): string | null {
  const dir = path.dirname(file);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    return `its folder is not writable: ${code(err)}`;
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return code(err);
  }
  if (!st.isFile()) return 'is not a regular file';
  // A file without any write permission is read-only on purpose, even for root.
  if ((st.mode & 0o222) === 0) return 'is read-only (no write permission); not replaced';
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch (err) {
    return `is not writable: ${code(err)}`;
  }
  return null;
}

export async function writeAtomic(file: string, text: string): Promise<void> {
  installSignalCleanup();
  let target = file;
  try {
    // Replace what a symbolic link points at, not the link.
    target = fs.realpathSync(file);
  } catch {
    /* new file */
  }
  let mode: number | undefined;
  try {
    mode = fs.statSync(target).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.dockerize-optimize-${process.pid}-${++counter}.tmp`);
  pending.add(tmp);
  try {
    const fd = fs.openSync(tmp, 'wx', mode ?? 0o644);
    try {
      fs.writeFileSync(fd, text, 'utf8');
      if (mode !== undefined) fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    pending.delete(tmp);
    try {
      const dfd = fs.openSync(path.dirname(target), 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    } catch {
      /* some file systems cannot fsync a folder */
    }
  } catch (err) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never created */
    }
    pending.delete(tmp);
    throw new WriteError(file, `not written: ${code(err)}`);
  }
}

/** Writes the Dockerfile, then its side files; all targets are checked for writability first. */
export async function writeResult(r: FileResult): Promise<void> {
  const targets = [{ path: r.path, text: r.output, old: r.original }, ...r.sideFiles.filter((s) => s.original !== s.output).map((s) => ({ path: s.path, text: s.output, old: s.original }))];
  for (const t of targets) {
    if (t.text === t.old) continue;
    const why = unwritableReason(t.path);
    if (why) throw new WriteError(t.path, why);
  }
  for (const t of targets) if (t.text !== t.old) await writeAtomic(t.path, t.text);
}
