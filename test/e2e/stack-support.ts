/**
 * Shared by the per-stack end-to-end tests (go, rust): docker through the BuildKit client, a copy of an
 * example without its local build output, an HTTP probe of a container on a published port, and the
 * build-run-compare body of a test.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { optimizeFile } from '../../src/api';
import type { FileResult, RuntimeChoice } from '../../src/types';

export const DOCKER = fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export function stackExamples(prefix: string): string[] {
  const root = path.resolve(__dirname, '../../examples');
  return fs.existsSync(root) ? fs.readdirSync(root).filter((d) => d.startsWith(prefix) && fs.existsSync(path.join(root, d, 'Dockerfile'))).sort() : [];
}

export function docker(args: string[], opts: { allowFail?: boolean; timeout?: number } = {}): string {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '1' }, timeout: opts.timeout ?? 900000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`docker ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout || '').slice(-4000)}`);
  return (r.stdout ?? '').trim();
}

export function available(images: string[]): boolean {
  if (spawnSync(DOCKER, ['info'], { encoding: 'utf8' }).status !== 0) return false;
  return images.every((i) => spawnSync(DOCKER, ['image', 'inspect', i], { encoding: 'utf8' }).status === 0);
}

/**
 * Numeric owner (uid:gid) of a path in an image, read from the image's files (`docker cp` of a created
 * container: distroless and scratch images have no shell to ask).
 */
export function ownerIn(image: string, dir: string): string {
  const cid = docker(['create', image]);
  try {
    const r = spawnSync('sh', ['-c', `"${DOCKER}" cp "${cid}:${dir}" - | tar -tv --numeric-owner -f - | head -1`], { encoding: 'utf8' });
    const m = /^\S+\s+(\d+)\/(\d+)\s/.exec(r.stdout ?? '');
    if (!m) throw new Error(`no owner for ${dir} in ${image}: ${r.stdout}${r.stderr}`);
    return `${m[1]}:${m[2]}`;
  } finally {
    docker(['rm', cid], { allowFail: true });
  }
}

/** Copies an example, leaving out a local build output folder (bin/, target/). */
export function copyDir(src: string, dst: string, skip: string) {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (e.name === skip) continue;
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) copyDir(s, d, skip);
    else if (e.isFile()) fs.copyFileSync(s, d);
  }
}

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

export async function probe(port: number, p: string): Promise<{ status: number; body: string }> {
  let last: unknown;
  for (let i = 0; i < 40; i++) {
    try {
      return await get(port, p);
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`no answer on port ${port}: ${String(last)}`);
}

export async function runAndProbe(image: string, name: string, port: number, p: string, label: string) {
  docker(['rm', '-f', name], { allowFail: true });
  docker(['run', '-d', '--name', name, '--label', label, '-p', `127.0.0.1:0:${port}`, image]);
  try {
    const hostPort = Number(docker(['port', name, String(port)]).split('\n')[0].split(':').pop());
    return await probe(hostPort, p);
  } finally {
    docker(['rm', '-f', name], { allowFail: true });
  }
}

export interface BuiltPair {
  name: string;
  runtime: string;
  result: FileResult;
  /** Tag of the rewritten image (the original is `${tag}-orig`, the rewrite `${tag}-new`). */
  tag: string;
  sizeOrig: number;
  sizeNew: number;
  tmp: string;
}

/**
 * The body both Go and Rust end-to-end tests run: rewrite an example, build the original and the
 * rewrite in copies (without `skip`, the local build output), run both, probe them as the example's
 * .dockerize-optimizerc.json says, and require the same answer, user 65532 (owning the working
 * directory, as root owned the original's) and the configured size ratio. `inspect` looks further at the built pair before the temporary copies go; the images are
 * pushed to `created` for the suite to remove.
 */
export async function buildRunCompare(
  opts: { root: string; name: string; runtime: RuntimeChoice; skip: string; label: string; created: string[] },
  check: (pair: BuiltPair) => void | Promise<void> = () => undefined,
): Promise<BuiltPair> {
  const { root, name, runtime, skip, label, created } = opts;
  const dir = path.join(root, name);
  const config = JSON.parse(fs.readFileSync(path.join(dir, '.dockerize-optimizerc.json'), 'utf8'));
  const { port, path: probePath, expectStatus } = config.verify.probe;
  const result = optimizeFile(path.join(dir, 'Dockerfile'), { runtime });
  expect(result.stagesAfter).toBe(2);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dzo-e2e-${name}-`));
  try {
    const orig = path.join(tmp, 'orig');
    const next = path.join(tmp, 'new');
    copyDir(dir, orig, skip);
    copyDir(dir, next, skip);
    fs.writeFileSync(path.join(next, 'Dockerfile'), result.output);
    for (const sf of result.sideFiles) fs.writeFileSync(path.join(next, path.relative(dir, sf.path)), sf.output);
    const tag = `dzo-e2e-${name}:${runtime}-${process.pid}`;
    created.push(`${tag}-orig`, `${tag}-new`);
    docker(['build', '-q', '--label', label, '-t', `${tag}-orig`, orig]);
    docker(['build', '-q', '--label', label, '-t', `${tag}-new`, next]);

    const a = await runAndProbe(`${tag}-orig`, `dzo-e2e-${name}-${runtime}-orig-${process.pid}`, port, probePath, label);
    const b = await runAndProbe(`${tag}-new`, `dzo-e2e-${name}-${runtime}-new-${process.pid}`, port, probePath, label);
    expect(a.status).toBe(expectStatus);
    expect(b.status).toBe(a.status);
    expect(b.body).toBe(a.body);

    expect(docker(['image', 'inspect', '-f', '{{.Config.User}}', `${tag}-new`])).toBe('65532:65532');
    // The original ran as root and could write its working directory: the new user can too.
    const workdir = docker(['image', 'inspect', '-f', '{{.Config.WorkingDir}}', `${tag}-new`]);
    if (workdir && workdir !== '/') expect(ownerIn(`${tag}-new`, workdir)).toBe('65532:65532');
    const sizeOrig = Number(docker(['image', 'inspect', '-f', '{{.Size}}', `${tag}-orig`]));
    const sizeNew = Number(docker(['image', 'inspect', '-f', '{{.Size}}', `${tag}-new`]));
    expect(sizeOrig / sizeNew).toBeGreaterThanOrEqual(config.verify.minRatio ?? 5);
    const pair = { name, runtime, result, tag, sizeOrig, sizeNew, tmp };
    await check(pair);
    return pair;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
