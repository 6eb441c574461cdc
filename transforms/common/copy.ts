/**
 * COPY/ADD operands as every transform reads them: the sources and the destination, in JSON or shell
 * form, or the reason the instruction cannot be moved between stages (a heredoc, a copy from another
 * image, a URL or archive ADD, a variable in a path).
 */
import { flagOf, Instruction, parseJsonForm } from '../../src/model/parse';

export interface CopyOperands {
  sources: string[];
  dest: string;
}

/** The operands of a COPY/ADD, or why a rewrite cannot move it (a sentence naming the line). */
export function copyOperands(ins: Instruction): CopyOperands | string {
  const line = ins.startLine + 1;
  if (ins.heredoc) return `${ins.keyword} at line ${line} uses a heredoc`;
  if (flagOf(ins, 'from') !== undefined) return `COPY --from at line ${line} copies from another image`;
  const parts = (parseJsonForm(ins.body) ?? ins.args).slice();
  if (parts.length < 2) return `${ins.keyword} at line ${line} has no destination`;
  const dest = parts.pop()!;
  if (ins.keyword === 'ADD' && parts.some((s) => /^(https?|git):\/\/|\.(tar|tgz|tar\.gz|tar\.xz|tar\.bz2|zip)$/.test(s) || s.startsWith('git@'))) {
    return `ADD at line ${line} fetches a URL or unpacks an archive`;
  }
  if (parts.some((s) => s.includes('$')) || dest.includes('$')) return `${ins.keyword} at line ${line} uses a variable`;
  return { sources: parts, dest };
}
