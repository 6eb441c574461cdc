/**
 * dockerize-optimize [PATH...]: dry run by default (a unified diff per file), --write applies,
 * --check fails CI when a rewrite is pending, --json for machines, --explain for the reasons.
 * Exit codes: 0 done, 1 changes pending under --check, 2 bad input or usage.
 */
import * as path from 'path';
import type { FileResult, OptimizeOptions, RuntimeChoice, Severity, StackName } from '../types';
import { InputError } from '../types';

export const EXIT_OK = 0;
export const EXIT_PENDING = 1;
export const EXIT_BAD_INPUT = 2;

interface Io {
  /** false: the text is queued (a slow pipe); `drain` resolves once it has gone out. */
  out: (s: string) => void | boolean;
  drain?: () => Promise<void>;
  err: (s: string) => void;
  isTTY: boolean;
  /** Whether stderr is a terminal (progress bar); default false. */
  errTTY?: boolean;
  cwd: string;
}

/** A JSON report in chunks, waiting for a pipe that fills up rather than queueing the whole report in memory. */
async function writeReport(io: Io, report: unknown, depth: number): Promise<void> {
  const { jsonChunks } = await import('../report/stream');
  for (const chunk of jsonChunks(report, depth)) {
    if (io.out(chunk) === false && io.drain) await io.drain();
  }
  io.out('\n');
}

/** A reader that stops early (`| head`) closes the pipe: the rest of the output is dropped quietly, as
 * other command-line tools do, and the exit code stays the run's own. */
let epipeHandled = false;
let stdoutClosed = false;
function quietOnClosedPipe(): void {
  if (epipeHandled) return;
  epipeHandled = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  });
}

const defaultIo = (): Io => (quietOnClosedPipe(), {
  out: (s) => (stdoutClosed ? true : process.stdout.write(s)),
  drain: () =>
    new Promise((resolve) => {
      const done = (): void => {
        process.stdout.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      process.stdout.once('drain', done).once('close', done).once('error', done);
    }),
  err: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY,
  errTTY: !!process.stderr.isTTY,
  cwd: process.cwd(),
});

export interface CliConfig {
  runtime?: RuntimeChoice;
  disable?: string[];
  exclude?: string[];
  dockerignore?: boolean;
  format?: ReportFormat;
  failOn?: Severity | 'none';
  cache?: boolean;
  cacheLocation?: string;
}

function loadConfig(cwd: string): { config: CliConfig; file: string | null } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { cosmiconfigSync } = require('cosmiconfig') as typeof import('cosmiconfig');
  const explorer = cosmiconfigSync('dockerize-optimize', {
    searchPlaces: ['package.json', '.dockerize-optimizerc', '.dockerize-optimizerc.json', '.dockerize-optimizerc.yaml', '.dockerize-optimizerc.yml', 'dockerize-optimize.config.json'],
    // Config files are data: never load a .js config (that would run project code).
    loaders: { '.js': () => null, '.cjs': () => null, '.mjs': () => null, '.ts': () => null },
  });
  const found = explorer.search(cwd);
  return { config: (found?.config as CliConfig) ?? {}, file: found?.filepath ?? null };
}

/** The version from package.json, found from src/ (ts-jest) or dist/src/ (built). */
function toolVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const fs = require('fs') as typeof import('fs');
  for (const rel of ['../../package.json', '../../../package.json']) {
    const p = path.join(__dirname, rel);
    try {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (pkg.name === 'dockerize-optimize') return String(pkg.version);
    } catch {
      /* try the next place */
    }
  }
  return 'unknown';
}

/** A repeatable string flag as a list; rule ids may also be comma-separated (globs may not: {a,b}). */
function listFlag(v: unknown, commas = false): string[] {
  if (v === undefined || v === null) return [];
  return ([] as unknown[])
    .concat(v)
    .flatMap((x) => (commas ? String(x).split(',') : [String(x)]))
    .map((x) => x.trim())
    .filter(Boolean);
}

