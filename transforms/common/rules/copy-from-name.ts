/**
 * DO-COPY-FROM-NAME: `COPY --from=0` breaks silently when a stage is inserted above; the stage gets a
 * name (`AS stage-0`) and the copy refers to it.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import type { Edit } from '../../../src/rules/rule';

export const copyFromName: Rule = {
  id: 'DO-COPY-FROM-NAME',
  description: 'COPY --from refers to a named stage, not a stage index',
  severity: 'info',
  mirrors: [],
  check({ model }) {
    const out: RuleReport[] = [];
    const taken = new Set(model.stages.map((s) => s.name).filter((n): n is string => n !== null));
    for (const ins of model.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = ins.flags.find((f) => f.name === 'from');
      if (!from || from.value === null || !/^\d+$/.test(from.value)) continue;
      const idx = Number(from.value);
      const stage = model.stages[idx];
      if (!stage || idx >= ins.stage) continue;
      const fromLi = ins.lines.findIndex((l) => l.includes(`--from=${from.value}`));
      if (fromLi < 0) continue;
      let name = stage.name;
      const edits: Edit[] = [];
      if (!name) {
        name = idx === 0 && !taken.has('build') ? 'build' : `stage-${idx}`;
        if (taken.has(name)) continue;
        const f = stage.from;
        const lines = f.lines.slice();
        lines[lines.length - 1] = lines[lines.length - 1].replace(/\s+$/, '') + ` AS ${name}`;
        edits.push({ startLine: f.startLine, endLine: f.endLine, lines });
      }
      const lines = ins.lines.slice();
      lines[fromLi] = lines[fromLi].replace(new RegExp(`--from=${from.value}(?=\\s|$)`), `--from=${name}`);
      edits.push({ startLine: ins.startLine, endLine: ins.endLine, lines });
      out.push({ line: ins.startLine, message: `COPY --from=${from.value} refers to the stage by name ('${name}'), which survives stages added above it`, fix: edits });
    }
    return out;
  },
};
