/**
 * Facts of a Cargo project, read as data (smol-toml): packages and their binaries, workspace members,
 * the lockfile and what it says about native libraries, and cargo configuration that moves the target
 * directory. Nothing is run.
 */
import * as path from 'path';
import type { BuildContext } from '../../src/stack/context';

export interface CargoPackage {
  name: string;
  /** Directory of its Cargo.toml, relative to the context ('' for the root). */
  dir: string;
  /** Binary targets (executable names). */
  bins: string[];
  /** Dependency names as the lockfile knows them (renames resolved). */
  deps: string[];
  /** `[package] default-run`: the binary `cargo run` picks. */
  defaultRun: string | null;
}

export interface LockPackage {
  name: string;
  version: string;
  source?: string;
  dependencies?: string[];
}

export interface CargoFacts {
  /** The root Cargo.toml parsed; null when absent or invalid. */
  root: Record<string, unknown> | null;
  /** Problem reading the root manifest (invalid TOML), for a decline. */
  rootError: string | null;
  workspace: boolean;
  /** The root package and workspace members. */
  packages: CargoPackage[];
  /** `[workspace] default-members` directories: what a plain `cargo build` at the root builds. */
  defaultMembers: string[] | null;
  lockfile: string | null;
  lock: LockPackage[] | null;
  /** Why `--locked` would fail: a workspace package or dependency missing from Cargo.lock. */
  lockProblems: string[];
  /** Crates of the lockfile that link native libraries (`*-sys`, with `links`), by name. */
  sysCrates: string[];
  /** openssl-sys builds OpenSSL from source (openssl-src in the lock): nothing to link at run time. */
  opensslVendored: boolean;
  /** The lock has git dependencies (their checkouts live in $CARGO_HOME/git). */
  gitDeps: boolean;
  /** The `cc` crate is in the lock: C code is compiled (a musl build needs musl-gcc). */
  compilesC: boolean;
  /** .cargo/config.toml: [build] target-dir and target. */
  configTargetDir: string | null;
  configTarget: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseToml(ctx: BuildContext, rel: string): { value: Record<string, unknown> | null; error: string | null } {
  const text = ctx.readText(rel);
  if (text === null) return { value: null, error: null };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const toml = require('smol-toml') as typeof import('smol-toml');
    return { value: toml.parse(text) as Record<string, unknown>, error: null };
  } catch (e) {
    const err = e as { line?: number; message?: string };
    return { value: null, error: `${rel}${err.line ? `:${err.line}` : ''} is not valid TOML (${(err.message ?? String(e)).split('\n')[0]})` };
  }
}

/** Dependency names of a manifest (all tables, target-specific ones too), renames resolved. */
function dependencyNames(manifest: Record<string, unknown>, workspaceDeps: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const tables: unknown[] = [manifest.dependencies, manifest['dev-dependencies'], manifest['build-dependencies']];
  if (isRecord(manifest.target)) {
    for (const t of Object.values(manifest.target)) {
      if (isRecord(t)) tables.push(t.dependencies, t['dev-dependencies'], t['build-dependencies']);
    }
  }
  for (const table of tables) {
    if (!isRecord(table)) continue;
    for (const [key, spec] of Object.entries(table)) {
      let name = key;
      if (isRecord(spec)) {
        if (typeof spec.package === 'string') name = spec.package;
        else if (spec.workspace === true) {
          const ws = workspaceDeps[key];
          if (isRecord(ws) && typeof ws.package === 'string') name = ws.package;
        }
      }
      out.add(name);
    }
  }
  return [...out];
}

