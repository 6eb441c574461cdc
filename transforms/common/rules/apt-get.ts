/** DO-APT-GET (DL3027): `apt` is for people; scripts use `apt-get`, whose interface is stable. */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { editScript, scripts, subcommands, unpinnedInstall, wordRange } from './util';

const SCRIPTABLE = ['install', 'update', 'upgrade', 'dist-upgrade', 'full-upgrade', 'remove', 'purge', 'autoremove', 'clean', 'autoclean'];

export const aptGet: Rule = {
  id: 'DO-APT-GET',
  description: 'use apt-get, not apt, in RUN (apt has no stable command-line interface)',
  severity: 'info',
  mirrors: ['DL3027'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const edits = [];
      const found = subcommands(s, ['apt'], SCRIPTABLE, ['-o', '-c', '-t']);
      if (found.some(({ cmd }) => unpinnedInstall(cmd))) {
        // apt-get here would be checked for version pins, which the tool cannot choose: report only.
        out.push({ line: s.ins.startLine, message: "use 'apt-get' instead of 'apt' in scripts, with pinned package versions (not changed: the tool cannot choose the versions)" });
        continue;
      }
      for (const { cmd, sub } of found) {
        const sv = cmd.argv[sub].value!;
        const i = cmd.argv.findIndex((w) => (w.value ?? '').split('/').pop() === 'apt');
        const r = wordRange(s, cmd, i);
        if (!r) continue;
        const word = cmd.argv[i].text;
        edits.push({ start: r.start, end: r.end, text: word.slice(0, word.length - 3) + 'apt-get' });
        // full-upgrade is apt's name for apt-get dist-upgrade
        if (sv === 'full-upgrade') {
          const w = wordRange(s, cmd, sub);
          if (w) edits.push({ start: w.start, end: w.end, text: 'dist-upgrade' });
        }
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: "'apt' replaced by 'apt-get' (apt warns that its interface is not stable for scripts)", fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
