/**
 * verify: build the original and the rewritten Dockerfile in temporary copies of the context, run
 * both with the same probe, and compare them (size, layers, user, ports, env keys, entrypoint/cmd,
 * the rebuild after touching one source file). Everything it creates carries the label
 * dockerize-optimize.verify=<runId> and is removed in the end, also on SIGINT/SIGTERM.
 *
 * Modules: docker (CLI wrapper), config (the verify section), build (temp contexts, builds, step
 * counts), inspect (image facts), probe (HTTP / command), compare (the verdict), table (the text).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildResult, buildImage, pickTouchFile, prepareContexts, touchSource } from './build';
import { declaredEnvKeys, judge, Side } from './compare';
import { loadVerifyConfig, VerifyConfig } from './config';
import { Docker, DockerSetupError, DockerUnavailableError, killRunning, lacksBuildKit } from './docker';
import { ImageFacts, inspectImage } from './inspect';
import { probeCommand, probeHttp } from './probe';

export { DockerUnavailableError, DockerSetupError } from './docker';
export { VerifyConfigError, parseVerifyConfig, loadVerifyConfig } from './config';
export type { VerifyConfig } from './config';
export { formatVerifyTable } from './table';

export const VERIFY_LABEL = 'dockerize-optimize.verify';

export interface VerifyInput {
  dockerfile: string;
  context: string;
  /** The rewritten Dockerfile text. */
  rewritten: string;
  /** Side files (.dockerignore) with paths relative to the context. */
  sideFiles: { relPath: string; content: string }[];
  stack?: string;
  runtimeBase?: string | null;
  /** Set when the multi-stage rewrite was declined (only cross-cutting rules ran): why. */
  declined?: string;
  /** Default: loaded from the config file nearest to the Dockerfile. */
  config?: VerifyConfig;
  /** Override config.rebuild. */
  rebuild?: boolean;
  buildTimeoutSeconds?: number;
  /** Test hook: change the rewritten text before it is built (e.g. to break it on purpose). */
  mutateRewritten?: (text: string) => string;
  docker?: Docker;
  runId?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface VerifyReport {
  dockerfile: string;
  context: string;
  runId: string;
  label: string;
  stack?: string;
  runtimeBase?: string | null;
  ok: boolean;
  /** Why the rewrite failed verification (exit 1). */
  problems: string[];
  notes: string[];
  /** Set when there was nothing to verify. */
  skipped?: string;
  configFile: string | null;
  probe: { kind: 'http' | 'command' | 'auto'; port?: number; path?: string; args?: string[]; expectStatus?: number };
  minRatio?: number;
  ratio?: number;
  original: Side;
  rewritten: Side;
  /** What carried the run's label after cleanup (should be empty), and new dangling images it made. */
  leftBehind?: { containers: string[]; images: string[]; dangling: string[] };
}

function firstTcpPort(image: ImageFacts | undefined): number | undefined {
  const ports = (image?.exposedPorts ?? [])
    .filter((p) => p.endsWith('/tcp') || !p.includes('/'))
    .map((p) => Number(p.split('/')[0]))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
  return ports[0];
}