/** The executables a package builds: [[bin]] targets and, unless autobins = false, the conventional ones. */
export function binariesOf(ctx: BuildContext, dir: string, manifest: Record<string, unknown>): string[] {
  const pkg = isRecord(manifest.package) ? manifest.package : {};
  const name = typeof pkg.name === 'string' ? pkg.name : null;
  const at = (p: string) => (dir ? `${dir}/${p}` : p);
  const bins: string[] = [];
  const explicitPaths = new Set<string>();
  if (Array.isArray(manifest.bin)) {
    for (const b of manifest.bin) {
      if (!isRecord(b)) continue;
      const bname = typeof b.name === 'string' ? b.name : name;
      if (bname && !bins.includes(bname)) bins.push(bname);
      if (typeof b.path === 'string') explicitPaths.add(path.posix.normalize(b.path));
      else if (bname === name) explicitPaths.add('src/main.rs');
      else if (bname) explicitPaths.add(`src/bin/${bname}.rs`);
    }
  }
  if (pkg.autobins === false) return bins;
  if (name && ctx.exists(at('src/main.rs')) && !explicitPaths.has('src/main.rs') && !bins.includes(name)) bins.push(name);
  if (ctx.isDir(at('src/bin'))) {
    for (const f of ctx.walk(at('src/bin'), 500, 1).sort()) {
      const rel = dir ? f.slice(dir.length + 1) : f;
      const m = /^src\/bin\/([^/]+)\.rs$/.exec(rel) ?? /^src\/bin\/([^/]+)\/main\.rs$/.exec(rel);
      if (m && !explicitPaths.has(rel) && !bins.includes(m[1])) bins.push(m[1]);
    }
  }
  return bins;
}

