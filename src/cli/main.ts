/**
 * dockerize-optimize [PATH...]: dry run by default (a unified diff per file), --write applies,
 * --check fails CI when a rewrite is pending, --json for machines, --explain for the reasons.
 * Exit codes: 0 done, 1 changes pending under --check, 2 bad input or usage.
 */
import * as path from 'path';
import type { FileResult, OptimizeOptions, RuntimeChoice, StackName } from '../types';
import { InputError } from '../types';

export const EXIT_OK = 0;
export const EXIT_PENDING = 1;
export const EXIT_BAD_INPUT = 2;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  cwd: string;
}

const defaultIo = (): Io => ({
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY,
  cwd: process.cwd(),
});

export interface CliConfig {
  runtime?: RuntimeChoice;
  disable?: string[];
  exclude?: string[];
  dockerignore?: boolean;
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
    .option('json', { type: 'boolean', description: 'print a machine-readable report' })
    .option('explain', { type: 'boolean', description: 'print the rule id and reason of every change' })
    .option('runtime', { choices: RUNTIMES, description: 'runtime base family (default auto)' })
    .option('stack', { choices: STACKS, description: 'override stack detection' })
    .option('context', { type: 'string', description: 'build context directory for a Dockerfile kept elsewhere' })
    .option('exclude', { type: 'array', string: true, description: 'glob of paths to skip when searching directories' })
    .option('disable', { type: 'array', string: true, description: 'rule ids to switch off' })
    .option('dockerignore', { type: 'boolean', description: 'propose a .dockerignore (default true; --no-dockerignore)' })
    .option('color', { type: 'boolean', description: 'color the diff (default: when stdout is a terminal)' })
    .example('$0', 'show the rewrite of every Dockerfile below the current directory')
    .example('$0 services/api/Dockerfile --explain', 'show one rewrite and why each change is made')
    .example('$0 --check .', 'in CI: fail when a Dockerfile could be optimized')
    .example('$0 --write --runtime slim .', 'apply, with -slim runtimes')
    .example('$0 --json > report.json', 'machine report with rule ids, lines and the new text')
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
    disable: [...(config.disable ?? []), ...((args.disable as string[] | undefined) ?? [])],
    dockerignore: (args.dockerignore as boolean | undefined) ?? config.dockerignore ?? true,
  };
  if (command === 'verify') return runVerifyCommand(paths, options, args, io);
  return runRewrite(paths, options, { write: !!args.write, check: !!args.check, json: !!args.json, explain: !!args.explain, color: (args.color as boolean | undefined) ?? io.isTTY, exclude: [...(config.exclude ?? []), ...((args.exclude as string[] | undefined) ?? [])] }, io);
}

interface RewriteFlags {
  write: boolean;
  check: boolean;
  json: boolean;
  explain: boolean;
  color: boolean;
  exclude: string[];
}

function describeError(err: unknown): { file: string; line?: number; message: string } {
  if (err instanceof InputError) return { file: err.file, line: err.line, message: err.reason };
  return { file: '', message: (err as Error).message };
}

export async function runRewrite(paths: string[], options: OptimizeOptions, flags: RewriteFlags, io: Io): Promise<number> {
  const { discover } = await import('../discovery');
  const { optimizeFile } = await import('../api');
  const { resultDiff, colorize } = await import('../report/diff');
  const { explain } = await import('../report/text');
  const errors: { file: string; line?: number; message: string }[] = [];
  let files;
  try {
    files = discover(paths.length ? paths : [io.cwd], { exclude: flags.exclude });
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
  const results: FileResult[] = [];
  for (const f of files) {
    try {
      results.push(optimizeFile(f.file, { ...options, context: options.context ?? f.context }));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      errors.push(describeError(err));
    }
  }
  for (const e of errors) io.err(`dockerize-optimize: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
  if (flags.write) {
    const { writeResult } = await import('../write');
    for (const r of results) {
      if (!r.changed) continue;
      try {
        await writeResult(r);
      } catch (err) {
        errors.push({ file: r.path, message: `not written: ${(err as Error).message}` });
        io.err(`dockerize-optimize: ${r.path}: not written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      }
    }
  }
  if (flags.json) {
    const { jsonReport } = await import('../report/json');
    io.out(JSON.stringify(jsonReport(results, errors, io.cwd), null, 2) + '\n');
  } else {
    for (const r of results) {
      const d = resultDiff(r, io.cwd);
      if (d && !flags.write) io.out(flags.color ? colorize(d) : d);
      if (flags.explain) io.out(explain(r, io.cwd));
    }
    const changed = results.filter((r) => r.changed);
    if (flags.write) io.err(`dockerize-optimize: ${changed.length} of ${results.length} file(s) rewritten\n`);
    else if (!flags.explain && changed.length === 0) io.err(`dockerize-optimize: ${results.length} file(s) checked, nothing to change\n`);
  }
  if (errors.length) return EXIT_BAD_INPUT;
  if (flags.check && !flags.write && results.some((r) => r.changed)) return EXIT_PENDING;
  return EXIT_OK;
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
