/**
 * DO-APT-LISTS (DL3009): a RUN that runs apt-get update and install removes /var/lib/apt/lists/* at its
 * end (or uses a cache mount), so the package index does not stay in the layer. Not when a later RUN
 * of the stage (or of a stage built on it) installs without updating first: it needs those lists.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { editScript, appendAt, descendants, hasCacheMount, Script, scriptOf, scripts, stageOf, subcommands } from './util';

const RM = 'rm -rf /var/lib/apt/lists/*';

function removesLists(s: Script): boolean {
  return s.parsed.commands.some((c) => c.name.split('/').pop() === 'rm' && c.argv.some((w) => (w.value ?? w.text).startsWith('/var/lib/apt/lists')));
}

export const aptLists: Rule = {
  id: 'DO-APT-LISTS',
  description: 'a RUN that updates and installs with apt-get removes /var/lib/apt/lists/* (or mounts a cache there)',
  severity: 'info',
  mirrors: ['DL3009'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const installs = subcommands(s, ['apt-get', 'apt'], ['install', 'dist-upgrade', 'upgrade'], ['-o', '-c', '-t']);
      const updates = subcommands(s, ['apt-get', 'apt'], ['update'], ['-o', '-c', '-t']);
      if (!installs.length || !updates.length || removesLists(s) || hasCacheMount(s.ins, ['/var/lib/apt'])) continue;
      const stage = stageOf(model, s.ins);
      if (!stage) continue;
      // A later install that relies on these lists?
      const later = descendants(model, stage).flatMap((st) => st.instructions).filter((i) => i.index > s.ins.index);
      const reliant = later.some((i) => {
        const ls = scriptOf(model, i);
        if (!ls) return i.keyword === 'RUN';
        const inst = subcommands(ls, ['apt-get', 'apt', 'apt-cache'], ['install', 'show', 'policy', 'search', 'upgrade', 'dist-upgrade', 'source', 'build-dep', 'download']);
        const upd = subcommands(ls, ['apt-get', 'apt'], ['update']);
        return inst.length > 0 && (upd.length === 0 || upd[0].cmd.start > inst[0].cmd.start);
      });
      if (reliant) {
        out.push({ line: s.ins.startLine, severity: 'info', message: 'the apt lists are kept: a later RUN installs packages without running apt-get update' });
        continue;
      }
      const at = appendAt(s);
      if (at === null) {
        out.push({ line: s.ins.startLine, severity: 'info', message: `the apt lists stay in the layer: end this RUN with '&& ${RM}'` });
        continue;
      }
      const fix = editScript(model, s, [{ start: at, end: at, text: ` && ${RM}` }]);
      out.push({ line: s.ins.startLine, message: `'${RM}' at the end of the RUN: the package index does not stay in the layer`, fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
