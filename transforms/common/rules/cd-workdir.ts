/**
 * DO-CD-WORKDIR (DL3003): a RUN that starts with `cd <dir> &&` becomes `WORKDIR <dir>` + the rest of
 * the RUN + `WORKDIR <the directory before>`, so later instructions run where they did. Only where the
 * directory before is known (an earlier literal WORKDIR of the stage, or `/` on an OS or language base
 * image that sets none) and the target is a literal path.
 */
import { parseImage } from '../../../src/model/image';
import type { DockerfileModel, Stage, Instruction } from '../../../src/model/parse';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { charIndex, editScript, scriptOf } from './util';
import * as posix from 'path/posix';

/** Bases that leave the working directory at `/`. */
const ROOT_WORKDIR = /^(debian|ubuntu|alpine|centos|fedora|busybox|buildpack-deps|python|node|amazonlinux|rockylinux|almalinux|oraclelinux|archlinux|opensuse\/leap|gcc|perl|ruby)$/;

/** Working directory in effect before `ins`; null when unknown. */
export function workdirAt(model: DockerfileModel, stage: Stage, ins: Instruction, depth = 0): string | null {
  let dir: string | null = null;
  let known = false;
  const parent = model.stages.find((s) => s.name !== null && s.name === stage.image.toLowerCase() && s.index < stage.index);
  if (parent && depth < 20) {
    dir = workdirAt(model, parent, { index: Number.MAX_SAFE_INTEGER } as Instruction, depth + 1);
    known = dir !== null;
  } else {
    const ref = parseImage(stage.image);
    if (!ref.dynamic && ROOT_WORKDIR.test(ref.repo)) {
      dir = '/';
      known = true;
    }
  }
  for (const i of stage.instructions) {
    if (i.index >= ins.index) break;
    if (i.keyword !== 'WORKDIR') continue;
    const w = i.args.join(' ');
    if (w.includes('$') || /["']/.test(w)) {
      known = false;
      dir = null;
      continue;
    }
    if (w.startsWith('/')) {
      dir = posix.normalize(w);
      known = true;
    } else if (known && dir !== null) dir = posix.join(dir, w);
  }
  return known ? dir : null;
}

export const cdWorkdir: Rule = {
  id: 'DO-CD-WORKDIR',
  description: 'a RUN that starts with cd uses WORKDIR instead, restoring the directory after it',
  severity: 'info',
  mirrors: ['DL3003'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const stage of model.stages) {
      if (stage.instructions.some((i) => i.keyword === 'SHELL')) continue;
      for (const ins of stage.instructions) {
        const s = scriptOf(model, ins);
        if (!s || s.parsed.commands.length < 2) continue;
        const [cd, next] = s.parsed.commands;
        if (cd.name !== 'cd' || cd.inSubshell || cd.argv.length !== 2 || cd.redirects.length || cd.assigns.length || (cd.next !== '&&' && cd.next !== ';')) continue;
        if (next.inSubshell && s.parsed.commands.every((c) => c.inSubshell || c === cd)) continue;
        const target = cd.argv[1].value;
        if (!target || target === '-' || target.startsWith('~') || /[*?[\s"'\\]/.test(target) || target !== cd.argv[1].text) continue;
        const before = workdirAt(model, stage, ins);
        if (before === null) continue;
        // Script text from the cd to the next command goes; the rest keeps its layout.
        const from = charIndex(s.text, cd.start);
        const to = charIndex(s.text, next.start);
        if (s.text.slice(0, from).trim() !== '') continue;
        const edit = editScript(model, s, [{ start: from, end: to, text: '' }]);
        if (!edit) continue;
        const indent = /^\s*/.exec(ins.lines[0])![0];
        const dest = target.startsWith('/') ? posix.normalize(target) : posix.join(before, target);
        const lines = [`${indent}WORKDIR ${dest}`, ...edit.lines];
        const after = stage.instructions.find((i) => i.index > ins.index);
        const overridden = after && after.keyword === 'WORKDIR' && after.args[0]?.startsWith('/');
        if (!overridden && dest !== before) lines.push(`${indent}WORKDIR ${before}`);
        out.push({ line: ins.startLine, message: `'cd ${target}' is WORKDIR ${dest}${!overridden && dest !== before ? `, and WORKDIR ${before} after the RUN keeps later instructions where they were` : ''}`, fix: [{ startLine: ins.startLine, endLine: ins.endLine, lines }] });
      }
    }
    return out;
  },
};
