/**
 * Python facts from the build context, read as data: requirements files (with their `-r`/`-c`
 * includes), pyproject.toml and Pipfile (TOML, smol-toml), the lockfiles next to them. Nothing from
 * the project is ever run.
 */
import * as path from 'path';
import type { BuildContext } from '../../src/stack/context';

export type Installer = 'pip' | 'poetry' | 'uv' | 'pdm' | 'pipenv' | 'hatch';

export interface Requirement {
  /** Normalised project name (PEP 503), or null for a path/URL requirement. */
  name: string | null;
  /** The line as written (continuations joined, comment removed). */
  text: string;
  pinned: boolean;
  hashed: boolean;
  /** A local path or `-e` requirement: it needs the sources in the build stage. */
  local: boolean;
  /** file:line it comes from. */
  from: string;
}

export interface RequirementsTree {
  /** Every file read, the root first (context-relative paths). */
  files: string[];
  requirements: Requirement[];
  /** Included files that are not in the context (`-r missing.txt`). */
  missing: string[];
  /** Options that change where packages come from (--index-url …), as written. */
  options: string[];
}

export interface PyProject {
  name: string | null;
  dependencies: string[];
  scripts: Record<string, string>;
  buildBackend: string | null;
  poetry: boolean;
  /** `[tool.poetry] package-mode = false`: dependencies only, no root package. */
  poetryPackageMode: boolean;
  uv: boolean;
  pdm: boolean;
  hatch: boolean;
  requiresPython: string | null;
}

export interface PythonFacts {
  pyproject: PyProject | null;
  /** Lockfile of the project's installer, when present: poetry.lock, uv.lock, pdm.lock, Pipfile.lock. */
  lockfile: string | null;
  pipfile: { packages: string[] } | null;
  /** Every requirements*.txt at the top of the context. */
  requirementFiles: string[];
  /** The installer the context suggests (the Dockerfile's commands take precedence). */
  installer: Installer | null;
  /** Top-level directories of data the app reads at run time (templates, static, …). */
  dataDirs: string[];
}

/** PEP 503 normalisation: `Flask_SQLAlchemy` -> `flask-sqlalchemy`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The project name a requirement specifier starts with (`flask[async]>=3; python_version>"3.8"` -> `flask`). */
export function requirementName(spec: string): string | null {
  if (/^(https?:|git\+|hg\+|svn\+|bzr\+|file:)/.test(spec.trim()) || spec.trim().startsWith('.') || spec.trim().startsWith('/')) return null;
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  if (!m) return null;
  return normalizeName(m[1]);
}

const OPTION_WITH_VALUE = /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|--prefer-binary|--pre|--use-feature)\b/;

/**
 * Reads a requirements file and the files it includes (`-r`, `-c`, `--requirement`, `--constraint`),
 * each path relative to the including file, as pip does. Cycles are followed once.
 */
