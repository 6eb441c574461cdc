/**
 * Runs an image and probes it: an HTTP GET on a published port (bound to 127.0.0.1) polled until it
 * answers or the wait runs out, or, for a command-line app, its stdout and exit code.
 */
import * as http from 'http';
import { Docker } from './docker';
import { splitLabel } from './build';

export interface HttpProbeResult {
  kind: 'http';
  port: number;
  path: string;
  answered: boolean;
  status?: number;
  body?: string;
  bodyBytes?: number;
  /** Seconds from `docker run` to the first answer. */
  seconds: number;
  error?: string;
  /** The container's last log lines (when it did not answer). */
  logs?: string;
}

export interface CommandProbeResult {
  kind: 'command';
  args: string[];
  exitCode: number | null;
  stdout: string;
  timedOut: boolean;
  seconds: number;
  error?: string;
  logs?: string;
}

export type ProbeResult = HttpProbeResult | CommandProbeResult;

const MAX_BODY = 1024 * 1024;
const STARTING = [502, 503, 504];

/**
 * One GET; resolves with status and body, or rejects (refused, reset, timeout). `hostHeader` is sent
 * as Host so both containers see the same request (the published host ports differ).
 */
export function httpGet(port: number, urlPath: string, timeoutMs = 5000, hostHeader?: string): Promise<{ status: number; body: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close' };
    if (hostHeader) headers.host = hostHeader;
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= MAX_BODY) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), bytes }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}

async function logsTail(docker: Docker, name: string): Promise<string> {
  const r = await docker.exec(['logs', '--tail', '20', name], { timeoutMs: 15000 });
  return (r.stdout + r.stderr).trim();
}

export async function probeHttp(docker: Docker, opts: { image: string; name: string; label: string; port: number; path: string; timeoutSeconds: number; env: Record<string, string> }): Promise<HttpProbeResult> {
  const [k, v] = splitLabel(opts.label);
  const res: HttpProbeResult = { kind: 'http', port: opts.port, path: opts.path, answered: false, seconds: 0 };
  const started = Date.now();
  try {
    const run = await docker.exec(['run', '-d', '--name', opts.name, '--label', `${k}=${v}`, '-p', `127.0.0.1::${opts.port}`, ...envArgs(opts.env), opts.image], { timeoutMs: 60000 });
    if (run.code !== 0) {
      res.error = `docker run failed: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`;
      return res;
    }
    const portOut = await docker.exec(['port', opts.name, `${opts.port}/tcp`]);
    const m = /:(\d+)\s*$/m.exec(portOut.stdout);
    if (!m) {
      res.error = `port ${opts.port} was not published: ${(portOut.stderr || portOut.stdout).trim()}`;
      return res;
    }
    const hostPort = Number(m[1]);
    const deadline = started + opts.timeoutSeconds * 1000;
    let lastErr = '';
    while (Date.now() < deadline) {
      try {
        const r = await httpGet(hostPort, opts.path, Math.max(1000, Math.min(10000, deadline - Date.now())), `localhost:${opts.port}`);
        // 502/503/504 while a server (or its proxy) starts: ask again until the wait runs out.
        if (STARTING.includes(r.status) && Date.now() + 500 < deadline) {
          lastErr = `answered ${r.status}`;
          await sleep(500);
          continue;
        }
        res.answered = true;
        res.status = r.status;
        res.body = r.body;
        res.bodyBytes = r.bytes;
        res.seconds = Math.round((Date.now() - started) / 100) / 10;
        return res;
      } catch (err) {
        lastErr = (err as Error).message;
      }
      const st = await docker.exec(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', opts.name]);
      const [running, code] = st.stdout.trim().split(' ');
      if (running === 'false') {
        res.error = `the container exited (code ${code}) before answering on port ${opts.port}`;
        break;
      }
      await sleep(500);
    }
    res.error = res.error ?? `no HTTP answer on port ${opts.port} within ${opts.timeoutSeconds} s (${lastErr})`;
    res.seconds = Math.round((Date.now() - started) / 100) / 10;
    res.logs = await logsTail(docker, opts.name);
    return res;
  } finally {
    await docker.exec(['rm', '-f', '-v', opts.name], { timeoutMs: 60000 });
  }
}

export async function probeCommand(docker: Docker, opts: { image: string; name: string; label: string; args: string[]; timeoutSeconds: number; env: Record<string, string> }): Promise<CommandProbeResult> {
  const [k, v] = splitLabel(opts.label);
  try {
    const r = await docker.exec(['run', '--name', opts.name, '--label', `${k}=${v}`, ...envArgs(opts.env), opts.image, ...opts.args], { timeoutMs: opts.timeoutSeconds * 1000 });
    const res: CommandProbeResult = { kind: 'command', args: opts.args, exitCode: r.timedOut ? null : r.code, stdout: r.stdout, timedOut: r.timedOut, seconds: Math.round(r.seconds * 10) / 10 };
    // docker run's own failures (125: the daemon, 126/127: the command could not start) are not the app's.
    if (!r.timedOut && r.code >= 125 && r.code <= 127) res.error = `docker run exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`;
    if (r.timedOut || r.code !== 0) res.logs = (await logsTail(docker, opts.name)) || r.stderr.trim();
    return res;
  } finally {
    await docker.exec(['rm', '-f', '-v', opts.name], { timeoutMs: 60000 });
  }
}
