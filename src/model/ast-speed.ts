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
  document: { offsetAt(p: Pos): number };
  range: { start: Pos; end: Pos };
  getInstructionRange(): { start: Pos; end: Pos };
  __dzoKey?: number[];
  __dzoArgs?: unknown[];
}

const proto = Instruction.prototype as unknown as { getRawArguments(this: Raw): unknown[] };
const original = proto.getRawArguments;

function memoized(this: Raw): unknown[] {
  const d = this.document;
  const ir = this.getInstructionRange();
  const key = [d.offsetAt(this.range.start), d.offsetAt(this.range.end), d.offsetAt(ir.start), d.offsetAt(ir.end)];
  const was = this.__dzoKey;
  if (was && this.__dzoArgs && was[0] === key[0] && was[1] === key[1] && was[2] === key[2] && was[3] === key[3]) return this.__dzoArgs.slice();
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
