/**
 * Finding Dockerfiles: a path is a file or a directory searched for Dockerfile, Dockerfile.*,
 * *.Dockerfile and Containerfile, honouring .gitignore files and skipping node_modules, .git, vendor.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeFsError } from './api';
import { InputError } from './types';

export const DOCKERFILE_PATTERNS = ['**/Dockerfile', '**/Dockerfile.*', '**/*.Dockerfile', '**/*.dockerfile', '**/Containerfile', '**/Containerfile.*'];
const SKIP_DIRS = ['**/node_modules/**', '**/.git/**', '**/vendor/**'];

export interface Discovered {
  file: string;
  /** Build context: the Dockerfile's folder unless told otherwise (compose, --context). */
  context?: string;
}

function isDockerfileName(name: string): boolean {
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

export function discover(paths: string[], opts: { exclude?: string[] } = {}): Discovered[] {
  const out: Discovered[] = [];
  const seen = new Set<string>();
  for (const p of paths.length ? paths : ['.']) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      throw new InputError(p, undefined, `cannot read: ${describeFsError(err)}`);
    }
    if (st.isFile()) {
      const abs = path.resolve(p);
      if (!seen.has(abs)) {
        seen.add(abs);
        out.push({ file: p });
      }
      continue;
    }
    if (!st.isDirectory()) throw new InputError(p, undefined, 'is neither a file nor a directory');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const fg = require('fast-glob') as typeof import('fast-glob');
    const found = fg.sync(DOCKERFILE_PATTERNS, { cwd: p, ignore: [...SKIP_DIRS, ...(opts.exclude ?? [])], dot: false, followSymbolicLinks: false, suppressErrors: true, onlyFiles: true });
    const gitignores = fg.sync(['**/.gitignore'], { cwd: p, ignore: SKIP_DIRS, dot: true, followSymbolicLinks: false, suppressErrors: true });
    const matchers = gitignores.map((g) => {
      const dir = path.posix.dirname(g);
      const ig = makeIgnore();
      try {
        ig.add(fs.readFileSync(path.join(p, g), 'utf8'));
      } catch {
        /* unreadable .gitignore: ignore nothing */
      }
      return { dir: dir === '.' ? '' : dir, ig };
    });
    for (const rel of found.sort()) {
      if (!isDockerfileName(path.posix.basename(rel))) continue;
      const ignored = matchers.some(({ dir, ig }) => {
        if (dir && !rel.startsWith(dir + '/')) return false;
        const sub = dir ? rel.slice(dir.length + 1) : rel;
        return ig.ignores(sub);
      });
      if (ignored) continue;
      const file = path.join(p, rel);
      const abs = path.resolve(file);
      if (seen.has(abs)) continue;
      seen.add(abs);
      out.push({ file });
    }
  }
  return out;
}
