/**
 * The `verify` section of the config file (.dockerize-optimizerc.json and friends), read as data.
 *
 *   { "verify": {
 *       "probe": { "port": 3000, "path": "/", "expectStatus": 200, "compareBody": true, "timeoutSeconds": 60,
 *                  "env": { "KEY": "value" } }            // an HTTP service
 *              | { "command": true | ["--flag", ...], "timeoutSeconds": 60 },   // a command-line app
 *       "minRatio": 5,          // the rewritten image must be at least this many times smaller
 *       "rebuild": true,        // measure the rebuild after touching one source file
 *       "touch": "src/app.js",  // which file to touch (default: picked by stack)
 *       "buildArgs": { "NAME": "value" }   // --build-arg for both builds
 *   } }
 *
 * Without a probe, the port is the original image's first EXPOSEd port; with none, the app is run
 * as a command and its output and exit code are compared.
 */
import * as path from 'path';

export interface HttpProbe {
  kind: 'http';
  /** Container port; undefined = the original image's first exposed port. */
  port?: number;
  path: string;
  expectStatus?: number;
  compareBody: boolean;
  timeoutSeconds: number;
  env: Record<string, string>;
}

export interface CommandProbe {
  kind: 'command';
  /** Arguments appended to `docker run IMAGE` (they replace CMD, as docker run does). */
  args: string[];
  timeoutSeconds: number;
  env: Record<string, string>;
}

/** 'auto': HTTP on the first exposed port, or a command when nothing is exposed. */
export type Probe = HttpProbe | CommandProbe | { kind: 'auto'; path: string; timeoutSeconds: number; env: Record<string, string> };

export interface VerifyConfig {
  probe: Probe;
  /** --build-arg for both builds. */
  buildArgs?: Record<string, string>;
  minRatio?: number;
  rebuild: boolean;
  touch?: string;
}

export class VerifyConfigError extends Error {
  constructor(
    public file: string,
    public reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'VerifyConfigError';
  }
}

