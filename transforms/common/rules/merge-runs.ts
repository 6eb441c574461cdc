/**
 * DO-MERGE-RUNS (DL3059): consecutive RUNs become one RUN, one layer, joined with `&&` — only where that
 * runs the same commands with the same outcome:
 * - both shell form with the same flags (none, or the same cache mounts), no heredoc, in a stage
 *   without a SHELL instruction;
 * - every RUN but the last changes no shell state the next one would inherit (cd, export, set, umask,
 *   source, exec, exit, variable assignments, background jobs) and ends with a plain command (no
 *   trailing comment that would swallow what follows);
 * - every RUN but the first is a chain of `&&` and pipes only (a `;` or `||` would run after a failure
 *   of the RUN before it);
 * - nothing but blank lines and comments between them (comments are kept inside the continuation).
 */
import type { Instruction, DockerfileModel } from '../../../src/model/parse';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { effectiveName, parseShell } from '../../../src/shell';
import { charIndex, familyOf, scriptOf, Script } from './util';

const STATEFUL = new Set(['cd', 'pushd', 'popd', 'export', 'set', 'unset', 'umask', 'source', '.', 'exec', 'exit', 'return', 'alias', 'unalias', 'shopt', 'trap', 'ulimit', 'readonly', 'declare', 'typeset', 'local', 'eval', 'shift', 'hash', 'wait', 'enable', 'builtin']);

/** RPM-family package managers: hadolint's cache checks (DL3032, DL3040) misread them in merged RUNs. */
const RPM = new Set(['yum', 'dnf', 'microdnf', 'zypper']);

/** The RUN's flags as one comparable text; null when a flag is not a cache mount (networks, secrets, security). */
function flagKey(s: Script): string | null {
  if (!s.ins.flags.every((f) => f.name === 'mount' && f.value !== null && /(^|,)type=cache(,|$)/.test(f.value))) return null;
  const key = s.ins.flags.map((f) => `--${f.name}=${f.value}`).join(' ');
  // Flags on a continuation line would not be removed when the RUN joins the one before.
  return s.ins.flags.every((f) => s.ins.lines[0].includes(`--${f.name}=${f.value}`)) ? key : null;
}

function base(s: Script | null): boolean {
  return !!s && flagKey(s) !== null && !s.ins.heredoc && s.parsed.ok && !s.parsed.commands.some((c) => RPM.has(effectiveName(c)));
}

/** RUN a may be followed by `&& b` in the same shell. */
function canLead(s: Script): boolean {
  for (const c of s.parsed.commands) {
    const n = effectiveName(c);
    if (STATEFUL.has(n) || STATEFUL.has(c.name)) return false;
    if (c.argv.length === 0 && c.assigns.length > 0) return false;
    if (c.next === '&') return false;
    if (c.argv.length === 0 && c.assigns.length === 0 && c.text.trim() !== '') return false; // opaque clause (declare, [[ ]], let …)
  }
  return endsPlain(s) ?? takesAndTrue(s.text, s.parsed.commands.length);
}

/**
 * Whether `text && true` still runs `true` after the script's commands: a trailing comment (or anything
 * the shell would swallow) shows as a lost `true`. Asked of the parser with the probe appended.
 */
export function takesAndTrue(text: string, commands: number): boolean {
  const probe = parseShell(`${text} && true`);
  if (!probe.ok) return false;
  const last = probe.commands[probe.commands.length - 1];
  return probe.commands.length === commands + 1 && last?.name === 'true' && !last.inSubshell;
}

/**
 * The probe's answer without the probe where the script's own parse shows it (true): a plain list of
 * simple commands whose last one ends the text. Otherwise null (the parser decides).
 */
export function endsPlain(s: Pick<Script, 'text' | 'parsed'>): true | null {
  const cmds = s.parsed.commands;
  const last = cmds[cmds.length - 1];
  if (!s.parsed.ok || s.parsed.complex || !last || last.next !== null || last.negated || cmds.some((c) => c.inSubshell)) return null;
  return charIndex(s.text, last.end) === s.text.trimEnd().length && !/[\\#;&|]\s*$/.test(s.text) ? true : null;
}

/** RUN b may follow `a &&`: its top level is a chain of && and pipes. */
function canFollow(s: Script): boolean {
  if (s.parsed.complex) return false;
  // Its own variable assignments (`d=/src && cd $d`) stay at the head of a RUN, where a linter can
  // see that they always run.
  if (s.parsed.commands.some((c) => c.argv.length === 0 && c.assigns.length > 0)) return false;
  return s.parsed.commands.every((c) => !c.inSubshell && (c.next === '&&' || c.next === '|' || c.next === null));
}

export const mergeRuns: Rule = {
  id: 'DO-MERGE-RUNS',
  description: 'consecutive RUNs are merged into one layer where that cannot change what runs or whether the build fails',
  severity: 'info',
  mirrors: ['DL3059'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const stage of model.stages) {
      if (stage.instructions.some((i) => i.keyword === 'SHELL') || familyOf(model, stage) === 'windows') continue;
      const ins = stage.instructions;
      let i = 0;
      while (i < ins.length) {
        const group: Script[] = [];
        const first = ins[i].keyword === 'RUN' ? scriptOf(model, ins[i]) : null;
        if (base(first)) {
          group.push(first!);
          let j = i + 1;
          while (j < ins.length && ins[j].keyword === 'RUN') {
            const next = scriptOf(model, ins[j]);
            if (!base(next) || flagKey(next!) !== flagKey(group[0]) || !canFollow(next!) || !canLead(group[group.length - 1])) break;
            group.push(next!);
            j++;
          }
        }
        if (group.length > 1) out.push(merge(model, group));
        i += Math.max(1, group.length);
      }
    }
    return out;
  },
};

function merge(model: DockerfileModel, group: Script[]): RuleReport {
  const e = model.escape;
  const lines: string[] = [];
  const firstIns: Instruction = group[0].ins;
  const lastIns: Instruction = group[group.length - 1].ins;
  group.forEach((s, k) => {
    const src = s.ins.lines.slice();
    if (k > 0) {
      // comments between the RUNs move into the continuation; blank lines do not (BuildKit warns on them)
      for (const l of s.ins.leading) if (l.trim() !== '') lines.push(l);
      const m = /^\s*run\s*(--\S+\s+)*/i.exec(src[0])!;
      src[0] = `    && ${src[0].slice(m[0].length)}`;
    }
    if (k < group.length - 1) {
      const last = src.length - 1;
      src[last] = `${src[last].replace(/\s+$/, '')} ${e}`;
    }
    lines.push(...src);
  });
  return {
    line: firstIns.startLine,
    message: `${group.length} consecutive RUNs merged into one layer`,
    fix: [{ startLine: firstIns.startLine, endLine: lastIns.endLine, lines }],
  };
}
