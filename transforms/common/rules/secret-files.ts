/**
 * DO-SECRET-FILE: credential files copied into the image (.npmrc with a token, .netrc, .pypirc,
 * pip.conf, .git-credentials, SSH keys, cloud credentials) stay in its layers even when a later RUN
 * deletes them, and URLs with a user:password in RUN scripts stay in the history. A COPY of an .npmrc
 * that holds a token, used only by package installs of its stage and never deleted, becomes a secret
 * mount on those RUNs (`--mount=type=secret,id=npmrc,target=<dest>`); the rest is reported. Values are
 * never printed.
 */
import * as posix from 'path/posix';
import type { Instruction } from '../../../src/model/parse';
import type { Edit, Rule, RuleReport } from '../../../src/rules/rule';
import { effectiveName } from '../../../src/shell';
import { scriptOf, subcommands } from './util';
import { workdirAt } from './cd-workdir';

const CREDENTIAL_FILE = /(^|\/)(\.npmrc|\.netrc|\.pypirc|pip\.conf|\.git-credentials|id_rsa|id_ed25519|id_ecdsa|\.ssh|\.aws|credentials\.json|\.docker\/config\.json)$/;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:[^\s/@'"]+@/i;

function copySources(ins: Instruction): string[] {
  if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from')) return [];
  return ins.args.slice(0, -1).map((s) => s.replace(/^\.\//, '').replace(/\/$/, ''));
}

export const secretFile: Rule = {
  id: 'DO-SECRET-FILE',
  description: 'credential files are mounted as build secrets, not copied into layers; no passwords in RUN URLs',
  severity: 'warning',
  mirrors: [],
  check({ model, ctx }) {
    const out: RuleReport[] = [];
    for (const ins of model.instructions) {
      if (ins.keyword === 'RUN') {
        const s = scriptOf(model, ins);
        const words = s ? s.parsed.commands.flatMap((c) => c.argv.map((w) => w.value ?? w.text)) : [ins.body];
        if (words.some((w) => w.includes('@') && w.includes('://') && URL_WITH_PASSWORD.test(w) && !/:\/\/[^\s/:@]+:\$/.test(w))) out.push({ line: ins.startLine, severity: 'warning', message: 'a URL in this RUN carries a password: it stays in the image history; pass it as a build secret (RUN --mount=type=secret)' });
        continue;
      }
      const srcs = copySources(ins).filter((s) => CREDENTIAL_FILE.test(s));
      if (!srcs.length) continue;
      const stage = model.stages[ins.stage];
      const all = copySources(ins);
      const destArg0 = ins.args[ins.args.length - 1] ?? '';
      const fixable = srcs.length === 1 && posix.basename(srcs[0]) === '.npmrc' && !srcs[0].includes('/') && ins.flags.every((f) => f.name === 'chown' || f.name === 'chmod') && !ins.body.trim().startsWith('[') && (all.length === 1 || destArg0.endsWith('/') || destArg0 === '.');
      const npmrc = fixable ? ctx.readText(srcs[0]) : null;
      const hasToken = npmrc !== null && /(_authToken|_auth|_password|password)\s*=/.test(npmrc);
      const report = (why: string) => out.push({ line: ins.startLine, severity: 'warning', message: `${srcs.join(', ')} copied into the image: credentials stay in its layers${why}; mount it instead: RUN --mount=type=secret,id=${posix.basename(srcs[0]).replace(/^\./, '')},target=…`, hints: [`then build with: docker build --secret id=${posix.basename(srcs[0]).replace(/^\./, '')},src=${srcs[0]} .`] });
      if (!fixable) {
        report('');
        continue;
      }
      if (npmrc === null) {
        report(' (the build context is not here to tell whether it holds a token)');
        continue;
      }
      if (!hasToken) continue; // registry settings only: nothing secret to move
      // Where the file lands.
      const destArg = ins.args[ins.args.length - 1];
      const wd = workdirAt(model, stage, ins);
      const destDir = destArg.endsWith('/') || destArg === '.' ? destArg : null;
      const base = destDir === null ? (destArg.startsWith('/') ? destArg : wd ? posix.join(wd, destArg) : null) : destDir.startsWith('/') ? posix.join(destDir, '.npmrc') : wd ? posix.join(wd, destDir, '.npmrc') : null;
      if (!base) {
        report(' (its destination directory is not known)');
        continue;
      }
      const later = stage.instructions.filter((i) => i.index > ins.index);
      const di = ctx.readText('.dockerignore');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ignored = di !== null && (require('ignore') as () => { add(t: string): { ignores(p: string): boolean } })().add(di).ignores('.npmrc');
      const users: Instruction[] = [];
      let blocked: string | null = null;
      for (const i of later) {
        const text = i.lines.join('\n');
        const s = scriptOf(model, i);
        const installs = s ? subcommands(s, ['npm', 'yarn', 'pnpm'], ['install', 'ci', 'i', 'add']).length + s.parsed.commands.filter((c) => effectiveName(c) === 'yarn' && c.argv.length === 1).length : 0;
        if (s && s.parsed.commands.some((c) => effectiveName(c) === 'rm' && c.argv.some((w) => (w.value ?? '').endsWith('.npmrc')))) blocked = `line ${i.startLine + 1} deletes it (a mounted file cannot be deleted)`;
        else if (i.keyword !== 'RUN' && text.includes('.npmrc')) blocked = `line ${i.startLine + 1} uses it`;
        else if (installs > 0) {
          if (!s || i.flags.some((f) => f.name === 'mount' && (f.value ?? '').includes('id=npmrc'))) blocked = `line ${i.startLine + 1} cannot take a mount`;
          else users.push(i);
        } else if (i.keyword === 'COPY' && copySources(i).some((x) => x === '.' || x === '') && !ignored) blocked = `line ${i.startLine + 1} copies the whole context, .npmrc included (add it to .dockerignore)`;
        if (blocked) break;
      }
      if (blocked || users.length === 0) {
        report(blocked ? ` (not moved: ${blocked})` : '');
        continue;
      }
      // The COPY goes, or loses its .npmrc source.
      let copyLines: string[] = [];
      if (all.length > 1) {
        const re = /(\s)(\.\/)?\.npmrc(?=\s)/;
        const li = ins.lines.findIndex((l) => re.test(l));
        if (li < 0) {
          report(' (its COPY could not be edited)');
          continue;
        }
        copyLines = ins.lines.slice();
        copyLines[li] = copyLines[li].replace(re, '');
      }
      const edits: Edit[] = [{ startLine: ins.startLine, endLine: ins.endLine, lines: copyLines }];
      for (const u of users) {
        const lines = u.lines.slice();
        const m = /^(\s*run)(\s+)/i.exec(lines[0]);
        if (!m) continue;
        lines[0] = `${m[1]} --mount=type=secret,id=npmrc,target=${base}${m[2]}${lines[0].slice(m[0].length)}`;
        edits.push({ startLine: u.startLine, endLine: u.endLine, lines });
      }
      out.push({
        line: ins.startLine,
        severity: 'warning',
        finding: true,
        message: `${srcs[0]} holds a registry token: mounted as a build secret into the install${users.length > 1 ? 's' : ''} instead of copied into a layer`,
        hints: [`build with: docker build --secret id=npmrc,src=${srcs[0]} .`],
        fix: edits,
      });
    }
    return out;
  },
};
