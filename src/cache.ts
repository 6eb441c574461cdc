/**
 * --cache: the plan of a Dockerfile is kept between runs, with what it was planned from, and reused
 * while all of it is unchanged (as ESLint's and Prettier's caches do). A kept plan is reused only when
 *   - the tool is the same build (its version, the contents of its own files, its libraries'
 *     versions),
 *   - the Dockerfile's bytes hash the same, and the options, build context and compose services
 *     it was planned with are the same,
 *   - every file-system fact its planning read still holds, by content: each folder's entries, each
 *     file's text, each existence test (src/stack/context.ts records them).
 * Facts are compared by content, not by time, so a fresh checkout of the same files (a CI job with a
 * restored cache) finds its plans. Each fact is checked once per run. An internal failure is not
 * kept. The file is JSON, replaced atomically.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Discovered } from './discovery';
import type { Dependency } from './stack/context';
import { currentValue } from './stack/context';
import { isInternalFailure, type SweepItem } from './sweep';
import type { FileResult, OptimizeOptions } from './types';

/**
 * The cache file of a run from `cwd`, outside the repository (so it never lands in a build context or
 * a commit): `$XDG_CACHE_HOME/dockerize-optimize/` (default `~/.cache`), one file per folder run from.
 */
export function defaultCacheFile(cwd: string): string {
  const base = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  const id = crypto.createHash('sha256').update(path.resolve(cwd)).digest('hex').slice(0, 16);
  return path.join(base, 'dockerize-optimize', `${path.basename(path.resolve(cwd)) || 'root'}-${id}.json`);
}
const FORMAT = 1;

interface Entry {
  key: string;
  deps: Dependency[];
  /**
   * The item as JSON (a copy: the sweep's results are changed afterwards, by the shared .dockerignore
   * reconciliation), without the Dockerfile's text (it is read again to be hashed) and with `output`
   * left out when unchanged.
   */
  item: string;
  same?: boolean;
}

interface CacheFile {
  format: number;
  tool: string;
  entries: Record<string, Entry>;
}

/**
 * What identifies this build of the tool: its version, its own files' contents (by content, not time:
 * a fresh install of the same version in CI keeps the cache), its libraries' versions.
 */
export function toolFingerprint(): string {
  const h = crypto.createHash('sha256');
  const root = path.join(__dirname, '..');
  const visit = (dir: string): void => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile() && !e.name.endsWith('.map')) {
        h.update(`${path.relative(root, p)}\u0000`).update(fs.readFileSync(p)).update('\n');
      }
    }
  };
  for (const sub of ['src', 'transforms', 'templates']) visit(path.join(root, sub));
  for (const wasm of [path.join(root, 'shparse.wasm'), path.join(root, 'dist', 'shparse.wasm')]) {
    if (fs.existsSync(wasm)) h.update(`${path.basename(wasm)}\u0000`).update(fs.readFileSync(wasm)).update('\n');
  }
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, rel), 'utf8'));
      if (pkg.name !== 'dockerize-optimize') continue;
      h.update(`${pkg.version}\n`);
      for (const dep of Object.keys(pkg.dependencies ?? {}).sort()) {
        try {
          h.update(`${dep}@${JSON.parse(fs.readFileSync(require.resolve(`${dep}/package.json`), 'utf8')).version}\n`);
        } catch {
          h.update(`${dep}@?\n`);
        }
      }
      break;
    } catch {
      /* the next place */
    }
  }
  h.update(`${process.env.DOCKERIZE_OPTIMIZE_NO_WASM === '1' ? 'no-wasm' : 'wasm'}\n`);
  return h.digest('hex');
}

export class ResultCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;
  /** Kept plans reused, and plans made, in this run. */
  hits = 0;
  misses = 0;
  /** Why the file on disk was not used (unreadable, another format, another build of the tool), if so. */
  discarded: string | null = null;

  private constructor(
    readonly file: string,
    private readonly tool: string,
  ) {}

  static open(file: string, tool = toolFingerprint()): ResultCache {
    const c = new ResultCache(file, tool);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return c;
    }
    try {
      const data = JSON.parse(text) as CacheFile;
      if (data.format !== FORMAT) c.discarded = 'written in another format';
      else if (data.tool !== tool) c.discarded = 'written by another build of the tool';
      else if (!data.entries || typeof data.entries !== 'object') c.discarded = 'not a cache file';
      else c.entries = data.entries;
    } catch {
      c.discarded = 'not valid JSON';
    }
    if (c.discarded) c.dirty = true;
    return c;
  }

  /** The identity of a plan's input: the Dockerfile's bytes, its path, context, compose services and the options. */
  static keyOf(bytes: Buffer, d: Discovered, options: OptimizeOptions): string {
    return crypto
      .createHash('sha256')
      .update(bytes)
      .update(`\u0000${JSON.stringify([d.file, d.context, d.services ?? null, options])}`)
      .digest('hex');
  }

  /** The kept item of a Dockerfile when it is still valid, else the key to keep its new plan under. */
  lookup(d: Discovered, options: OptimizeOptions): { item: SweepItem } | { key: string } | null {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(d.file);
    } catch {
      return null;
    }
    const key = ResultCache.keyOf(bytes, d, options);
    const e = this.entries[d.file];
    if (!e || e.key !== key || !e.deps.every((dep) => this.holds(dep))) {
      this.misses++;
      return { key };
    }
    this.hits++;
    const item = JSON.parse(e.item) as SweepItem;
    if (item.ok) {
      const r = item.result as FileResult;
      r.original = bytes.toString('utf8');
      if (e.same) r.output = r.original;
    }
    return { item };
  }

  /** Facts checked in this run (many Dockerfiles share a folder and its manifests). */
  private now = new Map<string, Dependency['v']>();

  private holds(d: Dependency): boolean {
    const id = `${d.k}\u0000${d.p}`;
    let v = this.now.get(id);
    if (v === undefined) this.now.set(id, (v = currentValue(d)));
    return v === d.v;
  }

  /** Keeps a plan, but not an internal failure. */
  store(file: string, key: string, item: SweepItem, deps: Dependency[]): void {
    if (isInternalFailure(item)) {
      if (this.entries[file]) {
        delete this.entries[file];
        this.dirty = true;
      }
      return;
    }
    let kept: SweepItem = item;
    let same: boolean | undefined;
    if (item.ok) {
      same = item.result.output === item.result.original;
      kept = {
        ok: true,
        result: {
          ...item.result,
          original: '',
          output: same ? '' : item.result.output,
        },
      };
    }
    this.entries[file] = {
      key,
      deps,
      item: JSON.stringify(kept),
      ...(same ? { same } : {}),
    };
    this.dirty = true;
  }

  /** Writes the cache (atomically), dropping entries of Dockerfiles that no longer exist. */
  save(): void {
    for (const f of Object.keys(this.entries)) {
      if (!fs.existsSync(f)) {
        delete this.entries[f];
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Entry by entry: a sweep of 10,000 files keeps tens of MB here, not to be copied into one string.
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, `{"format":${FORMAT},"tool":${JSON.stringify(this.tool)},"entries":{`);
        let first = true;
        for (const [file, e] of Object.entries(this.entries)) {
          fs.writeSync(fd, `${first ? '' : ','}\n${JSON.stringify(file)}:${JSON.stringify(e)}`);
          first = false;
        }
        fs.writeSync(fd, '\n}}\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
    } catch (err) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* not made */
      }
      throw err;
    }
    this.dirty = false;
  }
}
