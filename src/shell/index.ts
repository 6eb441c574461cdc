/**
 * RUN, CMD and HEALTHCHECK scripts read with a real POSIX/bash parser (mvdan-sh), never regular
 * expressions. The tree is reduced to the list of simple commands the script runs, in order, with the
 * operator that joins each to the next, so that transforms and rules can ask "does this script run
 * `apt-get install` without `-y`?" and know whether the answer is literal.
 *
 * The parser is mvdan.cc/sh (the one behind shfmt). Its WebAssembly build (./shparse, compiled by
 * `npm run build` when Go is on the machine) does the reduction inside the module and hands back one
 * list of integers (strings as byte ranges of the script): about 30 times faster than walking the
 * GopherJS build's tree (the mvdan-sh package) from JavaScript, which stays as the fallback when the
 * WebAssembly module was not built. Both are loaded on first use: `--help` must not pay for them.
 */
import { Reply, shparse } from './wasm';

/** One word of a command line. `value` is its literal meaning after quote removal, or null when it
 * depends on an expansion ($VAR, $(...), `...`, arithmetic) that only the shell can resolve. */
export interface ShellWord {
  text: string;
  value: string | null;
  /** Unquoted plain expansions ($NAME, ${NAME}) at the word's top level, as UTF-8 byte offsets within
   * `text`; absent when there are none. The shell splits and globs these. */
  params?: { name: string; start: number; end: number }[];
}

export interface ShellAssign {
  name: string;
  value: string | null;
  text: string;
}

export type ShellOperator = '&&' | '||' | ';' | '|' | '&';

export interface ShellCommand {
  argv: ShellWord[];
  /** Prefix assignments such as `NODE_ENV=production npm ci`. */
  assigns: ShellAssign[];
  /** Literal argv[0] ('' when it is not literal or the command only assigns). */
  name: string;
  /** The command's own source text, redirects included. */
  text: string;
  start: number;
  end: number;
  redirects: string[];
  inPipeline: boolean;
  negated: boolean;
  /** Inside ( ), { }, if/for/while/case or a function: it may not run, or runs elsewhere. */
  inSubshell: boolean;
  /** Operator that joins this command to the next one at its level; null for the last. */
  next: ShellOperator | null;
}

