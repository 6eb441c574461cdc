/**
 * DO-ADD-TO-COPY (DL3020): ADD of local files is COPY. ADD also fetches URLs and unpacks local tar
 * archives; those stay ADD, and so do sources whose names are not literal.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';

const ARCHIVE = /\.(tar|tgz|tbz2?|txz|tzst|gz|bz2|xz|zst|lz|lzma|Z|tar\.\w+)$/i;

export const addToCopy: Rule = {
  id: 'DO-ADD-TO-COPY',
  description: 'COPY, not ADD, for local files and directories (ADD also unpacks archives and fetches URLs)',
  severity: 'info',
  mirrors: ['DL3020'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const ins of model.instructions) {
      if (ins.keyword !== 'ADD' || ins.heredoc) continue;
      if (ins.flags.some((f) => !['chown', 'chmod', 'link'].includes(f.name))) continue;
      let srcs: string[];
      const json = ins.body.trim().startsWith('[') ? safeJson(ins.body) : null;
      if (json) srcs = json.slice(0, -1);
      else srcs = ins.args.slice(0, -1);
      if (!srcs.length) continue;
      // A relative destination with no WORKDIR set in the stage depends on the base's working
      // directory; hadolint flags such a COPY (DL3045), so it stays ADD.
      const dest = json ? json[json.length - 1] : ins.args[ins.args.length - 1];
      const stage = model.stages[ins.stage];
      if (dest && !dest.startsWith('/') && !dest.startsWith('$') && !stage.instructions.some((i) => i.keyword === 'WORKDIR' && i.index < ins.index)) continue;
      // COPY wants a directory (trailing /) as destination of several sources (DL3021).
      if ((srcs.length > 1 || srcs.some((s) => /[*?[]/.test(s))) && dest && !dest.endsWith('/')) continue;
      if (srcs.some((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s) || s.includes('$') || ARCHIVE.test(s) || s.startsWith('--'))) continue;
      const m = /^(\s*)(add)(\s)/i.exec(ins.lines[0]);
      if (!m) continue;
      const kw = m[2] === 'ADD' ? 'COPY' : m[2] === 'add' ? 'copy' : 'Copy';
      const lines = ins.lines.slice();
      lines[0] = m[1] + kw + lines[0].slice(m[1].length + 3);
      out.push({ line: ins.startLine, message: `ADD of local ${srcs.length > 1 ? 'files' : `'${srcs[0]}'`} is COPY (no URL, no archive to unpack)`, fix: [{ startLine: ins.startLine, endLine: ins.endLine, lines }] });
    }
    return out;
  },
};

function safeJson(body: string): string[] | null {
  try {
    const v = JSON.parse(body.trim());
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}
