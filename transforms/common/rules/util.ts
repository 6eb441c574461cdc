/**
 * Shared helpers of the cross-cutting rules: the shell script of a RUN with a map from its characters
 * back to source lines (so that a fix edits only the words it must and keeps the author's layout,
 * continuations and comments), stage facts (distro family, effective user, SHELL), and edit builders.
 */
import type { DockerfileModel, Instruction, Stage } from '../../../src/model/parse';
import { parseImage } from '../../../src/model/image';
import { effectiveIndex, effectiveName, parseShell, ParsedShell, ShellCommand } from '../../../src/shell';
import { charEditSources, type CharEdit, type Edit } from '../../../src/rules/rule';

export interface Script {
  ins: Instruction;
  /** The shell script (the instruction's body in shell form). */
  text: string;
  parsed: ParsedShell;
  /**
   * Source position (line index into model.sourceLines, column) of character `i` of `text`, for
   * 0 <= i <= text.length (the last: one past the end); undefined outside.
   */
  posAt(i: number): { line: number; col: number } | undefined;
}

const scriptCache = new WeakMap<Instruction, Script | null>();

/** Shell-form RUN script of an instruction, with its source map; null for exec form, heredocs, unparsable. */
export function scriptOf(model: DockerfileModel, ins: Instruction): Script | null {
  if (scriptCache.has(ins)) return scriptCache.get(ins)!;
  const s = computeScript(model, ins);
  scriptCache.set(ins, s);
  return s;
}

function computeScript(model: DockerfileModel, ins: Instruction): Script | null {
  if (ins.keyword !== 'RUN' || ins.json || ins.heredoc || !ins.body) return null;
  const escape = model.escape;
  // Rebuild the joined text exactly as the model does, remembering which source line each piece came from.
  const pieces: { line: number; text: string }[] = [];
  for (let i = 0; i < ins.lines.length; i++) {
    let line = ins.lines[i];
    if (i > 0) {
      const t = line.trimStart();
      if (t.startsWith('#') || t === '') continue;
    }
    const stripped = line.replace(/[ \t]+$/, '');
    if (i < ins.lines.length - 1 && stripped.endsWith(escape)) line = stripped.slice(0, -escape.length);
    pieces.push({ line: ins.startLine + i, text: line });
  }
  const trimmedEnd = pieces
    .map((p) => p.text)
    .join('')
    .replace(/\s+$/, '');
  const start = trimmedEnd.length - ins.body.length;
  if (start < 0 || trimmedEnd.slice(start) !== ins.body) return null;
  const text = ins.body;
  const parsed = parseShell(text);
  if (!parsed.ok) return null;
  // Where each piece starts in the joined text: a position is found by a binary search over the pieces
  // (a map with one entry per character cost more than the parse for long scripts).
  const starts: number[] = [];
  let acc = 0;
  for (const p of pieces) {
    starts.push(acc);
    acc += p.text.length;
  }
  const posAt = (i: number): { line: number; col: number } | undefined => {
    if (!(i >= 0 && i <= text.length)) return undefined;
    if (i === text.length) {
      // One past the end: right after the last character (as the map of every character had it).
      const last = i > 0 ? posAt(i - 1) : undefined;
      return last ? { line: last.line, col: last.col + 1 } : { line: ins.startLine, col: ins.lines[0].length };
    }
    const g = start + i;
    // The last piece that starts at or before g holds it (an empty piece shares its start with the next).
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= g) lo = mid;
      else hi = mid - 1;
    }
    return { line: pieces[lo].line, col: g - starts[lo] };
  };
  return { ins, text, parsed, posAt };
}

