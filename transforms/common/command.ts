/**
 * What a container runs: ENTRYPOINT and CMD in exec or shell form, reduced to a literal argv where
 * that is possible without changing behaviour (a single simple command, no expansions).
 */
import type { Instruction } from '../../src/model/parse';
import { parseShell, ShellCommand } from '../../src/shell';

export interface ProcessSpec {
  entrypoint: Instruction | null;
  cmd: Instruction | null;
}

export function lastOf(instructions: Instruction[], keyword: string): Instruction | null {
  for (let i = instructions.length - 1; i >= 0; i--) if (instructions[i].keyword === keyword) return instructions[i];
  return null;
}

/** Literal argv of a shell script that is one simple command; null otherwise. */
export function shellToArgv(script: string): { argv: string[]; env: Record<string, string> } | null {
  const parsed = parseShell(script);
  if (!parsed.ok || parsed.complex || parsed.commands.length !== 1) return null;
  return commandToArgv(parsed.commands[0]);
}

export function commandToArgv(c: ShellCommand): { argv: string[]; env: Record<string, string> } | null {
  if (c.redirects.length || c.inPipeline || c.negated || c.inSubshell) return null;
  const argv: string[] = [];
  for (const w of c.argv) {
    if (w.value === null || /[*?[]/.test(w.value) && w.text === w.value) return null;
    argv.push(w.value);
  }
  const env: Record<string, string> = {};
  for (const a of c.assigns) {
    if (a.value === null) return null;
    env[a.name] = a.value;
  }
  return argv.length ? { argv, env } : null;
}

/** The argv an instruction (CMD/ENTRYPOINT) stands for: exec form as is, shell form when literal. */
export function instructionArgv(ins: Instruction | null): string[] | null {
  if (!ins) return null;
  if (ins.json) return ins.json;
  const r = shellToArgv(ins.body);
  if (!r || Object.keys(r.env).length) return null;
  return r.argv;
}