const RUNTIMES: RuntimeChoice[] = ['auto', 'distroless', 'alpine', 'slim', 'scratch'];
const STACKS: StackName[] = ['node', 'go', 'python', 'rust'];

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const yargs = require('yargs/yargs') as typeof import('yargs/yargs');
  let exit: number | null = null;
  let usageError: string | null = null;
  const parser = yargs(argv)
    .scriptName('dockerize-optimize')
    .usage('$0 [PATH...]\n\nRewrite single-stage Dockerfiles into production multi-stage builds.\nPATH is a Dockerfile or a directory to search (default: .). Dry run unless --write.')
    .command('$0 [paths..]', 'rewrite (dry run unless --write)', (y) => y.positional('paths', { type: 'string', array: true, describe: 'Dockerfiles or directories' }))
    .command('verify [paths..]', 'build and run the original and the rewritten image, and compare them', (y) =>
      y.positional('paths', { type: 'string', array: true, describe: 'Dockerfiles or directories' }).option('rebuild', { type: 'boolean', description: 'measure the rebuild after touching one source file (default: config verify.rebuild, true)' }),
    )
    .option('write', { alias: 'w', type: 'boolean', description: 'apply the changes (atomic; keeps line endings and file mode)' })
    .option('check', { type: 'boolean', description: 'exit 1 when any file would change (for CI)' })
    .option('json', { type: 'boolean', description: 'print a machine-readable report (same as --format json)' })
    .option('format', { choices: FORMATS, description: 'report format: text (diffs), json, sarif (code scanning), markdown (PR comment)' })
    .option('fail-on', { choices: FAIL_ON, description: 'exit 1 when a finding at or above this severity is reported (default none)' })
    .option('jobs', { alias: 'j', type: 'number', description: 'files planned in parallel (default: automatic)' })
    .option('progress', { type: 'boolean', description: 'progress bar on stderr (default: when stderr is a terminal)' })
    .option('explain', { type: 'boolean', description: 'print the rule id and reason of every change' })
    .option('runtime', { choices: RUNTIMES, description: 'runtime base family (default auto)' })
    .option('stack', { choices: STACKS, description: 'override stack detection' })
    .option('context', { type: 'string', description: 'build context directory for a Dockerfile kept elsewhere' })
    .option('exclude', { type: 'string', requiresArg: true, description: 'glob of paths to skip when searching directories (repeatable)' })
    .option('disable', { type: 'string', requiresArg: true, description: 'rule id to switch off (repeatable)' })
    .option('dockerignore', { type: 'boolean', description: 'propose a .dockerignore (default true; --no-dockerignore)' })
    .option('color', { type: 'boolean', description: 'color the diff (default: when stdout is a terminal)' })
    .option('cache', { type: 'boolean', description: 'reuse the plans of Dockerfiles unchanged since the last run, with everything they were planned from' })
    .option('cache-location', { type: 'string', requiresArg: true, description: 'the cache file (default: one per folder run from, under ~/.cache/dockerize-optimize); implies --cache' })
    .example('$0', 'show the rewrite of every Dockerfile below the current directory')
    .example('$0 services/api/Dockerfile --explain', 'show one rewrite and why each change is made')
    .example('$0 --check .', 'in CI: fail when a Dockerfile could be optimized')
    .example('$0 --write --runtime slim .', 'apply, with -slim runtimes')
    .example('$0 --json > report.json', 'machine report with rule ids, lines and the new text')
    .example('$0 --format sarif --fail-on warning . > results.sarif', 'code-scanning report; exit 1 on warnings')
    .example('$0 --exclude legacy --exclude "**/*.dev.Dockerfile" .', 'sweep a monorepo, skipping some paths')
    .example('$0 verify examples/node-express', 'prove a rewrite by building and running both images')
    .strictOptions()
    .version(toolVersion())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = msg || (err ? err.message : 'usage error');
    });
  let args: Record<string, unknown>;
  const writer = { out: '' };
  try {
    args = (await parser.parseAsync(argv, {}, (_e: unknown, _a: unknown, output: string) => {
      writer.out = output;
    })) as Record<string, unknown>;
  } catch (err) {
    usageError = usageError ?? (err as Error).message;
    args = {};
  }
  if (usageError) {
    io.err(`dockerize-optimize: ${usageError}\nRun 'dockerize-optimize --help' for usage.\n`);
    return EXIT_BAD_INPUT;
  }
  if (writer.out) {
    io.out(writer.out + '\n');
    return EXIT_OK;
  }
  if (args.help || args.version) return EXIT_OK;
  const { config, file: configFile } = loadConfig(io.cwd);
  if (config.runtime && !RUNTIMES.includes(config.runtime)) {
    io.err(`dockerize-optimize: ${configFile}: runtime must be one of ${RUNTIMES.join(', ')}\n`);
    return EXIT_BAD_INPUT;
  }
  const paths = ((args.paths as string[] | undefined) ?? []).map((p) => path.resolve(io.cwd, String(p)));
  const command = (args._ as string[] | undefined)?.[0];
  const options: OptimizeOptions = {
    runtime: (args.runtime as RuntimeChoice | undefined) ?? config.runtime ?? 'auto',
    stack: args.stack as StackName | undefined,
    context: args.context === undefined ? undefined : path.resolve(io.cwd, String(args.context)),
    disable: [...(config.disable ?? []), ...listFlag(args.disable, true)],
    dockerignore: (args.dockerignore as boolean | undefined) ?? config.dockerignore ?? true,
  };
  if (command === 'verify') return runVerifyCommand(paths, options, args, io);
  const jobs = args.jobs === undefined ? undefined : Number(args.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
    io.err('dockerize-optimize: --jobs must be a whole number of at least 1\n');
    return EXIT_BAD_INPUT;
  }
  const format = (args.format as ReportFormat | undefined) ?? (args.json ? 'json' : config.format ?? 'text');
  if (!FORMATS.includes(format) || (args.json && args.format && args.format !== 'json')) {
    io.err(`dockerize-optimize: ${args.json && args.format ? '--json and --format disagree' : `format must be one of ${FORMATS.join(', ')}`}\n`);
    return EXIT_BAD_INPUT;
  }
  if ((config.cache !== undefined && typeof config.cache !== 'boolean') || (config.cacheLocation !== undefined && typeof config.cacheLocation !== 'string')) {
    io.err(`dockerize-optimize: ${configFile}: cache must be true or false, cacheLocation a path\n`);
    return EXIT_BAD_INPUT;
  }
  const failOn = (args['fail-on'] as RewriteFlags['failOn'] | undefined) ?? config.failOn;
  if (failOn !== undefined && !(FAIL_ON as readonly string[]).includes(failOn)) {
    io.err(`dockerize-optimize: ${configFile}: failOn must be one of ${FAIL_ON.join(', ')}\n`);
    return EXIT_BAD_INPUT;
  }
  return runRewrite(
    paths,
    options,
    {
      write: !!args.write,
      check: !!args.check,
      format,
      explain: !!args.explain,
      color: (args.color as boolean | undefined) ?? io.isTTY,
      exclude: [...(config.exclude ?? []), ...listFlag(args.exclude)],
      jobs,
      progress: (args.progress as boolean | undefined) ?? !!io.errTTY,
      failOn,
      cache: ((args.cache as boolean | undefined) ?? config.cache ?? false) || args['cache-location'] !== undefined ? String(args['cache-location'] ?? config.cacheLocation ?? '') : undefined,
    },
    io,
  );
}