/** Character index in `text` of a UTF-8 byte offset reported by the shell parser. */
export function charIndex(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

/** Character range [start, end) of the script text replaced by `text` (start === end inserts): the engine's CharEdit. */
export type TextEdit = CharEdit;

/**
 * Applies edits of a script's text to its source lines; the edits must each stay on one source line
 * (they replace words, never line breaks). Returns the Edit of the instruction's lines, or null when
 * an edit would span lines.
 */
export function editScript(model: DockerfileModel, s: Script, edits: TextEdit[]): Edit | null {
  const lines = s.ins.lines.slice();
  const sorted = edits.slice().sort((a, b) => b.start - a.start);
  const removed = new Set<number>();
  // Comment lines inside a span an edit removes are kept, moved above the line the span starts on.
  const hoisted = new Map<number, string[]>();
  for (const e of sorted) {
    let a: { line: number; col: number };
    if (e.end === e.start) {
      // an insertion goes right after the character before it (never onto the next source line)
      const prev = e.start > 0 ? s.posAt(e.start - 1) : null;
      a = prev ? { line: prev.line, col: prev.col + 1 } : s.posAt(0)!;
      const li = a.line - s.ins.startLine;
      lines[li] = lines[li].slice(0, a.col) + e.text + lines[li].slice(a.col);
      continue;
    }
    const at = s.posAt(e.start);
    const b = s.posAt(e.end - 1);
    if (!at || !b) return null;
    a = at;
    const la = a.line - s.ins.startLine;
    const lb = b.line - s.ins.startLine;
    if (la === lb) {
      lines[la] = lines[la].slice(0, a.col) + e.text + lines[la].slice(b.col + 1);
      continue;
    }
    const comments: string[] = [];
    for (let l = la + 1; l < lb; l++) if (lines[l].trimStart().startsWith('#')) comments.push(lines[l]);
    if (comments.length) hoisted.set(la, [...comments, ...(hoisted.get(la) ?? [])]);
    lines[la] = lines[la].slice(0, a.col) + e.text + lines[lb].slice(b.col + 1);
    for (let l = la + 1; l <= lb; l++) removed.add(l);
  }
  const out: string[] = [];
  lines.forEach((l, i) => {
    out.push(...(hoisted.get(i) ?? []));
    if (!removed.has(i)) out.push(l);
  });
  const edit: Edit = { startLine: s.ins.startLine, endLine: s.ins.endLine, lines: out };
  charEditSources.set(edit, { script: s, edits, lines: out.slice(), rebuild: (all) => editScript(model, s, all) });
  return edit;
}

/** Character range of a command within its script. */
export function commandRange(s: Script, c: ShellCommand): { start: number; end: number } {
  return { start: charIndex(s.text, c.start), end: charIndex(s.text, c.end) };
}

/** Character index just after argv word `i` of a command (located in the command's own text). */
export function afterWord(s: Script, c: ShellCommand, i: number): number | null {
  const r = commandRange(s, c);
  let from = r.start;
  for (let k = 0; k <= i; k++) {
    const w = c.argv[k];
    if (!w) return null;
    const at = s.text.indexOf(w.text, from);
    if (at < 0 || at > r.end) return null;
    from = at + w.text.length;
  }
  return from;
}

/** Character range of argv word `i` of a command. */
export function wordRange(s: Script, c: ShellCommand, i: number): { start: number; end: number } | null {
  const end = afterWord(s, c, i);
  if (end === null) return null;
  return { start: end - c.argv[i].text.length, end };
}

export type Family = 'debian' | 'alpine' | 'rhel' | 'distroless' | 'scratch' | 'windows' | 'unknown';

const DEBIAN_REPOS = /^(debian|ubuntu|buildpack-deps|node|python|golang|rust|ruby|php|openjdk|eclipse-temurin|maven|gradle|perl|r-base|gcc|haskell|elixir|erlang|julia|swift|mono|nginx|httpd|postgres|mysql|mariadb|redis|mongo|wordpress|drupal|jenkins\/jenkins|neurodebian|kalilinux\/kali-rolling|tomcat|jetty|clojure|node-red)$/;

/** What a stage's base is, from its image name and tag and from the package managers it runs. */
export function familyOf(model: DockerfileModel, stage: Stage, seen = new Set<number>(), byNameOnly = false): Family {
  const img = stage.image;
  if (img === 'scratch') return 'scratch';
  const parent = model.stages.find((s) => s.name !== null && s.name === img.toLowerCase() && s.index < stage.index);
  if (parent && !seen.has(parent.index)) {
    seen.add(parent.index);
    return familyOf(model, parent, seen, byNameOnly);
  }
  const ref = parseImage(img);
  const tag = ref.tag ?? '';
  if (/windows|nanoserver|servercore/i.test(img)) return 'windows';
  if (/distroless/.test(ref.repo)) return 'distroless';
  if (/alpine/.test(tag) || /(^|\/)alpine$/.test(ref.repo) || /(^|\/)busybox$/.test(ref.repo)) return 'alpine';
  if (/^(centos|fedora|rockylinux|almalinux|amazonlinux|oraclelinux)$/.test(ref.repo) || /(^|\/)(ubi\d*|ubi\d*-minimal)$/.test(ref.repo)) return 'rhel';
  if (!ref.dynamic && DEBIAN_REPOS.test(ref.repo) && !/alpine|windows|nanoserver/.test(tag)) return 'debian';
  if (byNameOnly) return 'unknown';
  // The package managers the stage runs tell the rest.
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN') continue;
    const p = parseShell(ins.json ? ins.json.join(' ') : ins.body);
    for (const c of p.commands) {
      const n = c.name.split('/').pop();
      if (n === 'apk') return 'alpine';
      if (n === 'apt-get' || n === 'apt' || n === 'dpkg') return 'debian';
      if (n === 'yum' || n === 'dnf' || n === 'microdnf') return 'rhel';
    }
  }
  return 'unknown';
}

