/**
 * Finding Dockerfiles across a tree, each with the build context it is really built from.
 *
 * - Name variants: Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile, Containerfile(.*).
 * - Compose files (docker-compose*.y*ml, compose*.y*ml) are read as data (yaml): a service's
 *   `build` (a context string, or `context`, `dockerfile`, `target`, `args`) names a Dockerfile that
 *   may have any name and its real context.
 * - Workspaces (npm/yarn `workspaces`, pnpm-workspace.yaml, go.work, Cargo `[workspace]`): a
 *   Dockerfile inside a member package whose COPY sources exist at the workspace root and not in its
 *   own folder is built from the root.
 * - `--exclude` globs, .gitignore files, and node_modules, .git, vendor are skipped.
 * Nothing here runs project code: manifests and compose files are parsed as data.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeFsError } from './api';
import { InputError } from './types';

/** The names searched, as globs (for documentation and other tools; discovery matches names with isDockerfileName). */
export const DOCKERFILE_PATTERNS = ['**/Dockerfile', '**/Dockerfile.*', '**/*.Dockerfile', '**/*.dockerfile', '**/Containerfile', '**/Containerfile.*'];
const SKIP_DIRS = ['**/node_modules/**', '**/.git/**', '**/vendor/**'];

/** A compose service that builds a Dockerfile. */
export interface ComposeService {
  /** The compose file, as found (joined to the searched path). */
  compose: string;
  service: string;
  /** `build.target`: a stage the rewrite must keep by name. */
  target?: string;
  /** `build.args`, as strings (null: passed through from the environment). */
  args?: Record<string, string | null>;
}

export interface Discovered {
  file: string;
  /** Build context: the Dockerfile's folder unless told otherwise (compose, workspace root, --context). */
  context?: string;
  /** How the context was chosen, when it is not the Dockerfile's folder. */
  contextReason?: string;
  /** Compose services building this Dockerfile. */
  services?: ComposeService[];
  /** Things worth telling the user about this file's discovery (e.g. two contexts named). */
  notes?: string[];
}

export interface DiscoverOptions {
  /** Globs (relative to each searched directory) of paths to skip; a bare folder name skips the folder. */
  exclude?: string[];
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
  /** Read compose files (default true). */
  compose?: boolean;
  /** Infer the context of workspace member Dockerfiles (default true). */
  workspaces?: boolean;
  /**
   * For a Dockerfile named directly (e.g. by a pre-commit hook): look in the folders above it, up to
   * this one, for a compose file or a workspace that says how it is built. Undefined: do not look.
   */
  stopAt?: string;
}

export function isDockerfileName(name: string): boolean {
  if (/\.dockerignore$/i.test(name) || /\.(orig|bak|rej|swp|md|txt|j2|tmpl|template|erb|in)$/i.test(name)) return false;
  return /^(Dockerfile|Containerfile)(\..+)?$/.test(name) || /\.[Dd]ockerfile$/.test(name);
}

interface IgnoreMatcher {
  add(patterns: string): IgnoreMatcher;
  ignores(p: string): boolean;
}

