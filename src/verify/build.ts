/**
 * Builds in a temporary copy of the context (never the user's files): `orig/` gets the context as it
 * is, `new/` the context with the rewritten Dockerfile and the proposed side files (.dockerignore).
 * BuildKit's plain progress tells which steps ran and which came from the cache.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Docker } from './docker';

export interface BuildResult {
  ok: boolean;
  seconds: number;
  /** Steps of the build stages (FROM lines not counted) and how many of them were cached. */
  steps: number;
  cachedSteps: number;
  /** The tail of the build log when it failed. */
  error?: string;
}

export interface StepCount {
  steps: number;
  cached: number;
}

/**
 * Counts the Dockerfile steps in BuildKit `--progress=plain` output: vertices named
 * `[stage n/m] INSTR ...` or `[n/m] INSTR ...`, except FROM, and the ones marked `#id CACHED`.
 */
export function countSteps(progress: string): StepCount {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of progress.split('\n')) {
    const m = /^#(\d+) \[(?:[^\]\s]+ )?\d+\/\d+\] (\S+)/.exec(line);
    if (m && m[2].toUpperCase() !== 'FROM') steps.add(m[1]);
    const c = /^#(\d+) CACHED\s*$/.exec(line);
    if (c) cached.add(c[1]);
  }
  return { steps: steps.size, cached: [...cached].filter((id) => steps.has(id)).length };
}

/** The last lines of a build log that say why it failed. */
export function buildErrorTail(log: string, n = 12): string {
  const ls = log.split('\n').filter((l) => l.trim());
  const errAt = ls.findIndex((l) => /^(ERROR|error:|failed to solve|executor failed)/i.test(l.replace(/^#\d+\s+/, '')));
  const from = errAt >= 0 ? Math.max(0, errAt - n + 4) : Math.max(0, ls.length - n);
  return ls.slice(from, from + n).join('\n');
}

export async function buildImage(docker: Docker, opts: { context: string; dockerfile: string; tag: string; label: string; timeoutSeconds: number; buildArgs?: Record<string, string> }): Promise<BuildResult> {
  const [k, v] = splitLabel(opts.label);
  const args = Object.entries(opts.buildArgs ?? {}).flatMap(([n, val]) => ['--build-arg', `${n}=${val}`]);
  const r = await docker.exec(['build', '--progress=plain', '--label', `${k}=${v}`, ...args, '-t', opts.tag, '-f', opts.dockerfile, opts.context], { timeoutMs: opts.timeoutSeconds * 1000 });
  const log = r.stderr + r.stdout;
  const count = countSteps(log);
  const res: BuildResult = { ok: r.code === 0, seconds: round1(r.seconds), steps: count.steps, cachedSteps: count.cached };
  if (r.timedOut) res.error = `build timed out after ${opts.timeoutSeconds} s`;
  else if (r.code !== 0) res.error = buildErrorTail(log) || `docker build exited ${r.code}`;
  return res;
}

export function splitLabel(label: string): [string, string] {
  const i = label.indexOf('=');
  return i < 0 ? [label, ''] : [label.slice(0, i), label.slice(i + 1)];
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A side file path relative to the context that stays inside it. */
function safeRel(rel: string): string {
  const norm = path.normalize(rel);
  if (path.isAbsolute(norm) || norm.split(path.sep).includes('..')) throw new Error(`side file ${rel} is outside the build context`);
  return norm;
}

export interface PreparedContexts {
  orig: { context: string; dockerfile: string };
  rewritten: { context: string; dockerfile: string };
}

/**
 * Copies the context twice under tmp. A Dockerfile inside the context keeps its relative path (so
 * COPY . . and .dockerignore see it as the user's build would); one outside goes next to the copies.
 */
export function prepareContexts(tmp: string, input: { dockerfile: string; context: string; original: string; rewritten: string; sideFiles: { relPath: string; content: string }[] }): PreparedContexts {
  const ctx = path.resolve(input.context);
  const df = path.resolve(input.dockerfile);
  const rel = path.relative(ctx, df);
  const inside = !rel.startsWith('..') && !path.isAbsolute(rel);
  const out: Partial<PreparedContexts> = {};
  for (const which of ['orig', 'rewritten'] as const) {
    const dir = path.join(tmp, which);
    fs.cpSync(ctx, dir, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== '.git' || path.dirname(src) !== ctx });
    const text = which === 'orig' ? input.original : input.rewritten;
    const dfPath = inside ? path.join(dir, rel) : path.join(tmp, `${which}.Dockerfile`);
    fs.mkdirSync(path.dirname(dfPath), { recursive: true });
    fs.writeFileSync(dfPath, text);
    if (which === 'rewritten') {
      for (const s of input.sideFiles) {
        const p = path.join(dir, safeRel(s.relPath));
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, s.content);
      }
    }
    out[which] = { context: dir, dockerfile: dfPath };
  }
  return out as PreparedContexts;
}

const SOURCE_EXT: Record<string, string[]> = {
  node: ['.js', '.ts', '.mjs', '.cjs', '.tsx', '.jsx'],
  go: ['.go'],
  python: ['.py'],
  rust: ['.rs'],
};
const SKIP_DIRS = new Set(['node_modules', '.git', 'vendor', 'target', 'dist', 'build', '.next', '__pycache__', '.venv', 'venv', 'test', 'tests', '__tests__', 'coverage']);
const CONFIG_FILE = /(^|\.)(config|conf|rc)\.[cm]?[jt]s$|^(jest|vite|webpack|rollup|babel|eslint|prettier|tailwind|postcss|next)\./i;

/**
 * A source file to touch for the rebuild measure: the shallowest file with a source extension of the
 * stack (any known one when the stack is unknown), outside dependency/output/test folders and not a
 * tool config. Null when there is none.
 */
export function pickTouchFile(context: string, stack: string): string | null {
  const exts = SOURCE_EXT[stack] ?? Object.values(SOURCE_EXT).flat();
  let level = [''];
  for (let depth = 0; depth < 6 && level.length; depth++) {
    const next: string[] = [];
    const files: string[] = [];
    for (const rel of level) {
      let ents: fs.Dirent[];
      try {
        ents = fs.readdirSync(path.join(context, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of ents) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) next.push(r);
        else if (e.isFile() && exts.includes(path.extname(e.name)) && !CONFIG_FILE.test(e.name) && !/\.(test|spec|d)\.[jt]s$/.test(e.name)) files.push(r);
      }
    }
    if (files.length) return files.sort()[0];
    level = next.sort();
  }
  return null;
}

/**
 * Appends a comment line to the file: a change to its bytes that keeps it valid source. The tag (the
 * run id) makes the content new, so BuildKit cannot serve the step from an earlier run's cache.
 */
export function touchSource(file: string, tag = ''): void {
  const ext = path.extname(file);
  const words = `dockerize-optimize verify: rebuild probe${tag ? ` ${tag}` : ''}`;
  const comment = ext === '.py' ? `# ${words}` : `// ${words}`;
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${comment}\n`);
}