export type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown';
const FORMATS: ReportFormat[] = ['text', 'json', 'sarif', 'markdown'];
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;

interface RewriteFlags {
  write: boolean;
  check: boolean;
  format: ReportFormat;
  explain: boolean;
  color: boolean;
  exclude: string[];
  /** Worker threads (undefined: automatic). */
  jobs?: number;
  /** Progress bar on stderr (when it is a terminal). */
  progress: boolean;
  /** Exit 1 when a finding at or above this severity is reported. */
  failOn?: Severity | 'none';
  /** With --cache: the cache file, '' for the default one. */
  cache?: string;
}

function describeError(err: unknown): { file: string; line?: number; message: string } {
  if (err instanceof InputError) return { file: err.file, line: err.line, message: err.reason };
  return { file: '', message: (err as Error).message };
}

export async function runRewrite(paths: string[], options: OptimizeOptions, flags: RewriteFlags, io: Io): Promise<number> {
  const { discover } = await import('../discovery');
  const { sweep } = await import('../sweep');
  let files;
  try {
    files = discover(paths.length ? paths : [io.cwd], { exclude: flags.exclude, stopAt: options.context ? undefined : io.cwd });
  } catch (err) {
    const e = describeError(err);
    io.err(`dockerize-optimize: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (files.length === 0) {
    io.err(`dockerize-optimize: no Dockerfile found in ${paths.length ? paths.join(', ') : '.'}\n`);
    return EXIT_BAD_INPUT;
  }
  if (options.context && files.length > 1) {
    io.err('dockerize-optimize: --context applies to one Dockerfile; name a single file\n');
    return EXIT_BAD_INPUT;
  }
  const { progressBar } = await import('../report/summary');
  const bar = flags.progress && files.length > 1 ? progressBar(io.err) : null;
  let cache: import('../cache').ResultCache | undefined;
  if (flags.cache !== undefined) {
    const { ResultCache, defaultCacheFile } = await import('../cache');
    cache = ResultCache.open(flags.cache ? path.resolve(io.cwd, flags.cache) : defaultCacheFile(io.cwd));
  }
  const items = await sweep(files, options, { jobs: flags.jobs ?? autoJobs(files.length), onProgress: bar ? (d, t) => bar.update(d, t) : undefined, cache });
  bar?.done();
  if (cache) {
    try {
      cache.save();
    } catch (err) {
      // The run's answer stands; only the next run is slower.
      io.err(`dockerize-optimize: ${cache.file}: cache not saved: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    }
    if (flags.format === 'text' || flags.progress) {
      io.err(`dockerize-optimize: cache: ${cache.hits} of ${files.length} plan(s) reused${cache.discarded ? ` (the cache file was ${cache.discarded}: set aside)` : ''}\n`);
    }
  }
  const results: FileResult[] = [];
  const errors: { file: string; line?: number; message: string }[] = [];
  for (const it of items) {
    if (it.ok) results.push(it.result);
    else errors.push(it.error);
  }
  // Dockerfiles sharing a context share its .dockerignore: propose one that is safe for all of them.
  const { reconcileSharedSideFiles } = await import('../sweep');
  reconcileSharedSideFiles(results);
  for (const e of errors) io.err(`dockerize-optimize: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
  const written = new Set<FileResult>();
  if (flags.write) {
    const { writeResult } = await import('../write');
    for (const r of results) {
      if (!r.changed) continue;
      try {
        await writeResult(r);
        written.add(r);
      } catch (err) {
        errors.push({ file: r.path, message: `not written: ${(err as Error).message}` });
        io.err(`dockerize-optimize: ${r.path}: not written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      }
    }
  }
  const format = flags.format;
  if (format === 'json') {
    const { jsonReport } = await import('../report/json');
    await writeReport(io, jsonReport(results, errors, io.cwd, files), 3);
  } else if (format === 'sarif') {
    const { sarifReport } = await import('../report/sarif');
    await writeReport(io, sarifReport(results, errors, io.cwd, toolVersion()), 4);
  } else if (format === 'markdown') {
    const { markdownReport } = await import('../report/markdown');
    io.out(markdownReport(results, errors, io.cwd, { written: flags.write }));
  } else {
    const { resultDiff, colorize } = await import('../report/diff');
    const { explain } = await import('../report/text');
    const shownSideFiles = new Set<string>();
    for (const r of results) {
      const d = resultDiff(r, io.cwd, shownSideFiles);
      if (d && !flags.write) io.out(flags.color ? colorize(d) : d);
      if (flags.explain) io.out(explain(r, io.cwd));
    }
    const changed = results.filter((r) => r.changed);
    if (results.length + errors.length > 1) {
      const { summaryTable } = await import('../report/summary');
      io.err(summaryTable(results, errors, io.cwd));
    }
    if (flags.write) io.err(`dockerize-optimize: ${written.size} of ${results.length} file(s) rewritten${errors.length ? `, ${errors.length} failed` : ''}\n`);
    else if (!flags.explain && changed.length === 0) io.err(`dockerize-optimize: ${results.length} file(s) checked, nothing to change${errors.length ? `, ${errors.length} failed` : ''}\n`);
  }
  if (errors.length) return EXIT_BAD_INPUT;
  if (flags.check && !flags.write && results.some((r) => r.changed)) return EXIT_PENDING;
  if (flags.failOn && flags.failOn !== 'none') {
    const { atOrAbove } = await import('../report/summary');
    if (results.some((r) => r.findings.some((f) => atOrAbove(f.severity, flags.failOn as Severity)))) return EXIT_PENDING;
  }
  return EXIT_OK;
}