export function readRequirements(ctx: BuildContext, root: string): RequirementsTree {
  const tree: RequirementsTree = { files: [], requirements: [], missing: [], options: [] };
  const visit = (rel: string, constraint: boolean) => {
    const norm = path.posix.normalize(rel).replace(/^\.\//, '');
    if (tree.files.includes(norm) || tree.missing.includes(norm)) return;
    const text = ctx.readText(norm);
    if (text === null) {
      tree.missing.push(norm);
      return;
    }
    tree.files.push(norm);
    const lines = joinRequirementLines(text);
    for (const { line, number } of lines) {
      const from = `${norm}:${number}`;
      const include = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(line);
      if (include) {
        visit(path.posix.join(path.posix.dirname(norm), include[2]), include[1] === '-c' || include[1] === '--constraint');
        continue;
      }
      if (OPTION_WITH_VALUE.test(line)) {
        tree.options.push(line);
        continue;
      }
      if (constraint) continue;
      const editable = /^(-e|--editable)(?:\s+|=)(\S+)/.exec(line);
      if (editable) {
        const target = editable[2];
        const local = !/^(git\+|hg\+|svn\+|bzr\+|https?:)/.test(target);
        tree.requirements.push({ name: null, text: line, pinned: false, hashed: false, local, from });
        continue;
      }
      if (line.startsWith('-')) {
        tree.options.push(line);
        continue;
      }
      const spec = line.replace(/\s+--hash[= ]\S+/g, '').trim();
      const name = requirementName(spec);
      const local = name === null && !/^(https?|git\+)/.test(spec);
      tree.requirements.push({
        name,
        text: spec,
        pinned: /===?\s*[^,;*\s]+(\s*;.*)?$/.test(spec) && !spec.includes('*') || / @ /.test(spec),
        hashed: /--hash[= ]/.test(line),
        local,
        from,
      });
    }
  };
  visit(root, false);
  return tree;
}

/** Logical lines of a requirements file: comments removed, `\` continuations joined, 1-based numbers. */
function joinRequirementLines(text: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  const raw = text.replace(/^\ufeff/, '').split(/\r?\n/);
  let buf = '';
  let start = 0;
  raw.forEach((l, i) => {
    if (buf === '') start = i + 1;
    const noComment = l.replace(/(^|\s)#.*$/, '');
    if (/\\\s*$/.test(noComment)) {
      buf += noComment.replace(/\\\s*$/, ' ');
      return;
    }
    buf += noComment;
    const t = buf.trim();
    if (t) out.push({ line: t.replace(/\s+/g, ' '), number: start });
    buf = '';
  });
  if (buf.trim()) out.push({ line: buf.trim(), number: start });
  return out;
}

type Toml = Record<string, unknown>;

function tableAt(doc: Toml | null, ...keys: string[]): Toml | null {
  let cur: unknown = doc;
  for (const k of keys) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return null;
    cur = (cur as Toml)[k];
  }
  return cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Toml) : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function readPyProject(ctx: BuildContext): PyProject | null {
  if (!ctx.exists('pyproject.toml')) return null;
  const doc = ctx.readToml<Toml>('pyproject.toml');
  if (!doc) return null;
  const project = tableAt(doc, 'project');
  const poetry = tableAt(doc, 'tool', 'poetry');
  const backend = tableAt(doc, 'build-system')?.['build-backend'];
  const scripts: Record<string, string> = {};
  for (const [k, v] of Object.entries(tableAt(project, 'scripts') ?? tableAt(poetry, 'scripts') ?? {})) {
    if (typeof v === 'string') scripts[k] = v;
  }
  const poetryDeps = Object.keys(tableAt(poetry, 'dependencies') ?? {}).filter((d) => d !== 'python');
  return {
    name: typeof project?.name === 'string' ? project.name : typeof poetry?.name === 'string' ? poetry.name : null,
    dependencies: project ? strings(project.dependencies) : poetryDeps,
    scripts,
    buildBackend: typeof backend === 'string' ? backend : null,
    poetry: poetry !== null,
    poetryPackageMode: poetry ? poetry['package-mode'] !== false : false,
    uv: tableAt(doc, 'tool', 'uv') !== null,
    pdm: tableAt(doc, 'tool', 'pdm') !== null,
    hatch: tableAt(doc, 'tool', 'hatch') !== null,
    requiresPython: typeof project?.['requires-python'] === 'string' ? (project['requires-python'] as string) : null,
  };
}

const DATA_DIRS = ['templates', 'static', 'data', 'assets', 'locale', 'locales', 'migrations', 'public', 'media', 'config', 'conf'];

export function readPythonFacts(ctx: BuildContext): PythonFacts {
  const pyproject = readPyProject(ctx);
  const entries = ctx.entries();
  const requirementFiles = entries.filter((e) => /^requirements.*\.(txt|in)$/i.test(e) && !ctx.isDir(e));
  let pipfile: PythonFacts['pipfile'] = null;
  if (ctx.exists('Pipfile')) {
    const doc = ctx.readToml<Toml>('Pipfile');
    pipfile = { packages: Object.keys(tableAt(doc, 'packages') ?? {}) };
  }
  let installer: Installer | null = null;
  let lockfile: string | null = null;
  if (ctx.exists('uv.lock')) [installer, lockfile] = ['uv', 'uv.lock'];
  else if (ctx.exists('poetry.lock')) [installer, lockfile] = ['poetry', 'poetry.lock'];
  else if (ctx.exists('pdm.lock')) [installer, lockfile] = ['pdm', 'pdm.lock'];
  else if (ctx.exists('Pipfile.lock')) [installer, lockfile] = ['pipenv', 'Pipfile.lock'];
  else if (pipfile) installer = 'pipenv';
  else if (pyproject?.poetry && /poetry/.test(pyproject.buildBackend ?? 'poetry')) installer = 'poetry';
  else if (requirementFiles.length || pyproject) installer = 'pip';
  const dataDirs = entries.filter((e) => DATA_DIRS.includes(e) && ctx.isDir(e));
  return { pyproject, lockfile, pipfile, requirementFiles, installer, dataDirs };
}

/**
 * Distributions that are compiled from source against a system library when no wheel is used (the
 * full python image has the -dev headers, so the original may never install them): the run-time
 * Debian package the built extension links to.
 */
export const SOURCE_BUILT_LIBS: Record<string, { apt: string[]; apk: string[] }> = {
  psycopg2: { apt: ['libpq5'], apk: ['libpq'] },
  mysqlclient: { apt: ['libmariadb3'], apk: ['mariadb-connector-c'] },
  'python-ldap': { apt: ['libldap-2.5-0', 'libsasl2-2'], apk: ['libldap', 'libsasl'] },
  pyodbc: { apt: ['unixodbc'], apk: ['unixodbc'] },
  pycairo: { apt: ['libcairo2'], apk: ['cairo'] },
  'pygobject': { apt: ['libgirepository-1.0-1'], apk: ['gobject-introspection'] },
};
