/** DO-MAINTAINER (DL4000): MAINTAINER is deprecated; the same text becomes LABEL maintainer="…". */
import type { Rule, RuleReport } from '../../../src/rules/rule';

export const maintainer: Rule = {
  id: 'DO-MAINTAINER',
  description: 'MAINTAINER (deprecated) becomes LABEL maintainer="..." with the same text',
  severity: 'info',
  mirrors: ['DL4000'],
  check({ model }) {
    const out: RuleReport[] = [];
    const e = model.escape;
    for (const ins of model.instructions) {
      if (ins.keyword !== 'MAINTAINER') continue;
      const value = ins.body.trim();
      const quoted = '"' + [...value].map((ch) => (ch === '"' || ch === '$' || ch === e ? e + ch : ch)).join('') + '"';
      const indent = /^\s*/.exec(ins.lines[0])![0];
      out.push({ line: ins.startLine, message: 'MAINTAINER (deprecated) is LABEL maintainer', fix: [{ startLine: ins.startLine, endLine: ins.endLine, lines: [`${indent}LABEL maintainer=${quoted}`] }] });
    }
    return out;
  },
};
