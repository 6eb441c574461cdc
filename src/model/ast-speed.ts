/**
 * dockerfile-ast re-scans an instruction's text each time its arguments are asked for, and its own
 * constructors ask five or more times per RUN/COPY/CMD (JSON-form detection, flags, ranges): on real
 * Dockerfiles that was half the parse time. This memoizes Instruction#getRawArguments per instance,
 * keyed by the instance's ranges (so a range the parser changes later recomputes), and hands out
 * copies of the array (callers shift() it). test/unit/monorepo-ast-speed.test.ts parses every corpus
 * file with and without it and requires identical models.
 */
import { Instruction } from 'dockerfile-ast';

type Pos = { line: number; character: number };
interface Raw {
  range: { start: Pos; end: Pos };
  getInstructionRange(): { start: Pos; end: Pos };
  __dzoKey?: number[];
  __dzoArgs?: unknown[];
}

const proto = Instruction.prototype as unknown as { getRawArguments(this: Raw): unknown[] };
const original = proto.getRawArguments;

function memoized(this: Raw): unknown[] {
  // The ranges' positions, read afresh (the parser may move a range): within one document a position
  // stands for one offset, and comparing them needs no lookup.
  const r = this.range;
  const ir = this.getInstructionRange();
  const key = [r.start.line, r.start.character, r.end.line, r.end.character, ir.start.line, ir.start.character, ir.end.line, ir.end.character];
  const was = this.__dzoKey;
  if (was && this.__dzoArgs && key.every((v, i) => v === was[i])) return this.__dzoArgs.slice();
  const args = original.call(this);
  this.__dzoKey = key;
  this.__dzoArgs = args.slice();
  return args;
}

/** Switch the memo on (the default once this module is loaded) or off (tests compare both). */
export function setArgumentsMemo(on: boolean): void {
  proto.getRawArguments = on ? memoized : original;
}

setArgumentsMemo(true);
