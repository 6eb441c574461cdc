/**
 * Go facts from the build context: go.mod (module path, go and toolchain versions, requirements),
 * go.work workspaces, vendor/, and what the Go sources say as syntax (package clauses, imports,
 * string literals, //go:embed directives). Sources are tokenized, never compiled or run.
 */
import * as path from 'path';
import type { BuildContext } from '../../src/stack/context';

export interface GoMod {
  module: string | null;
  /** `go` directive, e.g. `1.22` or `1.22.3`. */
  go: string | null;
  /** `toolchain` directive without the `go` prefix, e.g. `1.23.4`. */
  toolchain: string | null;
  /** Required module paths (direct and indirect). */
  requires: string[];
}

export interface GoSourceFile {
  /** Path relative to the context. */
  file: string;
  pkg: string | null;
  imports: string[];
  /** Interpreted string literals and raw strings, in order. */
  strings: string[];
  /** Patterns of //go:embed directives. */
  embeds: string[];
}

export interface GoFacts {
  /** Directory of go.mod relative to the context ('' for the root); null without go.mod. */
  modDir: string | null;
  mod: GoMod | null;
  hasGoSum: boolean;
  /** go.work at the module root: its `use` directories (relative). */
  work: { file: string; uses: string[]; hasSum: boolean; go: string | null; toolchain: string | null } | null;
  /** vendor/modules.txt is present: builds use -mod=vendor and download nothing. */
  vendor: boolean;
  sources: GoSourceFile[];
  /** Directories (relative to the module root, '.' for the root) holding a non-test `package main`. */
  mainPackages: string[];
  /** Files that `import "C"`. */
  cgoFiles: string[];
  /** Required modules that need cgo. */
  cgoModules: string[];
}

/**
 * Modules that only build with cgo. Those in NEEDS_SHARED_LIB also link a shared library the
 * runtime must carry (only libc is in distroless base).
 */
export const CGO_MODULES: Record<string, string | null> = {
  'github.com/mattn/go-sqlite3': null,
  'github.com/confluentinc/confluent-kafka-go': null,
  'github.com/confluentinc/confluent-kafka-go/v2': null,
  'github.com/mutecomm/go-sqlcipher': null,
  'github.com/mutecomm/go-sqlcipher/v4': null,
  'github.com/tecbot/gorocksdb': 'librocksdb',
  'github.com/linxGnu/grocksdb': 'librocksdb',
  'gopkg.in/gographics/imagick.v2': 'libmagickwand',
  'gopkg.in/gographics/imagick.v3': 'libmagickwand',
  'github.com/h2non/bimg': 'libvips',
  'github.com/davidbyttow/govips': 'libvips',
  'github.com/davidbyttow/govips/v2': 'libvips',
  'github.com/veandco/go-sdl2': 'libSDL2',
  'github.com/miekg/pkcs11': null,
  'github.com/go-gl/glfw': 'libGL',
  'github.com/go-gl/gl': 'libGL',
  'github.com/google/gopacket': null,
};

/** Parses go.mod as the Go tool's line grammar (directives and blocks); comments dropped. */
export function parseGoMod(text: string): GoMod {
  const out: GoMod = { module: null, go: null, toolchain: null, requires: [] };
  let block: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (block) {
      if (line === ')') {
        block = null;
        continue;
      }
      if (block === 'require') out.requires.push(unquote(line.split(/\s+/)[0]));
      continue;
    }
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, verb, rest] = m;
    if (rest === '(') {
      block = verb;
      continue;
    }
    if (verb === 'module') out.module = unquote(rest.trim());
    else if (verb === 'go') out.go = rest.trim();
    else if (verb === 'toolchain') out.toolchain = rest.trim().replace(/^go/, '');
    else if (verb === 'require') out.requires.push(unquote(rest.split(/\s+/)[0]));
  }
  return out;
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');
}

/** `use` directories of a go.work file. */
export function parseGoWork(text: string): string[] {
  const uses: string[] = [];
  let inUse = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (inUse) {
      if (line === ')') inUse = false;
      else uses.push(unquote(line));
      continue;
    }
    if (/^use\s*\($/.test(line)) inUse = true;
    else if (/^use\s+/.test(line)) uses.push(unquote(line.replace(/^use\s+/, '')));
  }
  return uses.map((u) => path.posix.normalize(u));
}

