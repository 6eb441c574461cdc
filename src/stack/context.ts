/**
 * The build context as the planner sees it: files are read (never executed), once, and only those
 * a rule asks for. Structured files are parsed with their own libraries (JSON, TOML, YAML).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * A folder's entries, shared: many Dockerfiles of a sweep can share a folder (a monorepo root, a folder
 * of many Dockerfiles), so listings are kept, keyed by the folder's change time (nanosecond precision):
 * an entry added or removed since is seen. `names` and `entries` (with their kinds, for walks) are
 * sorted by name.
 */
interface Listing {
  stamp: string;
  names: string[];
  entries: { name: string; dir: boolean; file: boolean }[];
  /** The entries by name, made on first use. */
  byName?: Map<string, { name: string; dir: boolean; file: boolean }>;
  /** Names and kinds as a digest, made on first use (for --cache). */
  digest?: string;
}

function entryOf(l: Listing, name: string): { name: string; dir: boolean; file: boolean } | undefined {
  if (!l.byName) l.byName = new Map(l.entries.map((e) => [e.name, e]));
  return l.byName.get(name);
}
const listings = new Map<string, Listing>();
function listing(dir: string): Listing {
  let l: Listing;
  try {
    l = listingUnnoted(dir);
  } catch (err) {
    note('l', dir, null);
    throw err;
  }
  if (log) note('l', dir, listingDigest(l));
  return l;
}

function listingUnnoted(dir: string): Listing {
  const st = fs.statSync(dir, { bigint: true });
  const stamp = `${st.mtimeNs}:${st.ctimeNs}`;
  const hit = listings.get(dir);
  if (hit && hit.stamp === stamp) return hit;
  const entries = fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory(), file: d.isFile() }));
  // Sorted by name, as `names`: walks then go the same way on every file system.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fresh = { stamp, entries, names: entries.map((e) => e.name) };
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

const digest = (s: string): string => crypto.createHash('sha1').update(s).digest('base64');

/** A listing's content (names and kinds), as a digest, worked out once per listing. */
function listingDigest(l: Listing): string {
  l.digest ??= digest(l.entries.map((e) => `${e.name}\u0000${e.dir ? 'd' : e.file ? 'f' : 'o'}`).join('\n'));
  return l.digest;
}

/**
 * What a plan read from the file system, so that a kept plan (--cache) can be checked: a folder's
 * entries ('l': names and kinds, as a digest), an existence or folder test ('e', 'd': the answer), a
 * file's text ('f': a digest of what readText returned, null for none). By content, not by time: a
 * fresh checkout of the same files (CI) finds its plans, and a file changed between two moments of the
 * same clock tick cannot go unseen. Recorded only inside recordDependencies.
 */
export interface Dependency {
  k: 'l' | 'e' | 'd' | 'f';
  p: string;
  v: string | boolean | null;
}

let log: Map<string, Dependency> | null = null;

function note(k: Dependency['k'], p: string, v: Dependency['v']): void {
  if (log) log.set(`${k}\u0000${p}`, { k, p, v });
}

/** Runs f, recording every file-system fact the build contexts read meanwhile. */
export function recordDependencies<T>(f: () => T): { value: T; deps: Dependency[] } {
  const outer = log;
  log = new Map();
  try {
    const value = f();
    return { value, deps: [...log.values()] };
  } finally {
    log = outer;
  }
}

/** A file's text as readText gives it: null when absent, not a file, over 5 MB or unreadable. */
function readTextAt(p: string): string | null {
  try {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    return st && st.isFile() && st.size <= 5 * 1024 * 1024 ? fs.readFileSync(p, 'utf8') : null;
  } catch {
    return null;
  }
}

/** What a recorded fact reads as now. */
export function currentValue(d: Pick<Dependency, 'k' | 'p'>): Dependency['v'] {
  switch (d.k) {
    case 'l':
      try {
        return listingDigest(listingUnnoted(d.p));
      } catch {
        return null;
      }
    case 'e':
      return fs.existsSync(d.p);
    case 'd':
      try {
        return fs.statSync(d.p, { throwIfNoEntry: false })?.isDirectory() ?? false;
      } catch {
        return false;
      }
    case 'f': {
      const t = readTextAt(d.p);
      return t === null ? null : digest(t);
    }
  }
}

/** Whether a recorded fact still holds. */
export const stillHolds = (d: Dependency): boolean => currentValue(d) === d.v;

/** An existence or folder test, asked of the file system and recorded. */
function observe(k: 'e' | 'd', p: string): boolean {
  const v = currentValue({ k, p }) as boolean;
  note(k, p, v);
  return v;
}

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
      hit = top === 'ask' ? observe('e', path.join(this.dir, rel)) : top === 'present';
      this.existsCache.set(rel, hit);
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
    return observe('d', path.join(this.dir, rel));
  }

  /** Text of a file under the context, or null when it is absent, unreadable or over 5 MB. */
  readText(rel: string): string | null {
    if (this.textCache.has(rel)) return this.textCache.get(rel)!;
    let value: string | null = null;
    // An absent file is the common case: no question to the system when the listing tells.
    if (this.topLevel(rel) !== 'absent') {
      const p = path.join(this.dir, rel);
      value = readTextAt(p);
      if (log) note('f', p, value === null ? null : digest(value));
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