function makeIgnore(): IgnoreMatcher {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require('ignore');
  return (mod.default ?? mod)();
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** --exclude patterns for fast-glob: `legacy` and `legacy/` also skip everything below. */
export function excludeGlobs(patterns: string[]): string[] {
  const out: string[] = [];
  for (const raw of patterns) {
    let p = toPosix(raw.trim()).replace(/^\.\//, '');
    if (!p) continue;
    if (p.endsWith('/')) p = p.slice(0, -1);
    out.push(p, `${p}/**`);
    if (!p.startsWith('**/') && !p.includes('/')) out.push(`**/${p}`, `**/${p}/**`);
  }
  return out;
}

/** Whether a path relative to the searched root is excluded (for files named by compose). */
function makeExcludeTest(patterns: string[]): (rel: string) => boolean {
  if (!patterns.length) return () => false;
  const ig = makeIgnore();
  for (const p of patterns) ig.add(toPosix(p.trim()).replace(/^\.\//, ''));
  return (rel) => !rel.startsWith('../') && rel !== '..' && ig.ignores(rel);
}

export function discover(paths: string[], opts: DiscoverOptions = {}): Discovered[] {
  const out: Discovered[] = [];
  const byAbs = new Map<string, Discovered>();
  const add = (d: Discovered) => {
    const abs = path.resolve(d.file);
    const prev = byAbs.get(abs);
    if (!prev) {
      byAbs.set(abs, d);
      out.push(d);
      return;
    }
    // Found twice (a glob and a compose file, or two services): merge what the sources say.
    if (d.services?.length) prev.services = [...(prev.services ?? []), ...d.services];
    if (d.context && !prev.context) {
      prev.context = d.context;
      prev.contextReason = d.contextReason;
    } else if (d.context && prev.context && path.resolve(d.context) !== path.resolve(prev.context)) {
      (prev.notes ??= []).push(`also built with context ${d.context}${d.contextReason ? ` (${d.contextReason})` : ''}; planned against ${prev.context}`);
    }
  };
  for (const p of paths.length ? paths : ['.']) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      throw new InputError(p, undefined, `cannot read: ${describeFsError(err)}`);
    }
    if (st.isFile()) {
      add(opts.stopAt === undefined ? { file: p } : { file: p, ...contextOfNamedFile(p, opts) });
      continue;
    }
    if (!st.isDirectory()) throw new InputError(p, undefined, 'is neither a file nor a directory');
    for (const d of discoverDir(p, opts)) add(d);
  }
  return out;
}

const COMPOSE_NAME = /^(docker-)?compose(\.[^/]+)?\.ya?ml$/;
const MANIFEST_NAMES = new Set(['package.json', 'pnpm-workspace.yaml', 'go.work', 'Cargo.toml']);

function discoverDir(root: string, opts: DiscoverOptions): Discovered[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const fg = require('fast-glob') as typeof import('fast-glob');
  const exclude = excludeGlobs(opts.exclude ?? []);
  const isExcluded = makeExcludeTest(opts.exclude ?? []);
  // One walk of the tree; files are sorted into kinds by name. Hidden folders and files are skipped
  // (as a shell glob would), except .gitignore files.
  const all = fg.sync(['**/*'], { cwd: root, ignore: [...SKIP_DIRS, ...exclude], dot: true, followSymbolicLinks: false, suppressErrors: true, onlyFiles: true });
  const dockerfiles: string[] = [];
  const composeFiles: string[] = [];
  const manifests: string[] = [];
  const gitignores: string[] = [];
  for (const rel of all) {
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    if (base === '.gitignore') {
      if (!/(^|\/)\./.test(rel.slice(0, slash + 1))) gitignores.push(rel);
      continue;
    }
    if (/(^|\/)\./.test(rel)) continue;
    if (isDockerfileName(base)) dockerfiles.push(rel);
    else if (COMPOSE_NAME.test(base)) composeFiles.push(rel);
    else if (MANIFEST_NAMES.has(base)) manifests.push(rel);
  }
  const matchers =
    opts.gitignore === false
      ? []
      : gitignores.map((g) => {
          const dir = path.posix.dirname(g);
          const ig = makeIgnore();
          try {
            ig.add(fs.readFileSync(path.join(root, g), 'utf8'));
          } catch {
            /* unreadable .gitignore: ignore nothing */
          }
          return { dir: dir === '.' ? '' : dir, ig };
        });
  const gitIgnored = (rel: string) =>
    matchers.some(({ dir, ig }) => {
      if (dir && !rel.startsWith(dir + '/')) return false;
      const sub = dir ? rel.slice(dir.length + 1) : rel;
      return sub !== '' && ig.ignores(sub);
    });
  const skipped = (rel: string) => rel.startsWith('../') || isExcluded(rel) || gitIgnored(rel) || /(^|\/)(node_modules|\.git|vendor)\//.test(rel);

  const result: Discovered[] = [];
  const byRel = new Map<string, Discovered>();

  // 1. Compose services first: they know the real context (and any Dockerfile name).
  if (opts.compose !== false) {
    for (const c of composeFiles.filter((x) => !gitIgnored(x)).sort()) {
      for (const svc of readComposeBuilds(path.join(root, c))) {
        const rel = toPosix(path.relative(root, svc.dockerfile));
        if (skipped(rel)) continue;
        const ctxRel = toPosix(path.relative(root, svc.context)) || '.';
        const d: Discovered = {
          file: path.join(root, rel),
          context: path.join(root, ctxRel),
          contextReason: `compose ${c} service ${svc.service}`,
          services: [{ compose: path.join(root, c), service: svc.service, target: svc.target, args: svc.args }],
        };
        const prev = byRel.get(rel);
        if (!prev) {
          byRel.set(rel, d);
          result.push(d);
        } else {
          prev.services!.push(...d.services!);
          if (path.resolve(prev.context!) !== path.resolve(d.context!)) (prev.notes ??= []).push(`compose ${c} service ${svc.service} builds it with context ${ctxRel}; planned against ${toPosix(path.relative(root, prev.context!)) || '.'}`);
        }
      }
    }
  }

  // 2. Every Dockerfile by name; those inside a workspace member may build from the workspace root.
  const kept = dockerfiles.filter((rel) => !byRel.has(rel) && !gitIgnored(rel)).sort();
  let workspaces: Workspace[] = [];
  if (opts.workspaces !== false && kept.length) {
    // A workspace root is a strict ancestor of a Dockerfile's folder: only those manifests are read.
    const ancestors = new Set<string>();
    for (const rel of kept) {
      let dir = path.posix.dirname(rel);
      while (dir !== '.' && dir !== '') {
        dir = path.posix.dirname(dir);
        if (ancestors.has(dir)) break;
        ancestors.add(dir);
      }
    }
    const candidates = manifests.filter((m) => ancestors.has(path.posix.dirname(m)) || (path.posix.dirname(m) === '.' && ancestors.has('.')));
    workspaces = findWorkspaces(root, fg, candidates, [...SKIP_DIRS, ...exclude]);
  }
  for (const rel of kept) {
    const d: Discovered = { file: path.join(root, rel) };
    const ws = workspaces.length ? workspaceContext(root, rel, workspaces) : null;
    if (ws) {
      d.context = ws.context;
      d.contextReason = ws.reason;
    }
    byRel.set(rel, d);
    result.push(d);
  }
  // Compose-named files that do not exist are reported by the pipeline (cannot read), not dropped.
  return result.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * The context of a Dockerfile named directly: a compose file in a folder above it (up to stopAt)
 * whose service builds it, else a workspace above it that its COPY sources point to.
 */
function contextOfNamedFile(file: string, opts: DiscoverOptions): Omit<Discovered, 'file'> {
  const abs = path.resolve(file);
  const stop = path.resolve(opts.stopAt!);
  const inside = (dir: string) => dir === stop || dir.startsWith(stop.endsWith(path.sep) ? stop : stop + path.sep);
  const dirs: string[] = [];
  for (let dir = path.dirname(abs); inside(dir); dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === path.dirname(dir)) break;
  }
  if (opts.compose !== false) {
    for (const dir of dirs) {
      let names: string[];
      try {
        names = fs.readdirSync(dir).filter((n) => COMPOSE_NAME.test(n)).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const services = readComposeBuilds(path.join(dir, n)).filter((b) => b.dockerfile === abs);
        if (!services.length) continue;
        const rel = toPosix(path.relative(stop, path.join(dir, n))) || n;
        return {
          context: services[0].context,
          contextReason: `compose ${rel} service ${services[0].service}`,
          services: services.map((b) => ({ compose: path.join(dir, n), service: b.service, target: b.target, args: b.args })),
        };
      }
    }
  }
  if (opts.workspaces !== false && dirs.length > 1) {
    // The Dockerfile's path relative to each ancestor; a workspace root above it may claim it.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const fg = require('fast-glob') as typeof import('fast-glob');
    for (const dir of dirs.slice(1)) {
      const manifests = [...MANIFEST_NAMES].filter((n) => fs.existsSync(path.join(dir, n)));
      if (!manifests.length) continue;
      const ws = findWorkspaces(dir, fg, manifests, SKIP_DIRS);
      const found = ws.length ? workspaceContext(dir, toPosix(path.relative(dir, abs)), ws) : null;
      if (found) return { context: found.context, contextReason: found.reason };
    }
  }
  return {};
}

interface ComposeBuild {
  service: string;
  dockerfile: string;
  context: string;
  target?: string;
  args?: Record<string, string | null>;
}

/**
 * The `build` sections of a compose file. Contexts that are URLs or hold unexpanded variables, and
 * inline Dockerfiles, are not files here and are left out. A compose file that does not parse is
 * skipped: it is not ours to judge, and the Dockerfiles next to it are still found by name.
 */
export function readComposeBuilds(file: string): ComposeBuild[] {
  let doc: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const YAML = require('yaml') as typeof import('yaml');
    doc = YAML.parse(fs.readFileSync(file, 'utf8'), { merge: true, maxAliasCount: 1000 });
  } catch {
    return [];
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object') return [];
  const dir = path.dirname(file);
  const out: ComposeBuild[] = [];
  for (const [name, svc] of Object.entries(services as Record<string, unknown>)) {
    const build = (svc as { build?: unknown } | null)?.build;
    if (build === undefined || build === null) continue;
    let context = '.';
    let dockerfile = 'Dockerfile';
    let target: string | undefined;
    let args: Record<string, string | null> | undefined;
    if (typeof build === 'string') context = build;
    else if (typeof build === 'object') {
      const b = build as Record<string, unknown>;
      if (b.dockerfile_inline !== undefined) continue;
      if (typeof b.context === 'string') context = b.context;
      if (typeof b.dockerfile === 'string') dockerfile = b.dockerfile;
      if (typeof b.target === 'string') target = b.target;
      args = composeArgs(b.args);
    } else continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context) || /^git@|^github\.com\//.test(context) || context.includes('$') || dockerfile.includes('$')) continue;
    const ctx = path.resolve(dir, context);
    out.push({ service: name, context: ctx, dockerfile: path.resolve(ctx, dockerfile), target, args });
  }
  return out;
}

function composeArgs(a: unknown): Record<string, string | null> | undefined {
  if (!a) return undefined;
  const out: Record<string, string | null> = {};
  if (Array.isArray(a)) {
    for (const item of a) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq < 0) out[item] = null;
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (typeof a === 'object') {
    for (const [k, v] of Object.entries(a as Record<string, unknown>)) out[k] = v === null || v === undefined ? null : String(v);
  } else return undefined;
  return out;
}

interface Workspace {
  /** Root folder, relative to the searched root ('' for the root itself). */
  root: string;
  kind: string;
  /** Member folders, relative to the searched root. */
  members: string[];
}

/** Workspace roots among `manifests` (paths relative to `root`), read as data: package.json, pnpm-workspace.yaml, go.work, Cargo.toml. */
export function findWorkspaces(root: string, fg: typeof import('fast-glob'), manifests: string[], ignore: string[]): Workspace[] {
  const out: Workspace[] = [];
  for (const m of manifests) {
    const dir = path.posix.dirname(m) === '.' ? '' : path.posix.dirname(m);
    const base = path.posix.basename(m);
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, m), 'utf8');
    } catch {
      continue;
    }
    if (base === 'package.json' && !text.includes('"workspaces"')) continue;
    let globs: string[] = [];
    let kind = base;
    try {
      if (base === 'package.json') {
        const ws = JSON.parse(text).workspaces;
        globs = Array.isArray(ws) ? ws : Array.isArray(ws?.packages) ? ws.packages : [];
        kind = 'package.json workspaces';
      } else if (base === 'pnpm-workspace.yaml') {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const YAML = require('yaml') as typeof import('yaml');
        const pk = YAML.parse(text)?.packages;
        globs = Array.isArray(pk) ? pk : [];
      } else if (base === 'go.work') {
        globs = goWorkUses(text);
      } else if (base === 'Cargo.toml') {
        if (!/^\s*\[workspace\]/m.test(text)) continue;
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const TOML = require('smol-toml') as typeof import('smol-toml');
        const members = (TOML.parse(text) as { workspace?: { members?: unknown } }).workspace?.members;
        globs = Array.isArray(members) ? (members as string[]) : [];
        kind = 'Cargo.toml [workspace]';
      }
    } catch {
      continue;
    }
    const positive = globs.filter((g) => typeof g === 'string' && !g.startsWith('!')).map((g) => toPosix(g).replace(/^\.\//, '').replace(/\/$/, ''));
    const negative = globs.filter((g) => typeof g === 'string' && g.startsWith('!')).map((g) => toPosix(g.slice(1)).replace(/^\.\//, '').replace(/\/$/, ''));
    if (!positive.length) continue;
    const cwd = path.join(root, dir);
    const members = fg
      .sync(positive, { cwd, ignore: [...ignore, ...negative], onlyDirectories: true, followSymbolicLinks: false, suppressErrors: true, dot: false })
      .filter((x) => x !== '.' && x !== '')
      .map((x) => (dir ? `${dir}/${x}` : x));
    if (members.length) out.push({ root: dir, kind, members });
  }
  return out;
}

/** The `use` directives of a go.work file (single and block form), as folder paths. */
export function goWorkUses(text: string): string[] {
  const uses: string[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\/\/.*$/, '').trim());
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^use\s*\($/.test(l)) {
      for (i++; i < lines.length && lines[i] !== ')'; i++) if (lines[i]) uses.push(unquote(lines[i]));
    } else {
      const m = /^use\s+(\S+)$/.exec(l);
      if (m) uses.push(unquote(m[1]));
    }
  }
  return uses.filter((u) => u && u !== '.');
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');

/**
 * A Dockerfile inside a workspace member is built from the workspace root when its COPY/ADD sources
 * exist at the root and not in its own folder (e.g. `COPY packages/api/package.json ...`).
 */
function workspaceContext(root: string, rel: string, workspaces: Workspace[]): { context: string; reason: string } | null {
  const fileDir = path.posix.dirname(rel);
  const ws = workspaces
    .filter((w) => w.members.some((m) => fileDir === m || fileDir.startsWith(m + '/')))
    .sort((a, b) => b.root.length - a.root.length)[0];
  if (!ws) return null;
  let sources: string[];
  try {
    sources = copySources(fs.readFileSync(path.join(root, rel), 'utf8'), path.join(root, rel));
  } catch {
    return null;
  }
  const checkable = sources.filter((s) => s !== '.' && s !== './' && !s.includes('$') && !/^[a-z]+:\/\//i.test(s) && !s.startsWith('/'));
  if (!checkable.length) return null;
  const wsRoot = path.join(root, ws.root);
  const here = path.join(root, fileDir);
  const existsIn = (dir: string, src: string) => fs.existsSync(path.join(dir, literalPrefix(src)));
  const onlyAtRoot = checkable.filter((s) => existsIn(wsRoot, s) && !existsIn(here, s));
  const onlyHere = checkable.filter((s) => existsIn(here, s) && !existsIn(wsRoot, s));
  if (onlyAtRoot.length === 0 || onlyHere.length > 0) return null;
  return { context: wsRoot, reason: `workspace root (${ws.kind}${ws.root ? ` in ${ws.root}` : ''}): ${onlyAtRoot[0]} is there, not next to the Dockerfile` };
}

/** The folder part of a COPY source before any glob character. */
function literalPrefix(src: string): string {
  const parts = src.replace(/^\.\//, '').split('/');
  const lit: string[] = [];
  for (const p of parts) {
    if (/[*?[\]{}]/.test(p)) break;
    lit.push(p);
  }
  return lit.join('/') || '.';
}

/** COPY/ADD sources (not `--from`) of a Dockerfile, from the parsed model. */
function copySources(text: string, file: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parseDockerfile } = require('./model/parse') as typeof import('./model/parse');
  const model = parseDockerfile(text, file);
  const out: string[] = [];
  for (const ins of model.instructions) {
    if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.heredoc || ins.flags.some((f) => f.name === 'from')) continue;
    let args = ins.args;
    if (ins.body.trim().startsWith('[')) {
      try {
        const arr = JSON.parse(ins.body.trim());
        if (Array.isArray(arr)) args = arr.map(String);
      } catch {
        /* shell form after all */
      }
    }
    out.push(...args.slice(0, -1).map((a) => a.replace(/^["']|["']$/g, '')));
  }
  return out;
}
