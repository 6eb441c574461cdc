/**
 * DO-APT-NO-RECOMMENDS (DL3015): apt-get install --no-install-recommends. Recommended packages some
 * installs rely on are kept explicit: ca-certificates for the tools that fetch over HTTPS; packages whose
 * recommends are their point (python3-pip's compilers, r-base's recommended set, desktop and font
 * stacks) and non-literal package lists are left alone with a finding.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { hasFlag, positionals } from '../../../src/shell';
import { afterWord, editScript, scripts, subcommands } from './util';

/** Packages whose HTTPS use needs ca-certificates, which they only recommend. */
const NEEDS_CA = new Set(['curl', 'wget', 'git', 'git-core', 'openssl', 'apt-transport-https', 'subversion', 'mercurial', 'git-lfs', 'gnupg-curl', 'libcurl4', 'libcurl3', 'httpie', 'aria2']);
/** Packages whose recommended packages are part of what people install them for. */
const KEEP_RECOMMENDS = /^(python3?-pip|r-base(-core)?|r-recommended|gnupg2?|texlive.*|libreoffice.*|chromium.*|google-chrome.*|firefox.*|xvfb|.*-desktop|ubuntu-.*|kde-.*|gnome.*|xfce4.*|fonts-.*|ttf-.*|default-jdk|default-jre|openjdk-.*-jdk|openjdk-.*-jre|task-.*)$/;

export const aptNoRecommends: Rule = {
  id: 'DO-APT-NO-RECOMMENDS',
  description: 'apt-get install runs with --no-install-recommends; ca-certificates is named where HTTPS tools need it',
  severity: 'info',
  mirrors: ['DL3015'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const edits = [];
      const notes: string[] = [];
      let declined: string | null = null;
      for (const { cmd, sub } of subcommands(s, ['apt-get'], ['install'], ['-o', '-c', '-t', '--target-release'])) {
        if (hasFlag(cmd, '--no-install-recommends') || cmd.argv.some((w) => /^APT::Install-Recommends=/i.test(w.value ?? ''))) continue;
        const pkgs = positionals(cmd, sub + 1, ['-o', '-c', '-t', '--target-release']);
        if (pkgs.some((p) => p.value === null)) {
          declined = 'its package list is not literal, so what the recommends bring cannot be judged';
          continue;
        }
        const names = pkgs.map((p) => p.value!.split(/[=:]/)[0]);
        const keep = names.find((n) => KEEP_RECOMMENDS.test(n));
        if (keep) {
          declined = `${keep} relies on its recommended packages`;
          continue;
        }
        const at = afterWord(s, cmd, sub);
        if (at === null) continue;
        let text = ' --no-install-recommends';
        const ca = names.filter((n) => NEEDS_CA.has(n));
        if (ca.length && !names.includes('ca-certificates') && pkgs.some((p) => /=/.test(p.value!))) {
          // a pinned list would get an unpinned package: leave the choice to the author
          declined = `${ca.join(', ')} need${ca.length > 1 ? '' : 's'} ca-certificates, and this package list is pinned`;
          continue;
        }
        if (ca.length && !names.includes('ca-certificates')) {
          const lastPkg = pkgs[pkgs.length - 1];
          const end = afterWord(s, cmd, cmd.argv.indexOf(lastPkg));
          if (end === null) continue;
          edits.push({ start: end, end, text: ' ca-certificates' });
          notes.push(`ca-certificates added (recommended by ${ca.join(', ')}, needed for HTTPS)`);
        }
        edits.push({ start: at, end: at, text });
      }
      if (edits.length) {
        const fix = editScript(model, s, edits);
        out.push({ line: s.ins.startLine, message: `apt-get install --no-install-recommends: only the packages asked for${notes.length ? `; ${notes.join('; ')}` : ''}`, fix: fix ? [fix] : undefined });
      } else if (declined) {
        out.push({ line: s.ins.startLine, severity: 'info', message: `apt-get install keeps recommended packages: ${declined}` });
      }
    }
    return out;
  },
};