/** The stage has a SHELL instruction (a non-default shell may not speak POSIX sh) before `ins`. */
export function customShell(stage: Stage, before?: Instruction): boolean {
  return stage.instructions.some((i) => i.keyword === 'SHELL' && (!before || i.index < before.index));
}

/** The user in effect at an instruction: the last USER before it in its stage (null when none: the base's). */
export function userAt(stage: Stage, ins: Instruction): string | null {
  let user: string | null = null;
  for (const i of stage.instructions) {
    if (i.index >= ins.index) break;
    if (i.keyword === 'USER') user = i.args[0] ?? null;
  }
  return user;
}

export { isRootUser } from '../../../src/model/user';

export function stageOf(model: DockerfileModel, ins: Instruction): Stage | null {
  return ins.stage >= 0 ? model.stages[ins.stage] : null;
}

/** Stages whose base is `stage` (directly or through other stages), itself included. */
export function descendants(model: DockerfileModel, stage: Stage): Stage[] {
  const out = [stage];
  for (const s of model.stages) {
    if (s.index <= stage.index) continue;
    if (out.some((o) => o.name !== null && o.name === s.image.toLowerCase())) out.push(s);
  }
  return out;
}

/** The RUN scripts of a model, in order (shell form only). */
const scriptsCache = new WeakMap<DockerfileModel, Script[]>();

export function scripts(model: DockerfileModel): Script[] {
  const hit = scriptsCache.get(model);
  if (hit) return hit;
  const out: Script[] = [];
  scriptsCache.set(model, out);
  for (const ins of model.instructions) {
    const s = scriptOf(model, ins);
    if (s) out.push(s);
  }
  return out;
}

/** The words of a command from index `from`, as literal values (null for non-literal ones). */
export function values(c: ShellCommand, from = 0): (string | null)[] {
  return c.argv.slice(from).map((w) => w.value);
}

/** Index in argv of a command's subcommand (first non-option word after the program), skipping options that take a value. */
export function subcommandIndex(c: ShellCommand, valued: string[] = []): number {
  let i = effectiveIndex(c) + 1;
  while (i < c.argv.length) {
    const v = c.argv[i].value;
    if (v === null) return -1;
    if (v.startsWith('-')) {
      i += valued.includes(v) ? 2 : 1;
      continue;
    }
    return i;
  }
  return -1;
}

