/** DO-APT-YES (DL3014): apt-get install answers its own prompts with -y (a build has no terminal). */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { hasFlag } from '../../../src/shell';
import { afterWord, editScript, scripts, subcommands } from './util';

export const aptYes: Rule = {
  id: 'DO-APT-YES',
  description: "apt-get install runs with -y, so a prompt cannot abort the build",
  severity: 'warning',
  mirrors: ['DL3014'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const edits = [];
      for (const { cmd, sub } of subcommands(s, ['apt-get'], ['install', 'upgrade', 'dist-upgrade', 'remove', 'purge', 'autoremove'], ['-o', '-c', '-t'])) {
        if (hasFlag(cmd, '-y', '--yes', '--assume-yes', '--force-yes') || cmd.argv.some((w) => w.value === '-qq' || w.value === '-q=2')) continue;
        const at = afterWord(s, cmd, sub);
        if (at !== null) edits.push({ start: at, end: at, text: ' -y' });
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: 'apt-get runs with -y: without it a confirmation prompt aborts the non-interactive build', fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
