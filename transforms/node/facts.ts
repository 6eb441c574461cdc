/**
 * Node.js facts from the build context: package manager and lockfile, scripts, TypeScript outDir,
 * Next.js output mode, native addons. Config files are read as syntax with ts-morph, never run.
 */
import * as path from 'path';
import type { BuildContext } from '../../src/stack/context';

export type PackageManager = 'npm' | 'yarn1' | 'yarn-berry' | 'pnpm' | 'bun';

export interface PackageJson {
  name?: string;
  main?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  engines?: { node?: string };
  packageManager?: string;
  workspaces?: unknown;
  gypfile?: boolean;
  bin?: string | Record<string, string>;
}

export interface NodeFacts {
  pkg: PackageJson | null;
  pm: PackageManager;
  lockfile: string | null;
  /** Manifests to copy before installing (package.json, lockfile, .npmrc, .yarnrc.yml, …). */
  manifests: string[];
  /** yarn berry: `nodeLinker` (pnp when unset). */
  yarnNodeLinker: string | null;
  tsOutDir: string | null;
  tsRootDirs: string[];
  nextStandalone: boolean;
  nextConfig: string | null;
  /** Dependencies that compile or download platform-specific binaries. */
  nativeDeps: string[];
  /** bin name -> path inside node_modules, from package-lock v2+. */
  bins: Record<string, string>;
  /** Why `npm ci` would refuse the lockfile (it is out of sync with package.json); empty when fine. */
  lockProblems: string[];
}

type LockEntry = { bin?: Record<string, string>; hasInstallScript?: boolean; dev?: boolean; link?: boolean } & Partial<Record<'dependencies' | 'optionalDependencies' | 'devDependencies', Record<string, string>>>;

/**
 * The checks `npm ci` makes before it installs, done on the lockfile as data: the root entry lists the
 * same dependency specs as package.json, and every dependency edge of every locked package resolves
 * to a locked package (npm resolves `node_modules/x` from the package's own folder upwards).
 */
export function npmLockProblems(pkg: PackageJson | null, lock: { lockfileVersion?: number; packages?: Record<string, LockEntry> } | null): string[] {
  if (!pkg || !lock?.packages || (lock.lockfileVersion ?? 1) < 2) return [];
  const problems: string[] = [];
  const packages = lock.packages;
  const root = packages[''] ?? {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
    const want = (pkg as unknown as Record<string, Record<string, string> | undefined>)[field] ?? {};
    const have = root[field] ?? {};
    for (const [name, spec] of Object.entries(want)) {
      if (have[name] !== spec) problems.push(`package.json has ${name}@${spec} but the lockfile ${have[name] ? `records ${name}@${have[name]}` : `does not list ${name}`}`);
    }
    for (const name of Object.keys(have)) if (!(name in want)) problems.push(`the lockfile lists ${name}, which package.json no longer has`);
  }
  for (const [key, entry] of Object.entries(packages)) {
    if (entry.link) continue;
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      for (const dep of Object.keys(entry[field] ?? {})) {
        let base = key;
        let found = false;
        for (;;) {
          if (packages[`${base ? `${base}/` : ''}node_modules/${dep}`]) {
            found = true;
            break;
          }
          if (!base) break;
          const i = base.lastIndexOf('/node_modules/');
          base = i >= 0 ? base.slice(0, i) : '';
        }
        if (!found) problems.push(`${dep} (needed by ${key || 'the root package'}) is missing from the lockfile`);
      }
    }
    if (problems.length > 20) break;
  }
  return problems;
}

/** Packages known to ship compiled addons or libc-specific binaries. */
export const NATIVE_PACKAGES = new Set([
  'bcrypt', 'better-sqlite3', 'sqlite3', 'sharp', 'canvas', 'argon2', 'node-sass', 'bufferutil',
  'utf-8-validate', 're2', 'leveldown', 'grpc', 'isolated-vm', 'node-pty', 'cpu-features', 'ssh2',
  'kerberos', 'snappy', 'zeromq', 'farmhash', '@prisma/client', 'prisma', 'lmdb', 'msgpackr-extract',
  'esbuild', '@swc/core', 'libxmljs', 'libxmljs2', 'usb', 'serialport', 'robotjs', 'fsevents',
]);

