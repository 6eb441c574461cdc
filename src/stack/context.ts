/**
 * The build context as the planner sees it: files are read (never executed), once, and only those
 * a rule asks for. Structured files are parsed with their own libraries (JSON, TOML, YAML).
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * A folder's entries, shared: many Dockerfiles of a sweep can share a folder (a monorepo root, a folder
 * of many Dockerfiles), so listings are kept, keyed by the folder's change time (nanosecond precision):
 * an entry added or removed since is seen. `names` is sorted; `entries` (with their kinds, for walks)
 * is in the order the system gives.
 */
interface Listing {
  stamp: string;
  names: string[];
  entries: { name: string; dir: boolean; file: boolean }[];
  /** The entries by name, made on first use. */
  byName?: Map<string, { name: string; dir: boolean; file: boolean }>;
}

function entryOf(l: Listing, name: string): { name: string; dir: boolean; file: boolean } | undefined {
  if (!l.byName) l.byName = new Map(l.entries.map((e) => [e.name, e]));
  return l.byName.get(name);
}
const listings = new Map<string, Listing>();
function listing(dir: string): Listing {
  const st = fs.statSync(dir, { bigint: true });
  const stamp = `${st.mtimeNs}:${st.ctimeNs}`;
  const hit = listings.get(dir);
  if (hit && hit.stamp === stamp) return hit;
  const entries = fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory(), file: d.isFile() }));
  const fresh = { stamp, entries, names: entries.map((e) => e.name).sort() };
  // A folder changed in the last moments may change again within the same clock tick, leaving its stamp
  // as it is: such a listing is not kept (as git does with racily clean entries).
  const changedMs = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1000000n);
  if (Date.now() - changedMs < RACY_MS) {
    listings.delete(dir);
    return fresh;
  }
  if (listings.size > 256) listings.clear();
  listings.set(dir, fresh);
  return fresh;
}

/** How recent a folder change must be for its listing not to be kept. */
const RACY_MS = 2000;

/** hasEntry's answers per listing (the names array is shared while the folder is unchanged). */
const entryAnswers = new WeakMap<string[], Map<string, boolean>>();

export class BuildContext {
  private textCache = new Map<string, string | null>();
  private existsCache = new Map<string, boolean>();
  private listingCache: Listing | null | undefined = undefined;

  constructor(public readonly dir: string) {}

  /** Top-level entries of the context (names), sorted. */
  entries(): string[] {
    return this.ownListing()?.names ?? [];
  }

  /** The context folder's listing, read (or found current in the shared cache) once per context; null when it cannot be listed. */
  private ownListing(): Listing | null {
    if (this.listingCache === undefined) {
      try {
        this.listingCache = listing(this.dir);
      } catch {
        this.listingCache = null;
      }
    }
    return this.listingCache;
  }

  /** Whether a top-level entry's name matches: answered once per folder listing and pattern (a folder of thousands of Dockerfiles is asked for each). */
  hasEntry(pattern: RegExp): boolean {
    const names = this.entries();
    let answers = entryAnswers.get(names);
    if (!answers) entryAnswers.set(names, (answers = new Map()));
    const key = `${pattern.source}/${pattern.flags}`;
    let hit = answers.get(key);
    if (hit === undefined) answers.set(key, (hit = names.some((e) => pattern.test(e))));
    return hit;
  }

  /** Whether a path exists under the context; asked again by each rules pass, answered once per context. */
  exists(rel: string): boolean {
    let hit = this.existsCache.get(rel);
    if (hit === undefined) {
      const top = this.topLevel(rel);
      this.existsCache.set(rel, (hit = top === 'absent' ? false : top === 'present' ? true : fs.existsSync(path.join(this.dir, rel))));
    }
    return hit;
  }

  /**
   * What the folder listing says of a plain top-level name: 'absent', 'present' (a file or folder), or
   * 'ask' (a path with folders, a symbolic link, no listing): then the file system is asked. A folder
   * of thousands of Dockerfiles has each of them probe the same manifests.
   */
  private topLevel(rel: string): 'absent' | 'present' | 'ask' {
    if (rel === '' || rel === '.' || rel === '..' || rel.includes('/') || rel.includes(path.sep)) return 'ask';
    const l = this.ownListing();
    if (!l) return 'ask';
    const e = entryOf(l, rel);
    return e === undefined ? 'absent' : e.dir || e.file ? 'present' : 'ask';
  }

  isDir(rel: string): boolean {
    try {
      return fs.statSync(path.join(this.dir, rel), { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      return false;
    }
  }

  /** Text of a file under the context, or null when it is absent, unreadable or over 5 MB. */
  readText(rel: string): string | null {
    if (this.textCache.has(rel)) return this.textCache.get(rel)!;
    let value: string | null = null;
    try {
      const p = path.join(this.dir, rel);
      // An absent file is the common case: no exception for it, and no question to the system when the listing tells.
      const st = this.topLevel(rel) === 'absent' ? undefined : fs.statSync(p, { throwIfNoEntry: false });
      if (st && st.isFile() && st.size <= 5 * 1024 * 1024) value = fs.readFileSync(p, 'utf8');
    } catch {
      value = null;
    }
    this.textCache.set(rel, value);
    return value;
  }

  readJson<T = unknown>(rel: string): T | null {
    const t = this.readText(rel);
    if (t === null) return null;
    try {
      return JSON.parse(t.replace(/^\ufeff/, '')) as T;
    } catch {
      return null;
    }
  }

  readToml<T = Record<string, unknown>>(rel: string): T | null {
    const t = this.readText(rel);
    if (t === null) return null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const toml = require('smol-toml') as typeof import('smol-toml');
      return toml.parse(t) as T;
    } catch {
      return null;
    }
  }

  readYaml<T = unknown>(rel: string): T | null {
    const t = this.readText(rel);
    if (t === null) return null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const yaml = require('yaml') as typeof import('yaml');
      return yaml.parse(t) as T;
    } catch {
      return null;
    }
  }

  /** Relative paths of files below `rel` (depth-limited walk, skipping node_modules and .git). */
  walk(rel = '.', maxFiles = 5000, maxDepth = 8): string[] {
    const out: string[] = [];
    const visit = (r: string, depth: number) => {
      if (out.length >= maxFiles || depth > maxDepth) return;
      let names: { name: string; dir: boolean; file: boolean }[];
      try {
        names = listing(path.join(this.dir, r)).entries;
      } catch {
        return;
      }
      for (const d of names) {
        if (d.name === 'node_modules' || d.name === '.git' || d.name === 'target' || d.name === '.venv') continue;
        const child = r === '.' ? d.name : `${r}/${d.name}`;
        if (d.dir) visit(child, depth + 1);
        else if (d.file) out.push(child);
        if (out.length >= maxFiles) return;
      }
    };
    visit(rel, 0);
    return out;
  }
}
