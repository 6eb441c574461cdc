/**
 * DO-SECRET-ARG: build arguments and environment variables that look like credentials end up in the
 * image's history (ARG) or config (ENV). An ARG whose name looks like a credential and that only RUN
 * scripts use becomes a BuildKit secret mount on each of those RUNs: the script reads the value from
 * /run/secrets/<id> into the same variable (empty when the secret is not passed, as the ARG was), and
 * the ARG goes. `--explain` prints the `docker build --secret` flag. A credentials file the RUN writes
 * the token to (`> .npmrc`, .netrc, pip.conf …) is removed at its end when no later step reads it. ENVs, ARGs with a default and ARGs used by other
 * instructions are reported. Values are never printed.
 */
import type { DockerfileModel, Instruction } from '../../../src/model/parse';
import type { Edit, Rule, RuleReport } from '../../../src/rules/rule';
import { paramNames, parseShell } from '../../../src/shell';
import { appendAt, charIndex, editScript, scriptOf, Script, subcommands, wordRange } from './util';

/** Names that look like credentials; GPG_KEY (a public key id in official images) and the like are not. */
export function looksSecret(name: string): boolean {
  const n = name.toUpperCase();
  if (/(^|_)(GPG|PGP|SIGNING)_?KEYS?($|_)|KEY_?(SERVER|ID_URL|URL|FILE|PATH|NAME|RING)|_KEYS$|PUBLIC_?KEY|FINGERPRINT|_TOKEN_(URL|FILE|PATH)$|PASSWORD_(FILE|PATH)$/.test(n)) return false;
  return /(^|_)(TOKEN|PASSWORD|PASSWD|PASS|PWD|SECRET|API_?KEY|ACCESS_?KEY|SECRET_?KEY|PRIVATE_?KEY|AUTH_?KEY|CREDENTIALS?|AUTH_TOKEN|NPM_?TOKEN|GITHUB_?TOKEN|CLIENT_SECRET)($|_)|TOKEN$|PASSWORD$|SECRET$|APIKEY$|_KEY_ID$/.test(n);
}

function uses(ins: Instruction, name: string): boolean {
  const re = new RegExp(`\\$(\\{${name}([:}%#/^,-]|\\})|${name}(?![A-Za-z0-9_]))`);
  return re.test(ins.lines.join('\n'));
}

function argDecl(ins: Instruction): { name: string; hasDefault: boolean }[] {
  return ins.args.map((a) => {
    const eq = a.indexOf('=');
    return { name: eq >= 0 ? a.slice(0, eq) : a, hasDefault: eq >= 0 };
  });
}

export const secretArg: Rule = {
  id: 'DO-SECRET-ARG',
  description: 'credentials are passed as BuildKit secret mounts, not ARG or ENV (which the image keeps)',
  severity: 'warning',
  mirrors: ['SecretsUsedInArgOrEnv'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const ins of model.instructions) {
      if (ins.keyword === 'ENV') {
        const names = envNames(ins).filter(looksSecret);
        for (const n of names) out.push({ line: ins.startLine, severity: 'warning', message: `ENV ${n} looks like a credential: an ENV stays in the image config for anyone who pulls it; pass it at run time or as a build secret` });
        continue;
      }
      if (ins.keyword !== 'ARG' || ins.stage < 0) continue;
      const decls = argDecl(ins);
      if (decls.length !== 1) {
        for (const d of decls.filter((x) => looksSecret(x.name))) out.push({ line: ins.startLine, severity: 'warning', message: `ARG ${d.name} looks like a credential: build arguments are kept in the image history; use a secret mount` });
        continue;
      }
      const { name, hasDefault } = decls[0];
      if (!looksSecret(name)) continue;
      const stage = model.stages[ins.stage];
      const later = stage.instructions.filter((i) => i.index > ins.index);
      const users = later.filter((i) => uses(i, name) || (i.keyword === 'RUN' && (scriptOf(model, i) ? (paramNames(scriptOf(model, i)!.text) ?? new Set()).has(name) : false)));
      const id = name.toLowerCase();
      const flag = `docker build --secret id=${id},env=${name} .`;
      const bad = users.find((i) => i.keyword !== 'RUN' || !scriptOf(model, i) || i.flags.some((f) => f.name === 'mount' && (f.value ?? '').includes(`id=${id}`)));
      const redecl = later.some((i) => i.keyword === 'ARG' && argDecl(i).some((d) => d.name === name));
      if (hasDefault || bad || redecl || users.length === 0) {
        const why = hasDefault ? 'it has a default value in the Dockerfile' : bad ? `${bad.keyword} on line ${bad.startLine + 1} uses it` : redecl ? 'it is declared again later' : 'no RUN uses it';
        out.push({ line: ins.startLine, severity: 'warning', message: `ARG ${name} looks like a credential and is kept in the image history; not moved to a secret mount because ${why}`, hints: [`then build with: ${flag}`] });
        continue;
      }
      const edits: Edit[] = [{ startLine: ins.startLine, endLine: ins.endLine, lines: ins.lines.filter((l, k) => k > 0 && l.trimStart().startsWith('#')) }];
      let ok = true;
      // A credentials file written in a RUN may go at its end only if nothing after it reads it.
      const laterNeeds = (i: Instruction, file: string) =>
        later.some((x) => x.index > i.index && (x.lines.join('\n').includes(file.split('/').pop()!) || (x.keyword === 'RUN' && !!scriptOf(model, x) && subcommands(scriptOf(model, x)!, ['npm', 'yarn', 'pnpm', 'pip', 'pip3', 'twine', 'git'], ['install', 'ci', 'i', 'add', 'publish', 'upload', 'clone', 'fetch', 'pull']).length > 0)));
      for (const u of users) {
        const e = secretRun(model, scriptOf(model, u)!, name, id, (file) => !laterNeeds(u, file));
        if (!e) {
          ok = false;
          break;
        }
        edits.push(e);
      }
      if (!ok) {
        out.push({ line: ins.startLine, severity: 'warning', message: `ARG ${name} looks like a credential; its RUN could not be rewritten safely: use --mount=type=secret,id=${id}`, hints: [`then build with: ${flag}`] });
        continue;
      }
      out.push({
        line: ins.startLine,
        message: `ARG ${name} is a BuildKit secret (id=${id}) mounted only into the RUN${users.length > 1 ? 's' : ''} that use${users.length > 1 ? '' : 's'} it: it no longer reaches the image history`,
        hints: [`build with: ${flag}`],
        severity: 'warning',
        finding: true,
        fix: edits,
      });
    }
    return out;
  },
};

