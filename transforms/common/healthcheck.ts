/**
 * HEALTHCHECKs that call curl or wget: on a runtime without those tools the check is rewritten to the
 * runtime's own interpreter, or kept where the tool exists; never left broken.
 */
import type { Instruction } from '../../src/model/parse';
import { jsonForm } from '../../src/model/print';
import { parseShell } from '../../src/shell';

export interface HttpProbe {
  url: string;
  /** curl -f / wget: a status >= 400 fails the check. Plain curl succeeds on any answer. */
  failOnHttpError: boolean;
}

/** The command part of a HEALTHCHECK (after its options), as exec argv or shell text. */
export function healthCommand(ins: Instruction): { exec: string[] | null; shell: string | null } | null {
  const m = /^CMD\s+([\s\S]*)$/i.exec(ins.body.trim());
  if (!m) return null;
  const rest = m[1].trim();
  if (rest.startsWith('[')) {
    try {
      const v = JSON.parse(rest);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
        if (v[0] === 'CMD-SHELL') return { exec: null, shell: v.slice(1).join(' ') };
        return { exec: v, shell: null };
      }
    } catch {
      return null;
    }
  }
  return { exec: null, shell: rest };
}

/** Which external tools the check runs (curl, wget, sh …). */
export function healthTools(ins: Instruction): string[] {
  const hc = healthCommand(ins);
  if (!hc) return [];
  if (hc.exec) return [hc.exec[0].split('/').pop() ?? hc.exec[0]];
  const parsed = parseShell(hc.shell ?? '');
  const names = ['sh'];
  for (const c of parsed.commands) if (c.argv[0]?.value) names.push(c.argv[0].value.split('/').pop()!);
  return names;
}

/** An HTTP GET done by curl or wget, optionally followed by `|| exit 1`; null for anything else. */
export function httpProbeOf(ins: Instruction): HttpProbe | null {
  const hc = healthCommand(ins);
  if (!hc) return null;
  let argv: string[] | null = hc.exec;
  if (!argv) {
    const parsed = parseShell(hc.shell ?? '');
    if (!parsed.ok || parsed.complex) return null;
    const cmds = parsed.commands;
    if (cmds.length === 2) {
      const tail = cmds[1].argv.map((w) => w.value);
      if (!(cmds[0].next === '||' && tail[0] === 'exit' && (tail[1] === '1' || tail[1] === undefined) && tail.length <= 2)) return null;
    } else if (cmds.length !== 1) return null;
    if (cmds[0].assigns.length || cmds[0].redirects.some((r) => !/\/dev\/null/.test(r))) return null;
    const words = cmds[0].argv.map((w) => w.value);
    if (words.some((w) => w === null)) return null;
    argv = words as string[];
  }
  const tool = argv[0].split('/').pop();
  const urls = argv.filter((a) => /^https?:\/\//.test(a));
  if (urls.length !== 1) return null;
  if (tool === 'curl') {
    const allowed = /^(-[fsSLk]+|--fail|--silent|--show-error|--location|--insecure|-o|\/dev\/null|--output|--max-time|-m|\d+)$/;
    if (!argv.slice(1).every((a) => a === urls[0] || allowed.test(a))) return null;
    const fail = argv.some((a) => a === '--fail' || (/^-[a-zA-Z]+$/.test(a) && a.includes('f')));
    return { url: urls[0], failOnHttpError: fail };
  }
  if (tool === 'wget') {
    const allowed = /^(-[qOS-]+|--spider|--quiet|-O|-|\/dev\/null|--tries=\d+|-T|\d+|--timeout=\d+|--no-verbose)$/;
    if (!argv.slice(1).every((a) => a === urls[0] || allowed.test(a))) return null;
    return { url: urls[0], failOnHttpError: true };
  }
  return null;
}

function healthOptions(ins: Instruction): string {
  return ins.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`)).join(' ');
}

/** HEALTHCHECK line running the probe with Node.js (`node` is the interpreter path in the runtime). */
export function nodeHealthcheck(ins: Instruction, probe: HttpProbe, node: string): string {
  const mod = probe.url.startsWith('https:') ? 'https' : 'http';
  const ok = probe.failOnHttpError ? 'r.statusCode < 400 ? 0 : 1' : '0';
  const js = `require('${mod}').get('${probe.url}', (r) => process.exit(${ok})).on('error', () => process.exit(1))`;
  const opts = healthOptions(ins);
  return `HEALTHCHECK ${opts ? opts + ' ' : ''}CMD ${jsonForm([node, '-e', js])}`;
}

/** HEALTHCHECK line running the probe with Python's standard library. */
export function pythonHealthcheck(ins: Instruction, probe: HttpProbe, python: string): string {
  const tolerant = probe.failOnHttpError ? '' : '\nexcept urllib.error.HTTPError: pass';
  const py = `import sys, urllib.request, urllib.error\ntry: urllib.request.urlopen('${probe.url}', timeout=10)${tolerant}\nexcept Exception: sys.exit(1)`;
  const opts = healthOptions(ins);
  return `HEALTHCHECK ${opts ? opts + ' ' : ''}CMD ${jsonForm([python, '-c', py])}`;
}
