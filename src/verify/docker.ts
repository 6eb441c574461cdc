/**
 * A thin wrapper over the docker CLI (execFile, never a shell). The client is $DOCKER when set, else
 * /usr/bin/docker when it exists (Debian's client has BuildKit built in), else `docker` on PATH.
 * Every child process is tracked so an interrupt can stop it before cleaning up.
 */
import { ChildProcess, execFile, execFileSync } from 'child_process';
import * as fs from 'fs';

export class DockerUnavailableError extends Error {
  constructor(message: string) {
    super(`no Docker engine reachable: ${message}`);
    this.name = 'DockerUnavailableError';
  }
}

/** The client answers but cannot do what verify needs (e.g. BuildKit without buildx). */
export class DockerSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerSetupError';
  }
}

/** A build log saying the client has no BuildKit. */
export function lacksBuildKit(log: string | undefined): boolean {
  return /BuildKit is enabled but the buildx component is missing|buildx component is missing or broken/i.test(log ?? '');
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** true when the command was killed because it ran past its timeout. */
  timedOut: boolean;
  seconds: number;
}

export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER && env.DOCKER.trim()) return env.DOCKER.trim();
  if (fs.existsSync('/usr/bin/docker')) return '/usr/bin/docker';
  return 'docker';
}

const running = new Set<ChildProcess>();

export class Docker {
  readonly bin: string;
  constructor(bin: string = dockerBinary()) {
    this.bin = bin;
  }

  /** Runs docker with args; resolves with the exit code (never rejects on a non-zero exit). */
  exec(args: string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ExecResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      const child = execFile(
        this.bin,
        args,
        {
          env: { ...process.env, DOCKER_BUILDKIT: '1', ...opts.env },
          cwd: opts.cwd,
          maxBuffer: 256 * 1024 * 1024,
          timeout: opts.timeoutMs ?? 0,
          killSignal: 'SIGKILL',
          encoding: 'utf8',
        },
        (err, stdout, stderr) => {
          running.delete(child);
          const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
          let code = 0;
          if (e) code = typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? 127 : 1;
          resolve({ code, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') + (e && e.code === 'ENOENT' ? `${this.bin}: not found` : ''), timedOut: !!(e && e.killed), seconds: (Date.now() - started) / 1000 });
        },
      );
      running.add(child);
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  /** Throws DockerUnavailableError with the client's own words when the engine does not answer. */
  async ping(): Promise<string> {
    const r = await this.exec(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20000 });
    if (r.code !== 0 || !r.stdout.trim()) {
      const why = (r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`).split('\n').slice(-3).join(' ');
      throw new DockerUnavailableError(`${this.bin} version: ${r.timedOut ? 'timed out after 20 s' : why}`);
    }
    return r.stdout.trim();
  }

  /** Lists ids of containers / images carrying label key=value. */
  async containersWithLabel(label: string): Promise<string[]> {
    const r = await this.exec(['ps', '-aq', '--no-trunc', '--filter', `label=${label}`]);
    return lines(r.stdout);
  }

  async imagesWithLabel(label: string): Promise<string[]> {
    const r = await this.exec(['images', '-q', '--no-trunc', '--filter', `label=${label}`]);
    return [...new Set(lines(r.stdout))];
  }

  async danglingImages(): Promise<string[]> {
    const r = await this.exec(['images', '-q', '--no-trunc', '--filter', 'dangling=true']);
    return [...new Set(lines(r.stdout))];
  }

  /** Removes every container, then every image, that carries the label. Returns what is still left. */
  async removeLabelled(label: string): Promise<{ containers: string[]; images: string[] }> {
    const cs = await this.containersWithLabel(label);
    if (cs.length) await this.exec(['rm', '-f', '-v', ...cs]);
    const is = await this.imagesWithLabel(label);
    if (is.length) await this.exec(['rmi', '-f', ...is]);
    return { containers: await this.containersWithLabel(label), images: await this.imagesWithLabel(label) };
  }

  /** Synchronous last-resort cleanup for signal handlers. */
  removeLabelledSync(label: string): void {
    for (const kind of [['ps', '-aq'], ['images', '-q']]) {
      try {
        const ids = lines(execFileSync(this.bin, [...kind, '--filter', `label=${label}`], { encoding: 'utf8', timeout: 30000 }));
        if (ids.length) execFileSync(this.bin, kind[0] === 'ps' ? ['rm', '-f', '-v', ...ids] : ['rmi', '-f', ...new Set(ids)], { stdio: 'ignore', timeout: 60000 });
      } catch {
        /* best effort */
      }
    }
  }
}

/** Kills docker child processes still running (on an interrupt). */
export function killRunning(): void {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  running.clear();
}

export function lines(s: string): string[] {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
