/**
 * DO-NO-SUDO (DL3004): RUN already runs as root unless a USER says otherwise; `sudo` there adds a
 * package and a setuid binary for nothing. Dropped where the user is known to be root (no USER yet on
 * a base that runs as root, or USER root/0); reported elsewhere.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { editScript, familyOf, isRootUser, scripts, stageOf, unpinnedInstall, userAt, wordRange } from './util';

export const noSudo: Rule = {
  id: 'DO-NO-SUDO',
  description: 'no sudo in RUN: the build runs as root; sudo is dropped where the user is root',
  severity: 'warning',
  mirrors: ['DL3004'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const stage = stageOf(model, s.ins);
      if (!stage) continue;
      const sudos = s.parsed.commands.filter((c) => (c.argv[0]?.value ?? '').split('/').pop() === 'sudo');
      if (!sudos.length) continue;
      const user = userAt(stage, s.ins);
      // Only an official base known by name runs as root; a base that merely has apt-get may not (CI images use sudo with a user).
      const fam = familyOf(model, stage, new Set(), true);
      const root = user !== null ? isRootUser(user) : fam === 'debian' || fam === 'alpine' || fam === 'rhel';
      const plain = sudos.every((c) => c.argv.length > 1 && c.argv[1].value !== null && !c.argv[1].value.startsWith('-') && !c.argv[1].value.includes('='));
      if (root && plain && sudos.some((c) => unpinnedInstall(c))) {
        // Without sudo the install is checked for version pins, which the tool cannot choose: report only.
        out.push({ line: s.ins.startLine, severity: 'warning', message: 'sudo is not needed (RUN runs as root): drop it and pin the versions of what it installs (not changed: the tool cannot choose the versions)' });
        continue;
      }
      if (!root || !plain) {
        out.push({ line: s.ins.startLine, severity: 'warning', message: root ? 'sudo with options is kept: drop it by hand (RUN runs as root)' : `sudo is kept: the user here is ${user ?? "the base image's"}, not known to be root; switch with USER instead` });
        continue;
      }
      const edits = [];
      for (const c of sudos) {
        const r = wordRange(s, c, 0);
        const next = wordRange(s, c, 1);
        if (!r || !next) continue;
        edits.push({ start: r.start, end: next.start, text: '' });
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: 'sudo dropped: this RUN already runs as root', fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
