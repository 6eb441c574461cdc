/**
 * DO-EXEC-FORM (DL3025): CMD and ENTRYPOINT in JSON (exec) form, so the program is PID 1 and receives
 * SIGTERM. Converted only when that runs the same command: one simple command with literal words and no
 * shell builtin; a stage with its own SHELL is left alone; ENTRYPOINT only when the stage sets no CMD
 * (shell form ignores CMD, exec form would append it); CMD only on bases whose entrypoint runs its
 * arguments as a command (OS and language images), not on an ENTRYPOINT of the stage.
 */
import { jsonForm } from '../../../src/model/print';
import { parseImage } from '../../../src/model/image';
import type { DockerfileModel, Stage } from '../../../src/model/parse';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { shellToArgv } from '../command';

const BUILTINS = new Set(['.', ':', 'source', 'exec', 'cd', 'export', 'set', 'unset', 'eval', 'alias', 'ulimit', 'umask', 'trap', 'wait', 'read', 'exit', 'return', 'shift', 'test', '[', 'true', 'false', 'echo', 'printf', 'local', 'readonly', 'type', 'hash', 'times', 'let', 'declare', 'typeset', 'command', 'builtin', 'kill', 'jobs', 'fg', 'bg', 'getopts', 'pwd']);

/** Bases whose entrypoint (if any) runs its arguments as the command (exec "$@"). */
const PLAIN_BASES = /^(debian|ubuntu|alpine|centos|fedora|busybox|buildpack-deps|node|python|golang|rust|ruby|php|perl|openjdk|eclipse-temurin|amazoncorretto|maven|gradle|gcc|r-base|haskell|elixir|erlang|julia|swift|mono|clojure|amazonlinux|rockylinux|almalinux|oraclelinux|archlinux|opensuse\/leap|pypy|denoland\/deno|oven\/bun)$/;

function plainBase(model: DockerfileModel, stage: Stage, depth = 0): boolean {
  const parent = model.stages.find((s) => s.name !== null && s.name === stage.image.toLowerCase() && s.index < stage.index);
  if (parent && depth < 20) return !parent.instructions.some((i) => i.keyword === 'ENTRYPOINT') && plainBase(model, parent, depth + 1);
  // scratch and the distroless images without an ENTRYPOINT have no /bin/sh: a shell-form CMD cannot
  // run there at all, the exec form can.
  if (stage.image === 'scratch') return true;
  const ref = parseImage(stage.image);
  if (/^gcr\.io\/distroless\/(static|base|base-nossl|cc)(-|$)/.test(ref.repo)) return true;
  return !ref.dynamic && PLAIN_BASES.test(ref.repo);
}

export const execForm: Rule = {
  id: 'DO-EXEC-FORM',
  description: 'CMD and ENTRYPOINT in exec (JSON) form where that runs the same command, so the app gets signals as PID 1',
  severity: 'info',
  mirrors: ['DL3025'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const stage of model.stages) {
      if (stage.instructions.some((i) => i.keyword === 'SHELL')) continue;
      const hasCmd = stage.instructions.some((i) => i.keyword === 'CMD');
      const hasEntrypoint = stage.instructions.some((i) => i.keyword === 'ENTRYPOINT');
      for (const ins of stage.instructions) {
        if ((ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') || ins.json || !ins.body.trim() || ins.body.trim().startsWith('[')) continue;
        if (ins.keyword === 'ENTRYPOINT' && hasCmd) continue;
        if (ins.keyword === 'CMD' && (hasEntrypoint || !plainBase(model, stage))) continue;
        const r = shellToArgv(ins.body);
        if (!r || Object.keys(r.env).length || BUILTINS.has(r.argv[0]) || r.argv.some((a) => a.includes('\n') || a.startsWith('~'))) continue;
        const indent = /^\s*/.exec(ins.lines[0])![0];
        const kw = /^\s*(\S+)/.exec(ins.lines[0])![1];
        out.push({
          line: ins.startLine,
          message: `${ins.keyword} in exec form: '${r.argv.join(' ')}' runs as PID 1 without a /bin/sh -c wrapper and receives stop signals`,
          fix: [{ startLine: ins.startLine, endLine: ins.endLine, lines: [...ins.lines.slice(1).filter((l) => l.trimStart().startsWith('#')), `${indent}${kw} ${jsonForm(r.argv)}`] }],
        });
      }
    }
    return out;
  },
};