export function readNodeFacts(ctx: BuildContext): NodeFacts {
  const pkg = ctx.readJson<PackageJson>('package.json');
  let pm: PackageManager = 'npm';
  let lockfile: string | null = null;
  if (ctx.exists('pnpm-lock.yaml')) {
    pm = 'pnpm';
    lockfile = 'pnpm-lock.yaml';
  } else if (ctx.exists('yarn.lock')) {
    lockfile = 'yarn.lock';
    const lock = ctx.readText('yarn.lock') ?? '';
    pm = lock.includes('__metadata:') || ctx.exists('.yarnrc.yml') ? 'yarn-berry' : 'yarn1';
  } else if (ctx.exists('bun.lockb') || ctx.exists('bun.lock')) {
    pm = 'bun';
    lockfile = ctx.exists('bun.lock') ? 'bun.lock' : 'bun.lockb';
  } else if (ctx.exists('package-lock.json')) {
    lockfile = 'package-lock.json';
  } else if (ctx.exists('npm-shrinkwrap.json')) {
    lockfile = 'npm-shrinkwrap.json';
  }
  if (!lockfile && pkg?.packageManager) {
    const name = pkg.packageManager.split('@')[0];
    if (name === 'pnpm') pm = 'pnpm';
    else if (name === 'yarn') pm = pkg.packageManager.startsWith('yarn@1') ? 'yarn1' : 'yarn-berry';
    else if (name === 'bun') pm = 'bun';
  }
  const manifests = ['package.json'];
  if (lockfile) manifests.push(lockfile);
  for (const extra of ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml']) {
    if (ctx.exists(extra)) manifests.push(extra);
  }
  const lock = lockfile === 'package-lock.json' || lockfile === 'npm-shrinkwrap.json' ? ctx.readJson<{ lockfileVersion?: number; packages?: Record<string, LockEntry> }>(lockfile) : null;
  // Members an npm lockfile records (a member it does not know would put `npm ci` out of sync).
  manifests.push(...workspaceManifests(ctx, pkg).filter((m) => !lock?.packages || path.posix.dirname(m) in lock.packages));
  if (pm === 'yarn-berry' && ctx.isDir('.yarn/releases')) manifests.push('.yarn/releases');
  if (pm === 'yarn-berry' && ctx.isDir('.yarn/plugins')) manifests.push('.yarn/plugins');
  if (pm === 'yarn-berry' && ctx.isDir('.yarn/patches')) manifests.push('.yarn/patches');
  let yarnNodeLinker: string | null = null;
  if (pm === 'yarn-berry') {
    const rc = ctx.readYaml<Record<string, unknown>>('.yarnrc.yml');
    yarnNodeLinker = rc && typeof rc.nodeLinker === 'string' ? rc.nodeLinker : 'pnp';
  }

  const ts = readTsConfig(ctx, 'tsconfig.json');
  const nextConfig = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts'].find((f) => ctx.exists(f)) ?? null;
  const nextStandalone = nextConfig ? readNextStandalone(ctx.readText(nextConfig) ?? '', nextConfig) : false;

  const deps = { ...(pkg?.dependencies ?? {}), ...(pkg?.optionalDependencies ?? {}) };
  const nativeDeps = Object.keys(deps).filter((d) => NATIVE_PACKAGES.has(d));
  const bins: Record<string, string> = {};
  const lockProblems = npmLockProblems(pkg, lock);
  if (lock?.packages) {
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (!key.startsWith('node_modules/') || key.lastIndexOf('node_modules/') !== 0) continue;
      const name = key.slice('node_modules/'.length);
      if (entry.bin) {
        for (const [b, p] of Object.entries(entry.bin)) bins[b] = path.posix.normalize(`node_modules/${name}/${p}`);
      }
      if (entry.hasInstallScript && !entry.dev && !nativeDeps.includes(name) && name in deps) nativeDeps.push(name);
    }
  }
  if (pkg?.gypfile || ctx.exists('binding.gyp')) nativeDeps.push('(this package: binding.gyp)');
  return { pkg, pm, lockfile, manifests, yarnNodeLinker, tsOutDir: ts.outDir, tsRootDirs: ts.rootDirs, nextStandalone, nextConfig, nativeDeps, bins, lockProblems };
}

