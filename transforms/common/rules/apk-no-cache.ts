/** DO-APK-NO-CACHE (DL3019): apk add --no-cache keeps the package index out of the layer. */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { hasFlag } from '../../../src/shell';
import { afterWord, editScript, hasCacheMount, scripts, subcommands } from './util';

export const apkNoCache: Rule = {
  id: 'DO-APK-NO-CACHE',
  description: 'apk add runs with --no-cache (or a cache mount on /var/cache/apk)',
  severity: 'info',
  mirrors: ['DL3019'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      if (hasCacheMount(s.ins, ['/var/cache/apk', '/etc/apk/cache'])) continue;
      const edits = [];
      for (const { cmd, sub } of subcommands(s, ['apk'], ['add'], ['-X', '--repository', '-p', '--root', '--virtual', '-t'])) {
        if (hasFlag(cmd, '--no-cache')) continue;
        const at = afterWord(s, cmd, sub);
        if (at !== null) edits.push({ start: at, end: at, text: ' --no-cache' });
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: 'apk add --no-cache: the package index is not left in the layer', fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