/**
 * Tokenizes a Go source file far enough to read its package clause, imports, string literals and
 * //go:embed directives: comments, strings, runes and identifiers are told apart as the Go lexer does.
 */
export function scanGoSource(text: string, file = 'main.go'): GoSourceFile {
  const tokens: { kind: 'ident' | 'string' | 'punct'; value: string }[] = [];
  const embeds: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const comment = text.slice(i, end < 0 ? n : end);
      const m = /^\/\/go:embed\s+(.*)$/.exec(comment);
      if (m) embeds.push(...splitEmbedPatterns(m[1]));
      i = end < 0 ? n : end;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < n && text[j] !== '"' && text[j] !== '\n') {
        if (text[j] === '\\' && j + 1 < n) {
          const e = text[j + 1];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
          continue;
        }
        v += text[j++];
      }
      tokens.push({ kind: 'string', value: v });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      tokens.push({ kind: 'string', value: text.slice(i + 1, end < 0 ? n : end) });
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== "'" && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j])) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j) });
      i = j;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    tokens.push({ kind: 'punct', value: c });
    i++;
  }
  let pkg: string | null = null;
  const imports: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'ident') continue;
    if (t.value === 'package' && pkg === null && tokens[k + 1]?.kind === 'ident') pkg = tokens[k + 1].value;
    if (t.value === 'import') {
      let j = k + 1;
      if (tokens[j]?.value === '(') {
        for (j++; j < tokens.length && tokens[j].value !== ')'; j++) if (tokens[j].kind === 'string') imports.push(tokens[j].value);
      } else {
        if (tokens[j]?.kind === 'ident' || tokens[j]?.value === '.' || tokens[j]?.value === '_') j++;
        if (tokens[j]?.kind === 'string') imports.push(tokens[j].value);
      }
    }
    if (['func', 'type', 'var', 'const'].includes(t.value) && pkg !== null) {
      // imports come before any declaration
      const rest = tokens.slice(k).filter((x) => x.kind === 'string').map((x) => x.value);
      return { file, pkg, imports, strings: rest, embeds };
    }
  }
  return { file, pkg, imports, strings: tokens.filter((x) => x.kind === 'string').map((x) => x.value), embeds };
}

function splitEmbedPatterns(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2] ?? m[3]);
  return out.map((p) => p.replace(/^all:/, ''));
}

/** Reads the Go facts of the module rooted at `modDir` (relative to the context). */
export function readGoFacts(ctx: BuildContext, modDir = ''): GoFacts {
  const rel = (p: string) => (modDir ? `${modDir}/${p}` : p);
  const modText = ctx.readText(rel('go.mod'));
  const mod = modText === null ? null : parseGoMod(modText);
  const workText = ctx.readText(rel('go.work'));
  const workMod = workText === null ? null : parseGoMod(workText);
  const work = workText === null ? null : { file: rel('go.work'), uses: parseGoWork(workText), hasSum: ctx.exists(rel('go.work.sum')), go: workMod!.go, toolchain: workMod!.toolchain };
  const files = ctx.walk(modDir || '.', 5000, 10).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const sources: GoSourceFile[] = [];
  for (const f of files) {
    const inner = modDir ? f.slice(modDir.length + 1) : f;
    if (inner.startsWith('vendor/') || inner.split('/').some((seg) => seg === 'testdata' || seg.startsWith('.') || seg.startsWith('_'))) continue;
    const text = ctx.readText(f);
    if (text === null) continue;
    sources.push(scanGoSource(text, inner));
  }
  const mainDirs = new Set<string>();
  for (const s of sources) if (s.pkg === 'main') mainDirs.add(path.posix.dirname(s.file));
  const requires = mod?.requires ?? [];
  return {
    modDir: mod ? modDir : null,
    mod,
    hasGoSum: ctx.exists(rel('go.sum')),
    work,
    vendor: ctx.exists(rel('vendor/modules.txt')),
    sources,
    mainPackages: [...mainDirs].sort(),
    cgoFiles: sources.filter((s) => s.imports.includes('C')).map((s) => s.file),
    cgoModules: requires.filter((r) => r in CGO_MODULES),
  };
}

/** `1.22.3` -> [1, 22]; null when not a Go version. */
export function goMinor(v: string | null | undefined): [number, number] | null {
  if (!v) return null;
  const m = /^(?:go)?(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function compareMinor(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