/** Workspace member directories: `members` entries, with `*` globs expanded, minus `exclude`. */
function memberDirs(ctx: BuildContext, ws: Record<string, unknown>): string[] {
  const members = Array.isArray(ws.members) ? ws.members.filter((m): m is string => typeof m === 'string') : [];
  const exclude = new Set(Array.isArray(ws.exclude) ? ws.exclude.filter((m): m is string => typeof m === 'string').map((e) => path.posix.normalize(e)) : []);
  const out: string[] = [];
  for (const m of members) {
    const norm = path.posix.normalize(m).replace(/\/$/, '');
    if (!norm.includes('*')) {
      out.push(norm);
      continue;
    }
    const segs = norm.split('/');
    const star = segs.findIndex((s) => s.includes('*'));
    const base = segs.slice(0, star).join('/') || '.';
    const re = new RegExp('^' + segs.slice(star).map((s) => s.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('/') + '/Cargo\\.toml$');
    for (const f of ctx.walk(base, 5000, segs.length - star)) {
      const rel = base === '.' ? f : f.slice(base.length + 1);
      if (re.test(rel)) out.push(path.posix.dirname(f));
    }
  }
  return [...new Set(out)].filter((d) => !exclude.has(d)).sort();
}

/** Crates whose native library is built from source or is in every glibc runtime: nothing to install. */
const SELF_CONTAINED_SYS = new Set([
  'linux-raw-sys', 'windows-sys', 'js-sys', 'web-sys', 'core-foundation-sys', 'security-framework-sys', 'libc', 'wasi',
  'zstd-sys', 'lz4-sys', 'bzip2-sys', 'lzma-sys', 'aws-lc-sys', 'aws-lc-fips-sys', 'libmimalloc-sys', 'tikv-jemalloc-sys',
  'jemalloc-sys', 'openssl-src', 'ring', 'libm', 'errno-sys', 'io-uring', 'mio', 'cty', 'fsevent-sys', 'inotify-sys',
  'kqueue-sys', 'objc-sys', 'android_system_properties', 'libredox', 'redox_syscall', 'dirs-sys', 'dirs-sys-next',
  'wasm-bindgen', 'windows_x86_64_gnu', 'windows_x86_64_msvc', 'compiler_builtins', 'libz-rs-sys', 'blake3',
  'psm', 'stacker', 'prost', 'libloading', 'libdbus-sys-vendored', 'onig_sys', 'mimalloc', 'snmalloc-sys',
]);

/** A crate that links a native library the runtime may need. */
export function isNativeSys(name: string): boolean {
  if (SELF_CONTAINED_SYS.has(name)) return false;
  return /-sys$/.test(name) || name === 'pq-sys' || name === 'mysqlclient-sys';
}

export function readCargoFacts(ctx: BuildContext): CargoFacts {
  const rootParsed = parseToml(ctx, 'Cargo.toml');
  const root = rootParsed.value;
  const facts: CargoFacts = {
    root,
    rootError: rootParsed.error,
    workspace: !!root && isRecord(root.workspace),
    packages: [],
    defaultMembers: null,
    lockfile: ctx.exists('Cargo.lock') ? 'Cargo.lock' : null,
    lock: null,
    lockProblems: [],
    sysCrates: [],
    opensslVendored: false,
    gitDeps: false,
    compilesC: false,
    configTargetDir: null,
    configTarget: null,
  };
  if (root) {
    const ws = isRecord(root.workspace) ? root.workspace : {};
    const wsDeps = isRecord(ws.dependencies) ? ws.dependencies : {};
    const addPackage = (dir: string, manifest: Record<string, unknown>) => {
      const pkg = isRecord(manifest.package) ? manifest.package : null;
      if (!pkg || typeof pkg.name !== 'string') return;
      facts.packages.push({ name: pkg.name, dir, bins: binariesOf(ctx, dir, manifest), deps: dependencyNames(manifest, wsDeps), defaultRun: typeof pkg['default-run'] === 'string' ? pkg['default-run'] : null });
    };
    addPackage('', root);
    if (Array.isArray(ws['default-members'])) facts.defaultMembers = ws['default-members'].filter((m): m is string => typeof m === 'string').map((m) => path.posix.normalize(m).replace(/\/$/, ''));
    for (const dir of memberDirs(ctx, ws)) {
      if (dir === '.' || dir === '') continue;
      const m = parseToml(ctx, `${dir}/Cargo.toml`);
      if (m.error && !facts.rootError) facts.rootError = m.error;
      if (m.value) addPackage(dir, m.value);
    }
  }
  const lockParsed = facts.lockfile ? parseToml(ctx, 'Cargo.lock') : { value: null, error: null };
  if (lockParsed.value && Array.isArray(lockParsed.value.package)) {
    facts.lock = lockParsed.value.package.filter(isRecord).map((p) => ({
      name: String(p.name ?? ''),
      version: String(p.version ?? ''),
      source: typeof p.source === 'string' ? p.source : undefined,
      dependencies: Array.isArray(p.dependencies) ? p.dependencies.map((d) => String(d).split(' ')[0]) : undefined,
    }));
  } else if (facts.lockfile) {
    facts.lockProblems.push(lockParsed.error ?? 'Cargo.lock has no [[package]] entries');
  }
  if (facts.lock) {
    const names = new Set(facts.lock.map((p) => p.name));
    for (const p of facts.packages) {
      if (!facts.lock.some((l) => l.name === p.name && !l.source)) facts.lockProblems.push(`package '${p.name}' is not in Cargo.lock`);
      for (const d of p.deps) if (!names.has(d)) facts.lockProblems.push(`dependency '${d}' of '${p.name}' is not in Cargo.lock`);
    }
    facts.sysCrates = [...new Set(facts.lock.filter((p) => p.source && isNativeSys(p.name)).map((p) => p.name))].sort();
    facts.opensslVendored = names.has('openssl-src');
    facts.gitDeps = facts.lock.some((p) => p.source?.startsWith('git+'));
    facts.compilesC = names.has('cc');
  }
  for (const rel of ['.cargo/config.toml', '.cargo/config']) {
    const c = parseToml(ctx, rel).value;
    if (!c) continue;
    const build = isRecord(c.build) ? c.build : {};
    if (typeof build['target-dir'] === 'string') facts.configTargetDir = build['target-dir'];
    if (typeof build.target === 'string') facts.configTarget = build.target;
    break;
  }
  return facts;
}

/**
 * Debian run-time packages for crates that link a system library by default (the buildpack-deps based
 * rust image has their -dev packages; a slim runtime needs the library). Crates not listed here and not
 * self-contained make the transform decline: it cannot tell what the binary loads.
 */
export const SYS_RUNTIME_PACKAGES: Record<string, string[]> = {
  'openssl-sys': [],
  'libz-sys': [],
  'pq-sys': ['libpq5'],
  'libsqlite3-sys': ['libsqlite3-0'],
  'mysqlclient-sys': ['libmariadb3'],
  'curl-sys': ['libcurl4'],
  'libgit2-sys': [],
  'libssh2-sys': [],
  'openssl': [],
};

/** Native libraries in gcr.io/distroless/cc-debian13 (glibc, libgcc, libstdc++, libssl3, zlib, zstd). */
export const IN_DISTROLESS_CC = new Set(['openssl-sys', 'libz-sys', 'libgit2-sys', 'libssh2-sys']);
