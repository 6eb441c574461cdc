/**
 * DO-WGET-PROGRESS (DL3047): GNU wget prints a progress bar line per few kilobytes into the build log;
 * `--progress=dot:giga` keeps the log readable. Only on bases whose wget is GNU wget (Debian, Ubuntu,
 * RHEL families); busybox wget (alpine) has no such option.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { effectiveName, hasFlag } from '../../../src/shell';
import { afterWord, editScript, familyOf, scripts, stageOf } from './util';

export const wgetProgress: Rule = {
  id: 'DO-WGET-PROGRESS',
  description: 'GNU wget runs with --progress=dot:giga (or -q/-nv) so the build log stays readable',
  severity: 'info',
  mirrors: ['DL3047'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const stage = stageOf(model, s.ins);
      if (!stage) continue;
      const fam = familyOf(model, stage);
      if (fam !== 'debian' && fam !== 'rhel') continue;
      const edits = [];
      for (const c of s.parsed.commands) {
        if (effectiveName(c) !== 'wget') continue;
        if (hasFlag(c, '-q', '--quiet', '-nv', '--no-verbose', '--progress', '-o', '--output-file', '-a', '--append-output', '--show-progress')) continue;
        const i = c.argv.findIndex((w) => (w.value ?? '').split('/').pop() === 'wget');
        const at = afterWord(s, c, i);
        if (at !== null) edits.push({ start: at, end: at, text: ' --progress=dot:giga' });
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: 'wget --progress=dot:giga: no progress bar flooding the build log', fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