/**
 * Worker threads by default only for large sweeps on more than 2 CPUs: each worker loads and warms
 * the pipeline (~100 ms and its own heap). On this project's shared 2-core machine two workers were
 * 1.9x faster than one thread in one 10,000-file run and 0.7x in two others (bench/README.md);
 * `--jobs 2` is there for a 2-core machine that is otherwise idle.
 */
export function autoJobs(files: number): number {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const os = require('os') as typeof import('os');
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  return files >= 1000 && cpus > 2 ? Math.min(cpus - 1, 4) : 1;
}

async function runVerifyCommand(paths: string[], options: OptimizeOptions, args: Record<string, unknown>, io: Io): Promise<number> {
  const { discover } = await import('../discovery');
  const { optimizeFile } = await import('../api');
  let verify: typeof import('../verify');
  try {
    verify = await import('../verify');
  } catch (err) {
    io.err(`dockerize-optimize: verify is not available: ${(err as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  let files;
  try {
    files = discover(paths.length ? paths : [io.cwd], {});
  } catch (err) {
    const e = describeError(err);
    io.err(`dockerize-optimize: ${e.file}: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (files.length === 0) {
    io.err('dockerize-optimize: no Dockerfile found\n');
    return EXIT_BAD_INPUT;
  }
  let failed = false;
  let badInput = false;
  const reports: unknown[] = [];
  for (const f of files) {
    let r: FileResult;
    try {
      r = optimizeFile(f.file, { ...options, context: options.context ?? f.context });
    } catch (err) {
      const e = describeError(err);
      io.err(`dockerize-optimize: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
      badInput = true;
      continue;
    }
    let report;
    try {
      report = await verify.runVerify({
        dockerfile: path.resolve(f.file),
        context: r.context,
        rewritten: r.output,
        // A side file already on disk with the same text is in the context copy as it is.
        sideFiles: r.sideFiles.filter((s) => s.original !== s.output).map((s) => ({ relPath: path.relative(r.context, s.path), content: s.output })),
        stack: r.stack,
        runtimeBase: r.runtimeBase,
        declined: r.skipped,
        rebuild: args.rebuild as boolean | undefined,
        log: (line) => io.err(`dockerize-optimize verify: ${line}\n`),
      });
    } catch (err) {
      if (verify.isDockerUnavailable(err) || err instanceof verify.VerifyConfigError) {
        io.err(`dockerize-optimize: ${(err as Error).message}\n`);
        return EXIT_BAD_INPUT;
      }
      // e.g. an unreadable file in the build context: nothing was built, nothing is left.
      io.err(`dockerize-optimize: ${f.file}: verify could not run: ${(err as Error).message}\n`);
      badInput = true;
      continue;
    }
    reports.push(report);
    if (!args.json) io.out(verify.formatVerifyTable(report) + '\n');
    if (!report.ok) failed = true;
  }
  if (args.json) io.out(JSON.stringify({ tool: 'dockerize-optimize', verify: reports }, null, 2) + '\n');
  return badInput ? EXIT_BAD_INPUT : failed ? 1 : EXIT_OK;
}