/** Commands of a script that run `program subcommand` (program by basename; sudo/env wrappers looked through). */
export function subcommands(s: Script, programs: string[], subs: string[], valued: string[] = []): { cmd: ShellCommand; sub: number }[] {
  const out: { cmd: ShellCommand; sub: number }[] = [];
  for (const c of s.parsed.commands) {
    if (!programs.includes(effectiveName(c))) continue;
    const i = subcommandIndex(c, valued);
    if (i < 0) continue;
    const v = c.argv[i].value;
    if (v !== null && subs.includes(v)) out.push({ cmd: c, sub: i });
  }
  return out;
}

/** The RUN's --mount flags name a cache mount whose target starts with one of `targets`. */
export function hasCacheMount(ins: Instruction, targets: string[]): boolean {
  return ins.flags.some((f) => f.name === 'mount' && f.value !== null && /(^|,)type=cache(,|$)/.test(f.value) && targets.some((t) => new RegExp(`(^|,)(target|dst|destination)=${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(f.value!)));
}

/** An ENV of the stage (before `ins`) or a prefix assignment sets `name`. */
export function envSet(stage: Stage, ins: Instruction, name: string): boolean {
  return stage.instructions.some((i) => (i.keyword === 'ENV' || i.keyword === 'ARG') && i.index < ins.index && i.args.some((a) => a === name || a.startsWith(`${name}=`)));
}

/**
 * Where to append `&& <cmd>` after the last command of a script (before a trailing shell comment):
 * null when the script's end is not a plain command (control flow, a background job).
 */
export function appendAt(s: Script): number | null {
  const cmds = s.parsed.commands;
  const last = cmds[cmds.length - 1];
  if (!last || s.parsed.complex || last.inSubshell || last.next === '&') return null;
  const end = charIndex(s.text, last.end);
  // What follows the last command can only be a shell comment: the new command goes before it.
  const rest = s.text.slice(end).trim();
  if (rest !== '' && !rest.startsWith('#')) return null;
  return end;
}

/** The final stage and the stages it is built on (FROM <stage>): what reaches the image. */
export function finalLineage(model: DockerfileModel): Set<number> {
  const out = new Set<number>();
  let st: Stage | undefined = model.stages[model.stages.length - 1];
  while (st && !out.has(st.index)) {
    out.add(st.index);
    const img: string = st.image.toLowerCase();
    const idx: number = st.index;
    st = model.stages.find((s) => s.name !== null && s.name === img && s.index < idx);
  }
  return out;
}

/**
 * An install of packages without version pins (apt/apt-get install, pip install, npm install -g):
 * hadolint checks pins (DL3008, DL3013, DL3016) only on commands it recognises, so turning `apt` into
 * `apt-get` or dropping `sudo` before such a command would add a finding the tool cannot fix (it
 * cannot choose versions). Rules that would expose one report instead of fixing.
 */
export function unpinnedInstall(c: ShellCommand): boolean {
  const i = effectiveIndex(c);
  const prog = (c.argv[i]?.value ?? '').split('/').pop() ?? '';
  const rest = c.argv.slice(i + 1).map((w) => w.value ?? w.text);
  const sub = rest.find((v) => !v.startsWith('-'));
  const pkgs = (valued: string[]) => {
    const out: string[] = [];
    let seenSub = false;
    for (let k = 0; k < rest.length; k++) {
      const v = rest[k];
      if (v.startsWith('-')) {
        if (valued.includes(v)) k++;
        continue;
      }
      if (!seenSub) {
        seenSub = true;
        continue;
      }
      out.push(v);
    }
    return out;
  };
  if ((prog === 'apt' || prog === 'apt-get') && sub === 'install') return pkgs(['-o', '-c', '-t']).some((p) => !p.includes('=') && !p.endsWith('.deb'));
  if (/^pip[0-9.]*$/.test(prog) && sub === 'install') return !rest.some((v) => v === '-r' || v.startsWith('--requirement')) && pkgs(['-i', '--index-url', '--extra-index-url', '-c', '--constraint', '-t', '--target']).some((p) => !/[=<>~]=|@|\//.test(p) && !p.startsWith('.'));
  if (prog === 'npm' && (sub === 'install' || sub === 'i') && rest.some((v) => v === '-g' || v === '--global')) return pkgs(['--prefix']).some((p) => !p.slice(1).includes('@'));
  return false;
}