function envNames(ins: Instruction): string[] {
  const a = ins.args;
  if (a.length >= 1 && !a[0].includes('=')) return [a[0]];
  return a.filter((x) => x.includes('=')).map((x) => x.slice(0, x.indexOf('=')));
}

/** The RUN with the secret mounted and read into the variable; files it wrote the token to are removed when no later step needs them. */
/** Files that hold credentials for a tool and nothing else the image needs. */
const CREDENTIAL_FILES = new Set(['.npmrc', '.yarnrc', '.netrc', '.pypirc', 'pip.conf', '.git-credentials']);

function secretRun(model: DockerfileModel, s: Script, name: string, id: string, removable: (file: string) => boolean): Edit | null {
  const read = `${name}="$(cat /run/secrets/${id} 2>/dev/null || true)" && export ${name} && `;
  const edits = [{ start: 0, end: 0, text: read }];
  // An unquoted `$NAME` argument: a shell variable now, which linters hold to quoting (as an ARG it was
  // not). `${NAME:+"$NAME"}` expands exactly as before for a token (nothing when it is empty).
  // Inside a longer word (`'https://'$NAME'@host'`) the expansion is quoted where it stands: the word
  // is never empty there, so quoting only stops the token's characters being split or globbed.
  for (const c of s.parsed.commands) {
    c.argv.forEach((w, i) => {
      if (i === 0) return;
      const whole = w.text === `$${name}` || w.text === `\${${name}}`;
      const inner = (w.params ?? []).filter((p) => p.name === name);
      if (!whole && inner.length === 0) return;
      const r = wordRange(s, c, i);
      if (!r) return;
      if (whole) {
        edits.push({ start: r.start, end: r.end, text: `\${${name}:+"$${name}"}` });
        return;
      }
      for (const p of inner) {
        const a = charIndex(w.text, p.start);
        const b = charIndex(w.text, p.end);
        edits.push({ start: r.start + a, end: r.start + b, text: `"${w.text.slice(a, b)}"` });
      }
    });
  }
  // Files the token was written to in this RUN (`> .npmrc`): remove them at its end.
  const written: string[] = [];
  for (const c of s.parsed.commands) {
    if (!(paramNames(c.text) ?? new Set()).has(name)) continue;
    for (const r of c.redirects) {
      const p = parseShell(`: ${r}`);
      const m = /^\d*>>?\s*(\S+)$/.exec(r.trim());
      if (p.ok && m && /^[A-Za-z0-9_./~-]+$/.test(m[1]) && CREDENTIAL_FILES.has(m[1].split('/').pop()!) && removable(m[1])) written.push(m[1]);
    }
  }
  const removed = s.parsed.commands.some((c) => c.name === 'rm');
  if (written.length && !removed) {
    const at = appendAt(s);
    if (at === null) return null;
    edits.push({ start: at, end: at, text: ` && rm -f ${[...new Set(written)].join(' ')}` });
  }
  const e = editScript(model, s, edits);
  if (!e) return null;
  // The mount flag goes right after the RUN keyword.
  const m = /^(\s*run)(\s+)/i.exec(e.lines[0]);
  if (!m) return null;
  e.lines[0] = `${m[1]} --mount=type=secret,id=${id}${m[2]}${e.lines[0].slice(m[0].length)}`;
  return e;
}