export interface ParsedShell {
  source: string;
  ok: boolean;
  error?: string;
  /** The script has control flow (if, for, while, case, functions) or here-documents. */
  complex: boolean;
  commands: ShellCommand[];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Node = any;
let syntaxModule: any = null;
function syntax(): any {
  if (!syntaxModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    syntaxModule = require('mvdan-sh').syntax;
  }
  return syntaxModule;
}

const BIN_OPS: Record<number, ShellOperator> = { 10: '&&', 11: '||', 12: '|', 13: '|' };

const cache = new Map<string, ParsedShell>();

export function parseShell(source: string): ParsedShell {
  const hit = cache.get(source);
  if (hit) return hit;
  const result = parseUncached(source);
  if (cache.size > 5000) cache.clear();
  cache.set(source, result);
  return result;
}

function parseUncached(source: string): ParsedShell {
  const reply = shparse(source, 0);
  return reply ? commandsOf(source, reply) : parseWithGopherJs(source);
}

/** The WebAssembly parser's reduction (what parseShell uses when the module is built); throws when it is not. */
export function parseWithWasm(source: string): ParsedShell {
  const reply = shparse(source, 0);
  if (!reply) throw new Error('the WebAssembly shell parser is not built (npm run build)');
  return commandsOf(source, reply);
}

const NEXT: (ShellOperator | null)[] = [null, '&&', '||', ';', '|', '&'];

/** Builds the commands from the module's reply (layout in shparse/README.md), with the same keys in the same order as parseWithGopherJs. */
function commandsOf(source: string, { ints, str }: Reply): ParsedShell {
  if (ints[1] === 0) return { source, ok: false, error: str(ints[4], ints[5]), complex: true, commands: [] };
  const commands: ShellCommand[] = [];
  let i = 6;
  for (let n = ints[3]; n > 0; n--) {
    const flags = ints[i];
    const start = ints[i + 1];
    const end = ints[i + 2];
    i += 3;
    const argv: ShellWord[] = [];
    for (let k = ints[i++]; k > 0; k--) {
      const ta = ints[i];
      const tb = ints[i + 1];
      const va = ints[i + 2];
      const vb = ints[i + 3];
      const text = str(ta, tb);
      const value = va < 0 ? null : va === ta && vb === tb ? text : str(va, vb);
      let params = ints[i + 4];
      i += 5;
      if (params === 0) {
        argv.push({ text, value });
        continue;
      }
      const list: { name: string; start: number; end: number }[] = [];
      for (; params > 0; params--, i += 4) list.push({ name: str(ints[i], ints[i + 1]), start: ints[i + 2], end: ints[i + 3] });
      argv.push({ text, value, params: list });
    }
    const assigns: ShellAssign[] = [];
    for (let k = ints[i++]; k > 0; k--, i += 6) {
      assigns.push({ name: str(ints[i], ints[i + 1]), value: ints[i + 2] < 0 ? null : str(ints[i + 2], ints[i + 3]), text: str(ints[i + 4], ints[i + 5]) });
    }
    const redirects: string[] = [];
    for (let k = ints[i++]; k > 0; k--, i += 2) redirects.push(str(ints[i], ints[i + 1]));
    commands.push({
      argv,
      assigns,
      name: argv[0]?.value ?? '',
      text: str(start, end),
      start,
      end,
      redirects,
      inPipeline: (flags & 1) !== 0,
      negated: (flags & 2) !== 0,
      inSubshell: (flags & 4) !== 0,
      next: NEXT[flags >> 3],
    });
  }
  return { source, ok: true, complex: ints[2] !== 0, commands };
}

/** The same reduction over the GopherJS build's tree: the fallback, and the reference the tests compare against. */
export function parseWithGopherJs(source: string): ParsedShell {
  const s = syntax();
  const bytes = Buffer.from(source, 'utf8');
  const slice = (a: number, b: number): string => bytes.subarray(a, b).toString('utf8');
  let file: Node;
  try {
    file = s.NewParser().Parse(source, 'script');
  } catch (e) {
    const err = e as any;
    const message = typeof err?.Error === 'function' ? String(err.Error()) : String(err?.message ?? err);
    return { source, ok: false, error: message.replace(/^script:/, ''), complex: true, commands: [] };
  }
  const commands: ShellCommand[] = [];
  let complex = false;

  interface Ctx {
    pipeline: boolean;
    nested: boolean;
    negated: boolean;
  }

  const visitStmts = (stmts: Node[], ctx: Ctx): void => {
    stmts.forEach((st, i) => {
      const before = commands.length;
      visitStmt(st, ctx);
      if (commands.length > before) {
        const last = commands[commands.length - 1];
        if (st.Background) last.next = '&';
        else if (i < stmts.length - 1) last.next = ';';
        else last.next = null;
      }
    });
  };

  const visitStmt = (st: Node, ctx: Ctx): void => {
    const cmd = st.Cmd;
    const negated = ctx.negated || !!st.Negated;
    const redirs: Node[] = st.Redirs ?? [];
    for (const r of redirs) {
      // here-documents (<<, <<-) carry a body the command reads: treat as control flow
      if (r.Hdoc) complex = true;
    }
    if (!cmd) {
      return;
    }
    const type = s.NodeType(cmd);
    switch (type) {
      case 'CallExpr': {
        const args: Node[] = cmd.Args ?? [];
        const assigns: Node[] = cmd.Assigns ?? [];
        let start = cmd.Pos().Offset();
        let end = cmd.End().Offset();
        for (const r of redirs) {
          start = Math.min(start, r.Pos().Offset());
          end = Math.max(end, r.End().Offset());
        }
        const argv = args.map((w) => {
          const word: ShellWord = { text: slice(w.Pos().Offset(), w.End().Offset()), value: wordValue(w) };
          const params = bareParams(w);
          if (params.length) word.params = params;
          return word;
        });
        commands.push({
          argv,
          assigns: assigns.map((a) => ({
            name: String(a.Name?.Value ?? ''),
            value: a.Array || a.Index || a.Append ? null : a.Value ? wordValue(a.Value) : '',
            text: slice(a.Pos().Offset(), a.End().Offset()),
          })),
          name: argv[0]?.value ?? '',
          text: slice(start, end),
          start,
          end,
          redirects: redirs.map((r) => slice(r.Pos().Offset(), r.End().Offset())),
          inPipeline: ctx.pipeline,
          negated,
          inSubshell: ctx.nested,
          next: null,
        });
        return;
      }
      case 'BinaryCmd': {
        const op = BIN_OPS[cmd.Op] ?? ';';
        const pipe = op === '|';
        const sub: Ctx = { ...ctx, negated, pipeline: ctx.pipeline || pipe };
        const before = commands.length;
        visitStmt(cmd.X, sub);
        if (commands.length > before) commands[commands.length - 1].next = op;
        visitStmt(cmd.Y, sub);
        return;
      }
      case 'Subshell':
      case 'Block':
        visitStmts(cmd.Stmts ?? [], { ...ctx, negated, nested: true });
        return;
      default: {
        // if/for/while/case/functions/[[ ]]/let/declare/time/coproc: walk for nested simple commands
        complex = true;
        const inner: Node[] = [];
        s.Walk(cmd, (n: Node) => {
          if (!n) return true;
          if (n !== cmd && s.NodeType(n) === 'Stmt') {
            inner.push(n);
            return false;
          }
          return true;
        });
        const nestedCtx = { ...ctx, negated, nested: true };
        for (const n of inner) visitStmt(n, nestedCtx);
        if (type === 'TimeClause' || type === 'DeclClause' || type === 'TestClause' || type === 'LetClause' || type === 'ArithmCmd') {
          // these are simple enough to keep as one opaque command
          const start = cmd.Pos().Offset();
          const end = cmd.End().Offset();
          commands.push({
            argv: [],
            assigns: [],
            name: '',
            text: slice(start, end),
            start,
            end,
            redirects: [],
            inPipeline: ctx.pipeline,
            negated,
            inSubshell: ctx.nested,
            next: null,
          });
        }
      }
    }
  };

  const bareParams = (w: Node): { name: string; start: number; end: number }[] => {
    const base = w.Pos().Offset();
    const out: { name: string; start: number; end: number }[] = [];
    for (const p of w.Parts ?? []) {
      if (s.NodeType(p) !== 'ParamExp' || !p.Param || p.Excl || p.Length || p.Width || p.Index || p.Slice || p.Repl || p.Names || p.Exp) continue;
      out.push({ name: String(p.Param.Value), start: p.Pos().Offset() - base, end: p.End().Offset() - base });
    }
    return out;
  };

  const wordValue = (w: Node): string | null => {
    let out = '';
    for (const part of w.Parts ?? []) {
      const v = partValue(part, false);
      if (v === null) return null;
      out += v;
    }
    return out;
  };

  const partValue = (part: Node, quoted: boolean): string | null => {
    switch (s.NodeType(part)) {
      case 'Lit':
        return quoted ? unescapeDouble(String(part.Value)) : unescapeBare(String(part.Value));
      case 'SglQuoted':
        return part.Dollar ? null : String(part.Value);
      case 'DblQuoted': {
        if (part.Dollar) return null;
        let out = '';
        for (const p of part.Parts ?? []) {
          const v = partValue(p, true);
          if (v === null) return null;
          out += v;
        }
        return out;
      }
      default:
        return null;
    }
  };

  visitStmts(file.Stmts ?? [], { pipeline: false, nested: false, negated: false });
  return { source, ok: true, complex, commands };
}

function unescapeBare(v: string): string {
  return v.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

function unescapeDouble(v: string): string {
  return v.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

/** Basename of a command's name, so `/usr/bin/apt-get` matches `apt-get`. */
export function commandName(c: ShellCommand): string {
  return programName(c.name);
}

/** A program's name without its folder (`/usr/bin/apt-get` -> `apt-get`). */
function programName(n: string): string {
  return n.slice(n.lastIndexOf('/') + 1);
}

/** Commands named `name` (basename match); `sudo`/`env` wrappers are looked through. */
export function findCommands(parsed: ParsedShell, ...names: string[]): ShellCommand[] {
  return parsed.commands.filter((c) => names.includes(effectiveName(c)));
}

/** The program a command really runs, looking through `sudo`, `env`, `exec`, `command`, `nice`. */
export function effectiveName(c: ShellCommand): string {
  return effectiveOf(c).name;
}

/** Index of the real program in argv, skipping wrapper commands and their options. */
export function effectiveIndex(c: ShellCommand): number {
  return effectiveOf(c).index;
}

/** A command's real program, worked out once per command (parsed commands are shared and never change; every rule asks). */
const effective = new WeakMap<ShellCommand, { index: number; name: string }>();
function effectiveOf(c: ShellCommand): { index: number; name: string } {
  let hit = effective.get(c);
  if (!hit) {
    const index = computeEffectiveIndex(c);
    hit = { index, name: programName(c.argv[index]?.value ?? '') };
    effective.set(c, hit);
  }
  return hit;
}

function computeEffectiveIndex(c: ShellCommand): number {
  let i = 0;
  while (i < c.argv.length) {
    const v = c.argv[i].value ?? '';
    const base = v.slice(v.lastIndexOf('/') + 1);
    if (base === 'sudo' || base === 'exec' || base === 'command' || base === 'nice' || base === 'nohup' || base === 'env') {
      i++;
      while (i < c.argv.length) {
        const a = c.argv[i].value ?? '';
        if (a.startsWith('-') || (base === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a))) i++;
        else break;
      }
      continue;
    }
    break;
  }
  return i;
}

/**
 * Whether a command carries a flag. Long flags match `--flag` and `--flag=value`; a one-letter flag
 * such as `-y` also matches inside a cluster (`-qy`). Arguments after `--` are not flags.
 */
export function hasFlag(c: ShellCommand, ...flags: string[]): boolean {
  for (const w of c.argv.slice(1)) {
    const v = w.value;
    if (v === null) continue;
    if (v === '--') break;
    for (const f of flags) {
      if (v === f) return true;
      if (f.startsWith('--') && v.startsWith(f + '=')) return true;
      if (/^-[A-Za-z0-9]$/.test(f) && /^-[A-Za-z0-9]+$/.test(v) && v.includes(f[1])) return true;
    }
  }
  return false;
}

/** Value of `--flag=value` or `--flag value` (or `-f value`); undefined when absent, null when not literal. */
export function flagValue(c: ShellCommand, ...flags: string[]): string | null | undefined {
  const a = c.argv;
  for (let i = 1; i < a.length; i++) {
    const v = a[i].value;
    if (v === '--') break;
    for (const f of flags) {
      if (v === f) return i + 1 < a.length ? a[i + 1].value : null;
      if (v !== null && v.startsWith(f + '=')) return v.slice(f.length + 1);
      if (a[i].value === null && a[i].text.startsWith(f + '=')) return null;
    }
  }
  return undefined;
}

/**
 * Non-flag arguments after argv[skip-1]. `valued` names the flags that consume the next word so its
 * value is not taken for a positional.
 */
export function positionals(c: ShellCommand, skip = 1, valued: string[] = []): ShellWord[] {
  const out: ShellWord[] = [];
  let afterDashes = false;
  for (let i = skip; i < c.argv.length; i++) {
    const w = c.argv[i];
    const v = w.value ?? w.text;
    if (!afterDashes && v === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && v.startsWith('-') && v !== '-') {
      if (valued.includes(v)) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/**
 * Splits a script into its top-level `&&`-joined pieces, as source text; null when the script has
 * any other top-level operator or control flow (then it cannot be split without changing meaning).
 */
export function splitTopLevel(source: string): string[] | null {
  const p = parseShell(source);
  if (!p.ok || p.complex || p.commands.some((c) => c.inSubshell)) return null;
  const out: string[] = [];
  let first: ShellCommand | null = null;
  for (const c of p.commands) {
    first ??= c;
    if (c.next === '||' || c.next === '&') return null;
    if (c.next === '&&' || c.next === ';' || c.next === null) {
      out.push(sliceText(source, first.start, c.end));
      first = null;
    }
  }
  return out;
}

function sliceText(source: string, start: number, end: number): string {
  return Buffer.from(source, 'utf8').subarray(start, end).toString('utf8');
}

/** Quotes a word for a POSIX shell when it needs it. */
export function quoteWord(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Names of the parameters a script expands ($NAME, ${NAME}, ${NAME:-x} …), anywhere in it; null when it does not parse. */
const paramCache = new Map<string, Set<string> | null>();

export function paramNames(source: string): Set<string> | null {
  if (paramCache.has(source)) return paramCache.get(source)!;
  if (paramCache.size > 5000) paramCache.clear();
  const r = paramNamesUncached(source);
  paramCache.set(source, r);
  return r;
}

function paramNamesUncached(source: string): Set<string> | null {
  const reply = shparse(source, 1);
  return reply ? namesOf(reply) : paramNamesWithGopherJs(source);
}

/** The WebAssembly parser's parameter names (what paramNames uses when the module is built); throws when it is not. */
export function paramNamesWithWasm(source: string): Set<string> | null {
  const reply = shparse(source, 1);
  if (!reply) throw new Error('the WebAssembly shell parser is not built (npm run build)');
  return namesOf(reply);
}

function namesOf({ ints, str }: Reply): Set<string> | null {
  if (ints[1] < 0) return null;
  const names = new Set<string>();
  for (let i = 2; i < 2 + 2 * ints[1]; i += 2) names.add(str(ints[i], ints[i + 1]));
  return names;
}

export function paramNamesWithGopherJs(source: string): Set<string> | null {
  const s = syntax();
  let file: Node;
  try {
    file = s.NewParser().Parse(source, 'script');
  } catch {
    return null;
  }
  const names = new Set<string>();
  s.Walk(file, (n: Node) => {
    if (n && s.NodeType(n) === 'ParamExp' && n.Param) names.add(String(n.Param.Value));
    return true;
  });
  return names;
}
