/**
 * Shared by the per-stack end-to-end tests (go, rust): docker through the BuildKit client, a copy of an
 * example without its local build output, and an HTTP probe of a container on a published port.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

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
