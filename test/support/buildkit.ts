/**
 * BuildKit's own Dockerfile parser as a test oracle: tools/bkparse is a small Go program built on
 * github.com/moby/buildkit/frontend/dockerfile/parser (+ instructions.Parse). It is built once per
 * source version with the host Go into the OS temp folder and reused. When Go is missing, callers get
 * null and skip (under CI=true they fail instead, see requireBuildkit).
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface BkResult {
  file: string;
  /** BuildKit's syntax parser accepted the file. */
  parsed: boolean;
  /** instructions.Parse accepted it too (what a build checks before running anything). */
  valid: boolean;
  error?: string;
  /** Dump of every instruction, in the format of BuildKit's parser test `result` files (without parentheses). */
  nodes: string[];
  /** 1-based first line of each node. */
  lines: number[];
  escape: string;
}

const toolDir = path.resolve(__dirname, '../../tools/bkparse');

let cached: string | null | undefined;
let whyNot = '';

/** Path of the built helper, or null (with whyNotAvailable()) when Go is unavailable. */
export function buildkitHelper(): string | null {
  if (cached !== undefined) return cached;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    whyNot = 'the Go toolchain is not installed (go version failed)';
    cached = null;
    return null;
  }
  const hash = crypto.createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(fs.readFileSync(path.join(toolDir, f)));
  hash.update(go.stdout);
  const dir = path.join(os.tmpdir(), 'dockerize-optimize-bkparse');
  const bin = path.join(dir, `bkparse-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(bin)) return (cached = bin);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const b = spawnSync('go', ['build', '-o', tmp, '.'], { cwd: toolDir, encoding: 'utf8', env: { ...process.env, CGO_ENABLED: '0' }, timeout: 600000 });
  if (b.status !== 0) {
    whyNot = `go build of tools/bkparse failed: ${(b.stderr || b.error?.message || '').trim().slice(0, 2000)}`;
    cached = null;
    return null;
  }
  fs.renameSync(tmp, bin);
  return (cached = bin);
}

export function whyNotAvailable(): string {
  return whyNot;
}

/** The helper, or null with a printed reason; under CI=true a missing helper is an error. */
export function requireBuildkit(): string | null {
  const bin = buildkitHelper();
  if (!bin) {
    if (process.env.CI === 'true') throw new Error(`BuildKit parse check unavailable under CI: ${whyNot}`);
    // eslint-disable-next-line no-console
    console.warn(`skipping the BuildKit parse check: ${whyNot}`);
  }
  return bin;
}

/** Parses many files with BuildKit in one process. */
export function bkParseFiles(bin: string, files: string[]): Map<string, BkResult> {
  const out = new Map<string, BkResult>();
  if (files.length === 0) return out;
  const r = spawnSync(bin, [], { input: files.join('\n') + '\n', encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bkparse failed: ${r.stderr}`);
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const res = JSON.parse(line) as BkResult;
    out.set(res.file, res);
  }
  return out;
}

/** Parses texts (written to a temp folder) with BuildKit; results in the same order. */
export function bkParseTexts(bin: string, texts: string[]): BkResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-bk-'));
  try {
    const files = texts.map((t, i) => {
      const f = path.join(dir, `${i}.Dockerfile`);
      fs.writeFileSync(f, t);
      return f;
    });
    const m = bkParseFiles(bin, files);
    return files.map((f) => m.get(f) as BkResult);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What an instruction list means for the image's metadata, as BuildKit reads it: one fact per ENV/LABEL
 * pair, ARG, EXPOSE port, STOPSIGNAL and HEALTHCHECK. Merging or splitting instructions keeps the facts.
 * Instructions on skipLines (1-based start lines) are left out.
 */
export function metadataFacts(res: Pick<BkResult, 'nodes' | 'lines'>, skipLines: Set<number> = new Set()): string[] {
  const facts: string[] = [];
  for (const [i, n] of res.nodes.entries()) {
    // An instruction a change points at was rewritten on purpose (and says why).
    if (skipLines.has(res.lines[i])) continue;
    const kw = n.slice(0, n.indexOf(' ') < 0 ? n.length : n.indexOf(' '));
    const words = dumpWords(n.slice(kw.length));
    if (kw === 'env' || kw === 'label') {
      for (let i = 0; i + 1 < words.length; i += 3) facts.push(`${kw} ${words[i]}=${words[i + 1]}`);
    } else if (kw === 'arg' || kw === 'expose') {
      for (const w of words) facts.push(`${kw} ${w}`);
    } else if (kw === 'stopsignal' || kw === 'healthcheck') {
      facts.push(n);
    }
  }
  return facts;
}

/** The quoted words of a node dump: `"a" "b\"c"` -> ['a', 'b"c']. */
export function dumpWords(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    try {
      out.push(JSON.parse(`"${m[1]}"`));
    } catch {
      out.push(m[1]); // a Go escape JSON does not know (\x00): compare the escaped text
    }
  }
  return out;
}