export const DEFAULT_TIMEOUT_SECONDS = 60;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the raw `verify` value of a config file; `file` names it in errors. */
export function parseVerifyConfig(raw: unknown, file = 'config'): VerifyConfig {
  const bad = (reason: string): never => {
    throw new VerifyConfigError(file, reason);
  };
  if (raw === undefined || raw === null) return { probe: { kind: 'auto', path: '/', timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, env: {} }, rebuild: true };
  if (!isObj(raw)) bad('verify must be an object');
  const v = raw as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!['probe', 'minRatio', 'rebuild', 'touch', 'buildArgs'].includes(k)) bad(`verify.${k} is not a known setting (probe, minRatio, rebuild, touch, buildArgs)`);
  const cfg: VerifyConfig = { probe: { kind: 'auto', path: '/', timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, env: {} }, rebuild: true };
  if (v.minRatio !== undefined) {
    if (typeof v.minRatio !== 'number' || !(v.minRatio > 0)) bad('verify.minRatio must be a positive number');
    cfg.minRatio = v.minRatio as number;
  }
  if (v.rebuild !== undefined) {
    if (typeof v.rebuild !== 'boolean') bad('verify.rebuild must be true or false');
    cfg.rebuild = v.rebuild as boolean;
  }
  if (v.touch !== undefined) {
    if (typeof v.touch !== 'string' || !v.touch || path.isAbsolute(v.touch) || v.touch.split(/[\\/]/).includes('..')) bad('verify.touch must be a relative path inside the build context');
    cfg.touch = v.touch as string;
  }
  if (v.buildArgs !== undefined) {
    if (!isObj(v.buildArgs)) bad('verify.buildArgs must be an object of strings');
    cfg.buildArgs = {};
    for (const [k, val] of Object.entries(v.buildArgs as Record<string, unknown>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof val !== 'string') bad(`verify.buildArgs.${k} must be a string under a valid ARG name`);
      cfg.buildArgs[k] = val as string;
    }
  }
  if (v.probe === undefined) return cfg;
  if (!isObj(v.probe)) bad('verify.probe must be an object');
  const p = v.probe as Record<string, unknown>;
  const known = ['port', 'path', 'expectStatus', 'compareBody', 'command', 'timeoutSeconds', 'env'];
  for (const k of Object.keys(p)) if (!known.includes(k)) bad(`verify.probe.${k} is not a known setting (${known.join(', ')})`);
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (p.timeoutSeconds !== undefined) {
    if (typeof p.timeoutSeconds !== 'number' || !(p.timeoutSeconds > 0) || p.timeoutSeconds > 3600) bad('verify.probe.timeoutSeconds must be a number of seconds between 0 and 3600');
    timeoutSeconds = p.timeoutSeconds as number;
  }
  const env: Record<string, string> = {};
  if (p.env !== undefined) {
    if (!isObj(p.env)) bad('verify.probe.env must be an object of strings');
    for (const [k, val] of Object.entries(p.env as Record<string, unknown>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof val !== 'string') bad(`verify.probe.env.${k} must be a string under a valid variable name`);
      env[k] = val as string;
    }
  }
  if (p.command !== undefined && p.command !== false) {
    for (const k of ['port', 'path', 'expectStatus', 'compareBody']) if (p[k] !== undefined) bad(`verify.probe.${k} does not apply to a command probe`);
    let args: string[] = [];
    if (Array.isArray(p.command)) {
      if (!p.command.every((a) => typeof a === 'string')) bad('verify.probe.command must be true or an array of strings (the arguments)');
      args = p.command as string[];
    } else if (p.command !== true) bad('verify.probe.command must be true or an array of strings (the arguments)');
    cfg.probe = { kind: 'command', args, timeoutSeconds, env };
    return cfg;
  }
  let port: number | undefined;
  if (p.port !== undefined) {
    if (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) bad('verify.probe.port must be a port number (1-65535)');
    port = p.port as number;
  }
  let urlPath = '/';
  if (p.path !== undefined) {
    if (typeof p.path !== 'string' || !p.path.startsWith('/')) bad('verify.probe.path must be a string starting with /');
    urlPath = p.path as string;
  }
  let expectStatus: number | undefined;
  if (p.expectStatus !== undefined) {
    if (typeof p.expectStatus !== 'number' || !Number.isInteger(p.expectStatus) || p.expectStatus < 100 || p.expectStatus > 599) bad('verify.probe.expectStatus must be an HTTP status (100-599)');
    expectStatus = p.expectStatus as number;
  }
  let compareBody = true;
  if (p.compareBody !== undefined) {
    if (typeof p.compareBody !== 'boolean') bad('verify.probe.compareBody must be true or false');
    compareBody = p.compareBody as boolean;
  }
  cfg.probe = { kind: 'http', port, path: urlPath, expectStatus, compareBody, timeoutSeconds, env };
  return cfg;
}

/** Finds the config file nearest to `dir` (same search places as the rewrite) and parses its verify section. */
export function loadVerifyConfig(dir: string): { config: VerifyConfig; file: string | null } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { cosmiconfigSync } = require('cosmiconfig') as typeof import('cosmiconfig');
  const explorer = cosmiconfigSync('dockerize-optimize', {
    searchPlaces: ['package.json', '.dockerize-optimizerc', '.dockerize-optimizerc.json', '.dockerize-optimizerc.yaml', '.dockerize-optimizerc.yml', 'dockerize-optimize.config.json'],
    // Config files are data: never load a .js config.
    loaders: { '.js': () => null, '.cjs': () => null, '.mjs': () => null, '.ts': () => null },
  });
  let found;
  try {
    found = explorer.search(dir);
  } catch (err) {
    throw new VerifyConfigError(dir, `config not readable: ${(err as Error).message}`);
  }
  const file = found?.filepath ?? null;
  const raw = found?.config && typeof found.config === 'object' ? (found.config as Record<string, unknown>).verify : undefined;
  return { config: parseVerifyConfig(raw, file ?? dir), file };
}