export async function runVerify(input: VerifyInput): Promise<VerifyReport> {
  const docker = input.docker ?? new Docker();
  const runId = input.runId ?? crypto.randomBytes(5).toString('hex');
  const label = `${VERIFY_LABEL}=${runId}`;
  const log = input.log ?? (() => undefined);
  const dockerfile = path.resolve(input.dockerfile);
  const loaded = input.config ? { config: input.config, file: null } : loadVerifyConfig(path.dirname(dockerfile));
  const config = loaded.config;
  const report: VerifyReport = {
    dockerfile,
    context: path.resolve(input.context),
    runId,
    label,
    stack: input.stack,
    runtimeBase: input.runtimeBase,
    ok: false,
    problems: [],
    notes: [],
    configFile: loaded.file,
    probe: { kind: config.probe.kind },
    minRatio: config.minRatio,
    original: {},
    rewritten: {},
  };
  const original = fs.readFileSync(dockerfile, 'utf8');
  const rewritten = input.mutateRewritten ? input.mutateRewritten(input.rewritten) : input.rewritten;
  if (rewritten === original && input.sideFiles.length === 0) {
    report.ok = true;
    report.skipped = `nothing rewritten${input.declined ? `: ${input.declined}` : ''}`;
    return report;
  }
  await docker.ping();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dzo-verify-${runId}-`));
  const onSignal = (sig: NodeJS.Signals) => {
    killRunning();
    docker.removeLabelledSync(label);
    fs.rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`dockerize-optimize verify: interrupted (${sig}); removed what run ${runId} created\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const danglingBefore = new Set(await docker.danglingImages());
  const timeout = input.buildTimeoutSeconds ?? 1800;
  try {
    const ctx = prepareContexts(tmp, { dockerfile, context: input.context, original, rewritten, sideFiles: input.sideFiles });
    const tags = { orig: `dzo-verify-${runId}-orig`, rewritten: `dzo-verify-${runId}-rewritten` };
    log(`building the original (${path.relative(process.cwd(), dockerfile) || dockerfile})`);
    report.original.build = await buildImage(docker, { ...ctx.orig, tag: tags.orig, label, timeoutSeconds: timeout, buildArgs: config.buildArgs });
    if (lacksBuildKit(report.original.build.error)) throw new DockerSetupError(`${docker.bin} cannot build with BuildKit (the buildx component is missing); set DOCKER to a client that can, e.g. /usr/bin/docker`);
    log(`building the rewritten Dockerfile`);
    report.rewritten.build = await buildImage(docker, { ...ctx.rewritten, tag: tags.rewritten, label, timeoutSeconds: timeout, buildArgs: config.buildArgs });
    if (report.original.build.ok) report.original.image = await inspectImage(docker, tags.orig);
    if (report.rewritten.build.ok) report.rewritten.image = await inspectImage(docker, tags.rewritten);

    // The probe: configured, or HTTP on the first exposed port, or the command's output.
    const p = config.probe;
    const port = p.kind === 'http' && p.port !== undefined ? p.port : firstTcpPort(report.original.image ?? report.rewritten.image);
    const http = p.kind === 'http' || (p.kind === 'auto' && port !== undefined);
    if (http && port === undefined) report.problems.push('verify.probe has no port and the image exposes none');
    const urlPath = p.kind === 'command' ? '/' : p.path;
    const args = p.kind === 'command' ? p.args : [];
    report.probe = http ? { kind: 'http', port, path: urlPath, expectStatus: p.kind === 'http' ? p.expectStatus : undefined } : { kind: 'command', args };
    for (const which of ['original', 'rewritten'] as const) {
      const side = report[which];
      if (!side.build?.ok || (http && port === undefined)) continue;
      const image = which === 'original' ? tags.orig : tags.rewritten;
      const name = `dzo-verify-${runId}-${which}`;
      log(`probing the ${which} image (${http ? `GET ${urlPath} on port ${port}` : 'command output'})`);
      side.probe = http
        ? await probeHttp(docker, { image, name, label, port: port!, path: urlPath, timeoutSeconds: p.timeoutSeconds, env: p.env })
        : await probeCommand(docker, { image, name, label, args, timeoutSeconds: p.timeoutSeconds, env: p.env });
    }

    // The cache-order payoff: touch one source file and build both again.
    if ((input.rebuild ?? config.rebuild) && report.original.build.ok && report.rewritten.build.ok) {
      const touched = config.touch ?? pickTouchFile(ctx.orig.context, input.stack ?? 'unknown');
      if (!touched || !fs.existsSync(path.join(ctx.orig.context, touched))) report.notes.push(touched ? `verify.touch ${touched} does not exist; rebuild not measured` : 'no source file found to touch; rebuild not measured');
      else {
        for (const which of ['original', 'rewritten'] as const) {
          const c = which === 'original' ? ctx.orig : ctx.rewritten;
          touchSource(path.join(c.context, touched), runId);
          log(`rebuilding the ${which} after touching ${touched}`);
          const b: BuildResult = await buildImage(docker, { ...c, tag: `${which === 'original' ? tags.orig : tags.rewritten}-rebuild`, label, timeoutSeconds: timeout, buildArgs: config.buildArgs });
          report[which].rebuild = { ...b, touched };
        }
      }
    }
    const v = judge(report.original, report.rewritten, {
      expectStatus: p.kind === 'http' ? p.expectStatus : undefined,
      compareBody: p.kind === 'http' ? p.compareBody : true,
      minRatio: config.minRatio,
      declined: input.declined,
      declaredEnv: declaredEnvKeys(original, dockerfile),
    });
    report.problems.push(...v.problems);
    report.notes.push(...v.notes);
    report.ratio = v.ratio;
    report.ok = report.problems.length === 0;
    return report;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    const left = await docker.removeLabelled(label);
    const dangling: string[] = [];
    for (const id of await docker.danglingImages()) {
      if (danglingBefore.has(id)) continue;
      // Only count what this run made: dangling images carrying its label.
      const r = await docker.exec(['image', 'inspect', '-f', `{{index .Config.Labels "${VERIFY_LABEL}"}}`, id]);
      if (r.stdout.trim() === runId) dangling.push(id);
    }
    if (dangling.length) await docker.exec(['rmi', '-f', ...dangling]);
    report.leftBehind = { ...left, dangling };
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The CLI's exit code for a set of reports: 0 all good, 1 a rewritten image failed. */
export function verifyExitCode(reports: VerifyReport[]): number {
  return reports.every((r) => r.ok) ? 0 : 1;
}

/** No engine, or a client that cannot build with BuildKit: exit 2 with the message. */
export const isDockerUnavailable = (err: unknown): err is DockerUnavailableError | DockerSetupError => err instanceof DockerUnavailableError || err instanceof DockerSetupError;