interface TsInfo {
  outDir: string | null;
  rootDirs: string[];
}

/** tsconfig.json read as syntax (JSON with comments), following relative `extends`. */
export function readTsConfig(ctx: BuildContext, file: string, depth = 0): TsInfo {
  const info: TsInfo = { outDir: null, rootDirs: [] };
  const text = ctx.readText(file);
  if (text === null || depth > 8) return info;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ts } = require('ts-morph') as typeof import('ts-morph');
  const parsed = ts.parseConfigFileTextToJson(file, text);
  const cfg = (parsed.config ?? {}) as { extends?: string | string[]; compilerOptions?: { outDir?: string; rootDir?: string }; include?: string[] };
  const dir = path.posix.dirname(file);
  const ext = cfg.extends;
  for (const base of Array.isArray(ext) ? ext : ext ? [ext] : []) {
    if (!base.startsWith('.')) continue; // a package (e.g. @tsconfig/node20): not in the context
    let rel = path.posix.normalize(path.posix.join(dir, base));
    if (!rel.endsWith('.json')) rel += '.json';
    const inherited = readTsConfig(ctx, rel, depth + 1);
    if (inherited.outDir) info.outDir = inherited.outDir;
    if (inherited.rootDirs.length) info.rootDirs = inherited.rootDirs;
  }
  const co = cfg.compilerOptions ?? {};
  if (co.outDir) info.outDir = path.posix.normalize(path.posix.join(dir, co.outDir)).replace(/^\.\//, '').replace(/\/$/, '');
  if (co.rootDir) info.rootDirs = [path.posix.normalize(path.posix.join(dir, co.rootDir))];
  else if (cfg.include) {
    const roots = cfg.include.map((g) => path.posix.normalize(path.posix.join(dir, g)).split('/')[0]).filter((r) => r && !r.includes('*'));
    if (roots.length) info.rootDirs = [...new Set(roots)];
  }
  return info;
}

/** `output: 'standalone'` in next.config.*, found in the syntax tree, never by running the file. */
export function readNextStandalone(text: string, fileName: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Project, SyntaxKind } = require('ts-morph') as typeof import('ts-morph');
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const sf = project.createSourceFile(fileName.endsWith('.ts') ? fileName : `${fileName}.ts`, text);
  for (const prop of sf.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    if (prop.getName().replace(/['"]/g, '') !== 'output') continue;
    const init = prop.getInitializer();
    if (init && (init.getKind() === SyntaxKind.StringLiteral || init.getKind() === SyntaxKind.NoSubstitutionTemplateLiteral)) {
      if (init.getText().slice(1, -1) === 'standalone') return true;
    }
  }
  return false;
}

/**
 * The package.json of every workspace member (npm/yarn `workspaces`, pnpm-workspace.yaml): a frozen
 * install at the root needs them, so they are manifests copied before it.
 */
export function workspaceManifests(ctx: BuildContext, pkg: PackageJson | null): string[] {
  const ws = pkg?.workspaces;
  let globs: string[] = Array.isArray(ws) ? ws : ws && typeof ws === 'object' && Array.isArray((ws as { packages?: unknown }).packages) ? (ws as { packages: string[] }).packages : [];
  const pnpm = ctx.readYaml<{ packages?: unknown }>('pnpm-workspace.yaml');
  if (pnpm && Array.isArray(pnpm.packages)) globs = globs.concat(pnpm.packages as string[]);
  globs = globs.filter((g) => typeof g === 'string' && !g.startsWith('!') && !g.includes('..') && !path.posix.isAbsolute(g));
  if (!globs.length) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fg = require('fast-glob') as typeof import('fast-glob');
  const found = fg.sync(globs.map((g) => `${g.replace(/\/+$/, '')}/package.json`), { cwd: ctx.dir, ignore: ['**/node_modules/**'], onlyFiles: true, deep: 6 });
  return found.sort().slice(0, 200);
}
