/**
 * The arms every transform's walk over the original stage shares. Each transform handles FROM, RUN,
 * COPY/ADD, WORKDIR, ENV and ARG its own way; the rest is the same everywhere: USER, ENTRYPOINT and CMD
 * are remembered (the runtime stage gets them back in its own place), HEALTHCHECK too, SHELL and ONBUILD
 * decline the rewrite, and LABEL, EXPOSE, STOPSIGNAL, VOLUME, MAINTAINER are kept for the runtime stage
 * (Python reads VOLUME first, for the directories the app writes).
 */
import * as path from 'path';
import type { Instruction } from '../../src/model/parse';

export interface RuntimeSlots {
  user: Instruction | null;
  entrypoint: Instruction | null;
  cmd: Instruction | null;
  healthcheck: Instruction | null;
  /** Instructions the runtime stage keeps as they are, in order. */
  kept: Instruction[];
}

/**
 * Takes an instruction into the slots. `keepHealthcheck`: the stack keeps HEALTHCHECK verbatim in
 * place (otherwise it rewrites it from the slot). Returns the reason to decline the rewrite, or null.
 */
export function takeRuntimeInstruction(ins: Instruction, a: RuntimeSlots, opts: { keepHealthcheck: boolean }): string | null {
  const line = ins.startLine + 1;
  switch (ins.keyword) {
    case 'USER':
      a.user = ins;
      return null;
    case 'ENTRYPOINT':
      a.entrypoint = ins;
      return null;
    case 'CMD':
      a.cmd = ins;
      return null;
    case 'HEALTHCHECK':
      a.healthcheck = ins;
      if (opts.keepHealthcheck) a.kept.push(ins);
      return null;
    case 'SHELL':
      return `SHELL at line ${line} changes the shell; not rewritten`;
    case 'ONBUILD':
      return `ONBUILD at line ${line}: a base image for other builds is not rewritten`;
    default:
      a.kept.push(ins);
      return null;
  }
}

/** A path as the image sees it from the directory `base` (POSIX, whatever the host). */
export function resolveDir(base: string, p: string): string {
  return path.posix.resolve(base, p);
}

/** Where a WORKDIR instruction moves from `current`, or why the rewrite declines: it uses a variable. */
export function nextWorkdir(ins: Instruction, current: string): { dir: string; declined?: undefined } | { dir?: undefined; declined: string } {
  const dir = resolveDir(current, ins.args.join(' '));
  return dir.includes('$') ? { declined: `WORKDIR at line ${ins.startLine + 1} uses a variable` } : { dir };
}
