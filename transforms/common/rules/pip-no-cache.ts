/** DO-PIP-NO-CACHE (DL3042): pip install --no-cache-dir (or a cache mount) keeps wheels out of the layer. */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import type { ShellCommand } from '../../../src/shell';
import { effectiveIndex, hasFlag } from '../../../src/shell';
import { afterWord, editScript, envSet, hasCacheMount, scripts, stageOf } from './util';

/** Index of `install` in `pip install`, `pip3.11 install`, `python -m pip install`; -1 otherwise. */
function pipInstall(c: ShellCommand): number {
  const e = effectiveIndex(c);
  const name = (c.argv[e]?.value ?? '').split('/').pop() ?? '';
  let i = -1;
  if (/^pip(\d+(\.\d+)?)?$/.test(name)) i = e + 1;
  else if (/^python(\d+(\.\d+)?)?$/.test(name) && c.argv[e + 1]?.value === '-m' && /^pip\d?$/.test(c.argv[e + 2]?.value ?? '')) i = e + 3;
  if (i < 0) return -1;
  while (i < c.argv.length && (c.argv[i].value ?? '').startsWith('-')) i++;
  return c.argv[i]?.value === 'install' ? i : -1;
}

export const pipNoCache: Rule = {
  id: 'DO-PIP-NO-CACHE',
  description: 'pip install runs with --no-cache-dir (or a cache mount on /root/.cache/pip)',
  severity: 'info',
  mirrors: ['DL3042'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const stage = stageOf(model, s.ins);
      if (!stage || envSet(stage, s.ins, 'PIP_NO_CACHE_DIR') || hasCacheMount(s.ins, ['/root/.cache/pip', '/root/.cache'])) continue;
      const edits = [];
      for (const c of s.parsed.commands) {
        const at = pipInstall(c);
        if (at < 0 || hasFlag(c, '--no-cache-dir') || c.assigns.some((a) => a.name === 'PIP_NO_CACHE_DIR')) continue;
        const pos = afterWord(s, c, at);
        if (pos !== null) edits.push({ start: pos, end: pos, text: ' --no-cache-dir' });
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: 'pip install --no-cache-dir: downloaded wheels are not kept in the layer', fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
