/**
 * Rust: split a single-stage `FROM rust:*` Dockerfile into a `build` stage (the original steps on the
 * original image, the cargo build with BuildKit cache mounts and `--locked`) and a `runtime` stage that
 * gets only the binary the container runs (plus the files the original ran beside it) on
 * gcr.io/distroless/cc-debian13:nonroot, a static musl build on scratch when asked, or Debian slim
 * when the binary links libraries distroless lacks. See README.md beside this file.
 */
import * as path from 'path';
import { nextWorkdir, resolveDir, takeRuntimeInstruction } from '../common/instructions';
import { heading } from '../../templates/stages';
import type { Instruction } from '../../src/model/parse';
import { isRootUser } from '../../src/model/user';
import { parseImage, tagVariant, tagVersion } from '../../src/model/image';
import { jsonForm, runLines } from '../../src/model/print';
import { decline, Ecosystem, TransformInput, TransformResult } from '../../src/plan/ecosystem';
import { Plan, PlanStage, preserved, styleOf } from '../../src/plan/plan';
import { effectiveName, flagValue, hasFlag, parseShell, positionals, quoteWord, ShellCommand } from '../../src/shell';
import type { Change, Finding } from '../../src/types';
import { instructionArgv } from '../common/command';
import { planDockerignore } from '../common/dockerignore';
import { healthCommand, healthTools } from '../common/healthcheck';
import { classifyOsPackages, osInstallOf } from '../common/ospackages';
import { CargoFacts, IN_DISTROLESS_CC, readCargoFacts, SYS_RUNTIME_PACKAGES } from './facts';
import { copyOperands } from '../common/copy';

export const RULES = {
  stages: 'RUST-STAGES',
  runtime: 'RUST-RUNTIME',
  locked: 'RUST-LOCKED',
  cache: 'RUST-CACHE-MOUNT',
  binary: 'RUST-BINARY',
  cmd: 'RUST-CMD',
  files: 'RUST-RUNTIME-FILES',
  user: 'RUST-NONROOT',
  musl: 'RUST-MUSL-STATIC',
  native: 'RUST-NATIVE-LIBS',
  profile: 'RUST-PROFILE',
} as const;

export const CC_RUNTIME = 'gcr.io/distroless/cc-debian13:nonroot';
export const STATIC_RUNTIME = 'gcr.io/distroless/static-debian13:nonroot';
const CARGO_HOME = '/usr/local/cargo';
/** Where the build stage leaves the binary when target/ is a cache mount (it is gone after the RUN). */
const OUT_DIR = '/out';

/** Context entries that only the build reads: never needed beside the binary. */
const BUILD_ONLY_ENTRIES = [
  /^Cargo\.(toml|lock)$/, /^src$/, /^benches$/, /^tests$/, /^examples$/, /^build\.rs$/, /^target$/, /^\.cargo$/,
  /^rust-toolchain(\.toml)?$/, /^\.?rustfmt\.toml$/, /^\.?clippy\.toml$/, /^deny\.toml$/, /^\.git/, /^\.github$/,
  /^\.vscode$/, /^\.idea$/, /^Dockerfile/, /\.Dockerfile$/, /^\.dockerignore$/, /^docker-compose/, /^compose\./,
  /\.md$/i, /^LICEN[CS]E/i, /^COPYRIGHT/i, /^\.dockerize-optimizerc/, /^\.editorconfig$/, /^\.env/, /^\.pre-commit/,
  /^Makefile$/, /^justfile$/i, /^\.travis\.yml$/, /^\.gitlab-ci\.yml$/, /^codecov\.yml$/, /^release\.toml$/,
  /^CHANGELOG/i, /^\.cargo_vcs_info\.json$/, /^Cargo\.toml\.orig$/,
];

interface CopyStep {
  ins: Instruction;
  sources: string[];
  dest: string;
  /** The destination resolved against the WORKDIR in force at the COPY. */
  destAbs: string;
}

/** One `cargo build`/`cargo install` of the original. */
interface CargoStep {
  ins: Instruction;
  command: ShellCommand;
  verb: 'build' | 'install';
  packages: string[];
  bins: string[];
  allBins: boolean;
  workspace: boolean;
  profileDir: string;
  release: boolean;
  target: string | null;
  targetDir: string;
  locked: boolean;
  /** cargo install: the --path and --root. */
  installPath: string | null;
  installRoot: string;
}

interface Analysis {
  workdir: string;
  copies: CopyStep[];
  builds: CargoStep[];
  /** Instructions of the build stage, in order (USER and run-time-only ones left out). */
  builder: Instruction[];
  /** Kept verbatim in the runtime, in order: ENV, ARG, LABEL, EXPOSE, STOPSIGNAL, VOLUME, HEALTHCHECK. */
  kept: Instruction[];
  user: Instruction | null;
  entrypoint: Instruction | null;
  cmd: Instruction | null;
  healthcheck: Instruction | null;
  /** `cp`/`mv` of a built binary: destination path -> binary name. */
  moved: Map<string, string>;
  /** `mv` of a built binary out of target/: binary name -> its new path. */
  mvDest: Map<string, string>;
  /** OS packages the runtime needs (run-time libraries of -dev packages the original installed). */
  runtimeOs: string[];
  /** An instruction after the build reads target/: the target dir cannot be a cache mount. */
  targetReadLater: boolean;
  /** Files written before the build (the dummy main.rs trick): the target dir cannot be a cache mount. */
  dummyBuild: boolean;
  env: Record<string, string>;
  /** `cargo install <crate>` of tools from a registry, kept in the build stage. */
  tools: string[];
  /** The build step was added for a `cargo run` command. */
  synthesized: boolean;
}

function comments(ins: Instruction): string[] {
  return ins.leading.filter((l) => l.trim().startsWith('#'));
}


const CARGO_VALUED = ['-p', '--package', '--bin', '--example', '--test', '--bench', '--features', '-F', '--profile', '--target', '--target-dir', '-j', '--jobs', '--manifest-path', '--config', '-Z', '--color', '--message-format', '--exclude', '--path', '--root', '--git', '--branch', '--tag', '--rev', '--version', '--registry', '--index', '--lockfile-path'];

function allFlagValues(c: ShellCommand, ...flags: string[]): (string | null)[] {
  const out: (string | null)[] = [];
  const a = c.argv;
  for (let i = 2; i < a.length; i++) {
    const v = a[i].value;
    if (v === '--') break;
    for (const f of flags) {
      if (v === f) {
        out.push(i + 1 < a.length ? a[i + 1].value : null);
        i++;
      } else if (v !== null && v.startsWith(f + '=')) out.push(v.slice(f.length + 1));
      else if (v === null && a[i].text.startsWith(f + '=')) out.push(null);
    }
  }
  return out;
}

function profileDirOf(profile: string | null | undefined, release: boolean): string {
  if (profile === 'dev' || profile === 'test') return 'debug';
  if (profile === 'release' || profile === 'bench') return 'release';
  if (profile) return profile;
  return release ? 'release' : 'debug';
}

function readCargoStep(c: ShellCommand, ins: Instruction, workdir: string, facts: CargoFacts, env: Record<string, string>): CargoStep | string {
  const line = ins.startLine + 1;
  const i = c.argv.findIndex((w, k) => k > 0 && !(w.value ?? '').startsWith('+') && !(w.value ?? '').startsWith('-'));
  const verb = c.argv[i]?.value;
  if (verb !== 'build' && verb !== 'b' && verb !== 'install') return `'${c.text}' at line ${line} is not a cargo build`;
  // Expansions are fine where they cannot change which binary is built or where it lands (--features $F).
  const HARMLESS = ['--features', '-F', '-j', '--jobs', '--color', '--message-format'];
  const opaque = c.argv.filter((w, k) => w.value === null && !HARMLESS.includes(c.argv[k - 1]?.value ?? '') && !HARMLESS.some((f) => w.text.startsWith(`${f}=`)));
  if (opaque.length) return `'${c.text}' at line ${line} uses a shell expansion (${opaque[0].text}) that may choose the binary`;
  if (c.assigns.length) return `'${c.text}' at line ${line} sets variables for cargo`;
  if (flagValue(c, '--manifest-path') !== undefined) return `'${c.text}' at line ${line} uses --manifest-path`;
  if (hasFlag(c, '--example', '--examples')) return `'${c.text}' at line ${line} builds examples`;
  if (hasFlag(c, '--artifact-dir', '--out-dir')) return `'${c.text}' at line ${line} uses --artifact-dir`;
  const profile = flagValue(c, '--profile');
  const release = hasFlag(c, '--release', '-r');
  const targetFlag = flagValue(c, '--target');
  const targetDirFlag = flagValue(c, '--target-dir');
  if (profile === null || targetFlag === null || targetDirFlag === null) return `'${c.text}' at line ${line} has a flag value that is not literal`;
  const target = targetFlag ?? env.CARGO_BUILD_TARGET ?? facts.configTarget ?? null;
  const targetDirRaw = targetDirFlag ?? env.CARGO_TARGET_DIR ?? env.CARGO_BUILD_TARGET_DIR ?? facts.configTargetDir ?? 'target';
  const packages = allFlagValues(c, '-p', '--package').filter((x): x is string => x !== null);
  const bins = allFlagValues(c, '--bin').filter((x): x is string => x !== null);
  const step: CargoStep = {
    ins,
    command: c,
    verb: verb === 'install' ? 'install' : 'build',
    packages,
    bins,
    allBins: hasFlag(c, '--bins'),
    workspace: hasFlag(c, '--workspace', '--all'),
    profileDir: verb === 'install' ? 'release' : profileDirOf(profile, release),
    release: verb === 'install' ? !hasFlag(c, '--debug') : release || (!!profile && profile !== 'dev' && profile !== 'test'),
    target,
    targetDir: path.posix.resolve(workdir, targetDirRaw),
    locked: hasFlag(c, '--locked', '--frozen'),
    installPath: null,
    installRoot: flagValue(c, '--root') ?? env.CARGO_INSTALL_ROOT ?? CARGO_HOME,
  };
  if (step.verb === 'install') {
    const p = flagValue(c, '--path');
    const crates = positionals(c, i + 1, CARGO_VALUED);
    if (p === undefined || crates.length) return `'${c.text}' at line ${line} installs a crate from a registry or git, not the project`;
    step.installPath = path.posix.resolve(workdir, p ?? '.');
    // A path install builds in the package's (or its workspace's) target/, not a temporary directory.
    if (targetDirFlag === undefined && !env.CARGO_TARGET_DIR && !env.CARGO_BUILD_TARGET_DIR && !facts.configTargetDir) {
      const rel = path.posix.relative(workdir, step.installPath);
      const member = facts.workspace && facts.packages.some((pk) => pk.dir !== '' && pk.dir === rel);
      step.targetDir = member ? path.posix.resolve(workdir, 'target') : path.posix.join(step.installPath, 'target');
    }
    if (step.installRoot === null) return `'${c.text}' at line ${line} has a --root that is not literal`;
  }
  return step;
}

/** The executables a cargo step produces, from the manifests. */
function binariesOf(step: CargoStep, facts: CargoFacts, workdir: string): string[] {
  if (step.bins.length) return step.bins;
  let pkgs = facts.packages;
  if (step.packages.length) pkgs = facts.packages.filter((p) => step.packages.includes(p.name));
  else if (step.verb === 'install') pkgs = facts.packages.filter((p) => path.posix.resolve(workdir, p.dir || '.') === step.installPath);
  else if (!step.workspace && facts.packages.some((p) => p.dir === '')) pkgs = facts.packages.filter((p) => p.dir === '');
  else if (!step.workspace && facts.defaultMembers) pkgs = facts.packages.filter((p) => facts.defaultMembers!.includes(p.dir || '.'));
  return pkgs.flatMap((p) => p.bins);
}

function analyze(input: TransformInput, facts: CargoFacts, findings: Finding[]): Analysis | string {
  const stage = input.model.stages[0];
  const a: Analysis = {
    workdir: '/',
    copies: [],
    builds: [],
    builder: [],
    kept: [],
    user: null,
    entrypoint: null,
    cmd: null,
    healthcheck: null,
    moved: new Map(),
    mvDest: new Map(),
    runtimeOs: [],
    targetReadLater: false,
    dummyBuild: false,
    env: {},
    synthesized: false,
    tools: [],
  };
  const mutations: { ins: Instruction; offset: number; text: string; mkdir: boolean }[] = [];
  for (const ins of stage.instructions) {
    const line = ins.startLine + 1;
    switch (ins.keyword) {
      case 'WORKDIR': {
        const next = nextWorkdir(ins, a.workdir);
        if (next.declined !== undefined) return next.declined;
        a.workdir = next.dir;
        a.builder.push(ins);
        break;
      }
      case 'COPY':
      case 'ADD': {
        const operands = copyOperands(ins);
        if (typeof operands === 'string') return operands;
        const { sources: parts, dest } = operands;
        a.copies.push({ ins, sources: parts, dest, destAbs: path.posix.resolve(a.workdir, dest) });
        a.builder.push(ins);
        break;
      }
      case 'RUN': {
        if (ins.heredoc) return `RUN at line ${line} uses a heredoc`;
        if (ins.json) return `RUN at line ${line} is in exec form`;
        const script = parseShell(ins.body);
        if (!script.ok) return `RUN at line ${line} does not parse as shell (${script.error ?? 'syntax error'})`;
        const builtBefore = a.builds.length > 0;
        for (const c of script.commands) {
          const built = a.builds.length > 0;
          const name = effectiveName(c);
          const words = c.argv.map((w) => w.value ?? w.text);
          const os = osInstallOf(c);
          if (os) {
            if (os.kind === 'install') {
              const { runtime } = classifyOsPackages(os.manager, os.packages);
              a.runtimeOs.push(...runtime);
            }
            continue;
          }
          if (name === 'cargo') {
            const sub = words.slice(1).find((w) => !w.startsWith('-') && !w.startsWith('+'));
            const subIndex = c.argv.findIndex((w, k) => k > 0 && w.value === sub);
            if (sub === 'install' && flagValue(c, '--path') === undefined && positionals(c, subIndex + 1, CARGO_VALUED).length > 0) {
              // A tool from a registry (cargo-chef, diesel_cli, sqlx-cli): the build stage's. A command that
              // runs it is not a binary of the project, so the rewrite declines then.
              a.tools.push(c.text);
              continue;
            }
            if (sub === 'build' || sub === 'b' || sub === 'install') {
              if (c.inPipeline || c.inSubshell || c.negated) return `'${c.text}' at line ${line} runs cargo inside a pipeline, subshell or condition`;
              const step = readCargoStep(c, ins, a.workdir, facts, a.env);
              if (typeof step === 'string') return step;
              a.builds.push(step);
            } else if (builtBefore && words.some((w) => /(^|\/)target\//.test(w))) {
              a.targetReadLater = true;
            } else if (!built && (sub === 'new' || sub === 'init')) {
              // A placeholder project to build the dependencies first: the builds stay as written.
              mutations.push({ ins, offset: c.start, text: c.text, mkdir: false });
            }
            continue;
          }
          if (name === 'rustup' || name === 'rustc' || name === 'true' || name === 'set' || name === 'echo' && c.redirects.length === 0) continue;
          if (name === 'cd') return `'cd' at line ${line} changes directory inside RUN; use WORKDIR`;
          if (['cp', 'mv', 'install', 'strip', 'ln', 'ls', 'file', 'ldd', 'du'].includes(name)) {
            if (!built) continue;
            const pos = positionals(c, 1, name === 'install' ? ['-m', '--mode', '-o', '-g'] : []).map((w) => w.value ?? w.text);
            if (builtBefore && pos.some((p) => /(^|\/)target\//.test(p) || p.startsWith(path.posix.join(a.workdir, 'target')))) a.targetReadLater = true;
            if ((name === 'cp' || name === 'mv' || name === 'install') && pos.length >= 2) {
              const dest = path.posix.resolve(a.workdir, pos[pos.length - 1]);
              for (const src of pos.slice(0, -1)) {
                const bin = path.posix.basename(src);
                const dir = dest.endsWith('/') || pos[pos.length - 1].endsWith('/') || pos.length > 2 || dest === a.workdir || ['/usr/local/bin', '/usr/bin', '/bin', '/app', '/usr/local/sbin'].includes(dest);
                const to = dir ? path.posix.join(dest, bin) : dest;
                a.moved.set(to, bin);
                // mv takes the binary out of target/: the runtime copies it from where it went.
                if (name === 'mv' && /(^|\/)target\//.test(src)) {
                  a.mvDest.set(bin, to);
                  a.targetReadLater = true;
                }
              }
            }
            continue;
          }
          if (['mkdir', 'touch', 'rm', 'sed'].includes(name) || (name === 'echo' && c.redirects.length)) {
            if (name === 'rm' && words.some((w) => /(^|\/)target(\/|$)/.test(w))) {
              if (builtBefore) a.targetReadLater = true;
              continue;
            }
            // Before the last build (the dummy main.rs layer) the build stays as written; after it, the
            // change may be something the runtime needs: decided once all builds are known.
            mutations.push({ ins, offset: c.start, text: c.text, mkdir: name === 'mkdir' });
            continue;
          }
          if (['useradd', 'groupadd', 'adduser', 'addgroup', 'chown', 'chmod'].includes(name)) {
            // A user for the app: the runtime has its own non-root user (65532).
            continue;
          }
          return `'${c.text}' at line ${line} is not a build step; its effect on the runtime is unknown`;
        }
        a.builder.push(ins);
        break;
      }
      case 'ENV': {
        for (const arg of ins.args) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(arg);
          if (m) a.env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
        }
        if (ins.args.length === 2 && !ins.args[0].includes('=')) a.env[ins.args[0]] = ins.args[1];
        a.builder.push(ins);
        a.kept.push(ins);
        break;
      }
      case 'ARG':
        a.builder.push(ins);
        a.kept.push(ins);
        break;
      default: {
        const declined = takeRuntimeInstruction(ins, a, { keepHealthcheck: true });
        if (declined) return declined;
      }
    }
  }
  const cargoRun = [a.entrypoint, a.cmd].some((i) => {
    const argv = instructionArgv(i);
    return !!argv && path.posix.basename(argv[0] ?? '') === 'cargo' && argv.includes('run');
  });
  if (a.builds.length === 0 && !cargoRun) return 'no cargo build or cargo install --path found';
  if (a.copies.length === 0) return 'no COPY of the project';
  const last = a.builds[a.builds.length - 1];
  if (last) for (const m of mutations) {
    const after = m.ins.index > last.ins.index || (m.ins === last.ins && m.offset > last.command.start);
    if (after && !(m.ins === last.ins && /^(rm|mkdir)\b/.test(m.text))) return `'${m.text}' at line ${m.ins.startLine + 1} changes files after the build; the runtime may need them`;
    if (!after && !m.mkdir) a.dummyBuild = true;
  }
  void findings;
  return a;
}

/** What the container runs, resolved to one built binary and its arguments. */
interface Resolved {
  bin: string;
  step: CargoStep;
  /** argv after the binary. */
  args: string[];
  /** 'cmd' or 'entrypoint': which instruction named the binary. */
  via: 'cmd' | 'entrypoint';
  original: string;
}

function resolveBinary(a: Analysis, facts: CargoFacts): Resolved | string {
  const ep = instructionArgv(a.entrypoint);
  const cmd = instructionArgv(a.cmd);
  if (a.entrypoint && !ep) return `ENTRYPOINT at line ${a.entrypoint.startLine + 1} is not a literal command`;
  if (a.cmd && !cmd && !ep) return `CMD at line ${a.cmd.startLine + 1} is not a literal command`;
  const argv = ep ?? cmd;
  const via: 'cmd' | 'entrypoint' = ep ? 'entrypoint' : 'cmd';
  if (!argv || argv.length === 0) return 'no CMD or ENTRYPOINT: which binary runs is unknown';
  const exe = argv[0];
  const args = ep ? [...ep.slice(1), ...(cmd ?? [])] : argv.slice(1);
  const original = [...(ep ?? []), ...(cmd ?? [])].join(' ');
  if (ep && a.cmd && !cmd) return `CMD at line ${a.cmd.startLine + 1} is not a literal command`;
  if (path.posix.basename(exe) === 'cargo' && argv.slice(1).find((w) => !w.startsWith('+') && !w.startsWith('-')) === 'run') {
    return resolveCargoRun(a, facts, argv, via, original, ep ? (cmd ?? []) : []);
  }
  const abs = exe.includes('/') ? path.posix.resolve(a.workdir, exe) : null;
  for (const step of a.builds) {
    const bins = binariesOf(step, facts, a.workdir);
    const name = path.posix.basename(exe);
    if (!bins.includes(name)) continue;
    if (step.verb === 'build') {
      const dir = path.posix.join(step.targetDir, step.target ?? '', step.profileDir);
      if (abs === path.posix.join(dir, name)) return { bin: name, step, args, via, original };
    } else if (!abs || abs === path.posix.join(step.installRoot, 'bin', name)) {
      // cargo install puts the binary on PATH ($CARGO_HOME/bin).
      if (abs || step.installRoot === CARGO_HOME) return { bin: name, step, args, via, original };
    }
    if (abs && a.moved.get(abs) === name) return { bin: name, step, args, via, original };
    if (!abs && [...a.moved.entries()].some(([dest, b]) => b === name && ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin'].includes(path.posix.dirname(dest)) && path.posix.basename(dest) === name)) {
      return { bin: name, step, args, via, original };
    }
  }
  const known = a.builds.flatMap((s) => binariesOf(s, facts, a.workdir));
  const tool = a.tools.find((t) => t.split(/\s+/).some((w) => w === path.posix.basename(exe) || w.replace(/_/g, '-') === path.posix.basename(exe).replace(/^cargo-/, '').replace(/_/g, '-')));
  if (tool) return `'${exe}' (the ${via === 'cmd' ? 'CMD' : 'ENTRYPOINT'}) runs a tool installed with '${tool}', not the project's binary`;
  return `'${exe}' (the ${via === 'cmd' ? 'CMD' : 'ENTRYPOINT'}) is not a binary the cargo build produces${known.length ? ` (${known.join(', ')})` : ''}`;
}

/**
 * `cargo run [flags] [-- args]`: the binary a build with the same flags produces. The build of the
 * original is used when one matches; otherwise (cargo run compiled at every start) a `cargo build`
 * with the run's flags is added to the build stage.
 */
function resolveCargoRun(a: Analysis, facts: CargoFacts, argv: string[], via: 'cmd' | 'entrypoint', original: string, extraArgs: string[]): Resolved | string {
  const dashes = argv.indexOf('--');
  const runArgs = [...(dashes >= 0 ? argv.slice(dashes + 1) : []), ...extraArgs];
  const flags = (dashes >= 0 ? argv.slice(1, dashes) : argv.slice(1)).filter((w, i, all) => !(w === 'run' && all.indexOf('run') === i));
  if (flags.some((f) => f.startsWith('+'))) return `'${argv.join(' ')}' selects a toolchain; not rewritten`;
  if (flags.some((f) => f === '--example' || f.startsWith('--example='))) return `'${argv.join(' ')}' runs an example; not rewritten`;
  const script = `cargo build ${flags.map(quoteWord).join(' ')}`.trim();
  const parsed = parseShell(script);
  const lineNo = (via === 'cmd' ? a.cmd : a.entrypoint)!.startLine;
  const ins: Instruction = {
    keyword: 'RUN', index: Number.MAX_SAFE_INTEGER, startLine: lineNo, endLine: lineNo, lines: [`RUN ${script}`], leading: [],
    args: [script], flags: [], body: script, json: null, stage: 0, heredoc: false,
  };
  if (!parsed.ok || parsed.commands.length !== 1) return `'${argv.join(' ')}' cannot be read`;
  const step = readCargoStep(parsed.commands[0], ins, a.workdir, facts, a.env);
  if (typeof step === 'string') return step;
  let bins = binariesOf(step, facts, a.workdir);
  if (!step.bins.length && bins.length > 1) {
    const pkgs = step.packages.length ? facts.packages.filter((p) => step.packages.includes(p.name)) : facts.packages.filter((p) => p.dir === '');
    const def = pkgs.length === 1 ? pkgs[0].defaultRun : null;
    if (!def) return `'${argv.join(' ')}' is ambiguous: the package has several binaries (${bins.join(', ')}) and no default-run`;
    bins = [def];
  }
  if (bins.length !== 1) return `'${argv.join(' ')}': no binary to run`;
  const bin = bins[0];
  const same = a.builds.find((b) => b.verb === 'build' && b.profileDir === step.profileDir && b.target === step.target && b.targetDir === step.targetDir && binariesOf(b, facts, a.workdir).includes(bin));
  if (same) return { bin, step: same, args: runArgs, via, original };
  step.bins = [bin];
  a.builds.push(step);
  a.builder.push(ins);
  a.synthesized = true;
  return { bin, step, args: runArgs, via, original };
}

/** Top-level entries (relative to WORKDIR) of what the original copied that the binary may read at run time. */
function runtimeFiles(a: Analysis, facts: CargoFacts, ctx: TransformInput['ctx'], named: string[], ignored: (rel: string) => boolean): { keep: string[]; dropped: string[]; all: boolean } {
  const present = new Set<string>();
  // Where each copied item lands (Docker semantics: a directory's contents go into the destination).
  const add = (abs: string) => {
    const rel = path.posix.relative(a.workdir, abs);
    if (rel === '') return;
    if (rel.startsWith('..')) present.add(abs);
    else present.add(rel.split('/')[0]);
  };
  const childrenOf = (dir: string): string[] => {
    const files = ctx.walk(dir, 5000, 8);
    return [...new Set(files.map((f) => (dir === '.' ? f : f.slice(dir.length + 1)).split('/')[0]))];
  };
  for (const c of a.copies) {
    const destDir = c.destAbs;
    const intoDir = c.dest.endsWith('/') || c.sources.length > 1 || destDir === a.workdir;
    for (const s of c.sources) {
      const src = s.replace(/^\.\//, '').replace(/\/$/, '') || '.';
      if (src === '.') {
        for (const e of ctx.entries()) add(path.posix.join(destDir, e));
        continue;
      }
      if (/[*?[]/.test(src)) {
        if (src.includes('/')) {
          add(path.posix.join(destDir, path.posix.basename(src)));
          continue;
        }
        const re = new RegExp('^' + src.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
        for (const e of ctx.entries().filter((x) => re.test(x))) {
          if (ctx.isDir(e)) for (const ch of childrenOf(e)) add(path.posix.join(destDir, ch));
          else add(path.posix.join(destDir, e));
        }
        continue;
      }
      if (ctx.isDir(src)) {
        for (const ch of childrenOf(src)) add(path.posix.join(destDir, ch));
        continue;
      }
      add(intoDir ? path.posix.join(destDir, path.posix.basename(src)) : destDir);
    }
  }
  for (const e of [...present]) if (!e.startsWith('/') && !e.includes('*') && ignored(e)) present.delete(e);
  // Paths the command or ENV names (`serve .`, `--root public`): kept whatever they look like.
  const wd = a.workdir;
  let all = false;
  const forced = new Set<string>();
  for (const n of named) {
    if (!n || n.startsWith('-') || n.includes('://') || n.includes('$')) continue;
    const abs = path.posix.resolve(wd, n);
    if (abs === wd) all = true;
    const rel = path.posix.relative(wd, abs);
    if (rel && !rel.startsWith('..') && present.has(rel.split('/')[0])) forced.add(rel.split('/')[0]);
  }
  if (all) return { keep: [...present].filter((e) => e !== 'target' && !e.startsWith('/')).sort(), dropped: present.has('target') ? ['target'] : [], all };
  const memberTops = new Set(facts.packages.filter((p) => p.dir).map((p) => p.dir.split('/')[0]));
  const keep: string[] = [];
  const dropped: string[] = [];
  for (const e of [...present].sort()) {
    if (forced.has(e)) {
      keep.push(e);
      continue;
    }
    if (e.includes('*') || e.startsWith('/')) {
      if (!BUILD_ONLY_ENTRIES.some((r) => r.test(path.posix.basename(e)))) keep.push(e);
      else dropped.push(e);
      continue;
    }
    if (BUILD_ONLY_ENTRIES.some((r) => r.test(e))) {
      dropped.push(e);
      continue;
    }
    if (memberTops.has(e) && ctx.isDir(e)) {
      // A directory of workspace crates: their sources are build-only; anything else in it is kept.
      const extra = ctx.walk(e, 2000).filter((f) => {
        const member = facts.packages.find((p) => p.dir && (f === p.dir || f.startsWith(`${p.dir}/`)));
        if (!member) return true;
        const inner = f.slice(member.dir.length + 1).split('/')[0];
        return !BUILD_ONLY_ENTRIES.some((r) => r.test(inner));
      });
      if (extra.length === 0) {
        dropped.push(e);
        continue;
      }
      const tops = new Set<string>();
      for (const f of extra) {
        const member = facts.packages.find((p) => p.dir && f.startsWith(`${p.dir}/`));
        tops.add(member ? `${member.dir}/${f.slice(member.dir.length + 1).split('/')[0]}` : f.split('/').slice(0, 2).join('/'));
      }
      keep.push(...[...tops].sort());
      dropped.push(`${e} (crate sources)`);
      continue;
    }
    keep.push(e);
  }
  return { keep, dropped, all };
}

/**
 * The Debian slim image of the builder's release (same glibc and package names): the codename in the
 * tag, else bookworm for rust 1.x before 1.89 (the default variant then), else trixie.
 */
export function debianSlimFor(tag: string | null): string {
  const v = tagVariant(tag);
  const named = /(bookworm|bullseye|buster|trixie)/.exec(v ?? '')?.[1];
  if (named) return `debian:${named}-slim`;
  const version = tagVersion(tag);
  const minor = version && /^1\.(\d+)/.exec(version) ? Number(/^1\.(\d+)/.exec(version)![1]) : null;
  return `debian:${minor !== null && minor < 89 ? 'bookworm' : 'trixie'}-slim`;
}

export function transformRust(input: TransformInput): TransformResult {
  const { model, ctx, options } = input;
  if (model.stages.length !== 1) return decline('already multi-stage');
  const stage = model.stages[0];
  const base = parseImage(stage.image);
  if (base.repo !== 'rust') return decline(`base image '${stage.image}' is not an official rust image`);
  // `FROM rust:${RUST_VERSION}`: the builder keeps the variable; decisions use the ARG's default.
  let tag = base.tag;
  if (base.dynamic) {
    const resolvedTag = resolveGlobalArgs(model, base.tag ?? '');
    if (resolvedTag === null || base.repo.includes('$')) return decline(`base image '${stage.image}' is set by a build argument without a default`);
    tag = resolvedTag;
  }
  const facts = readCargoFacts(ctx);
  if (facts.rootError) return decline(facts.rootError);
  if (!facts.root) return decline('no Cargo.toml in the build context');
  const findings: Finding[] = [];
  const changes: Change[] = [];
  const analysis = analyze(input, facts, findings);
  if (typeof analysis === 'string') return decline(analysis, findings);
  const a = analysis;
  const resolved = resolveBinary(a, facts);
  if (typeof resolved === 'string') return decline(resolved, findings);
  const style = styleOf(model);
  const fromLine = stage.from.startLine + 1;
  const musl = tagVariant(tag).includes('alpine');
  const step = resolved.step;

  // ----- native libraries the binary links
  const sys = facts.sysCrates.filter((s) => !(s === 'libsqlite3-sys' && facts.lock?.find((p) => p.name === s)?.dependencies?.includes('cc')));
  const openssl = sys.includes('openssl-sys') && !facts.opensslVendored;
  const unknownSys = sys.filter((s) => !(s in SYS_RUNTIME_PACKAGES));
  if (unknownSys.length) return decline(`the dependencies link native libraries (${unknownSys.join(', ')}) whose run-time packages are unknown`, findings);
  const slimPackages = [...new Set([...sys.flatMap((s) => SYS_RUNTIME_PACKAGES[s] ?? []), ...a.runtimeOs])];
  const needsOnlyCc = sys.every((s) => IN_DISTROLESS_CC.has(s) || (s === 'openssl-sys' && facts.opensslVendored));

  // ----- runtime family
  const requested = options.runtime ?? 'auto';
  let family: 'cc' | 'static' | 'scratch' | 'slim' = 'cc';
  const slimReasons: string[] = [];
  if (slimPackages.length && !needsOnlyCc) slimReasons.push(`the binary links libraries distroless lacks (${slimPackages.join(', ')})`);
  else if (a.runtimeOs.length) slimReasons.push(`the original installed run-time libraries (${a.runtimeOs.join(', ')})`);
  const hcTools = a.healthcheck && !/^NONE$/i.test(a.healthcheck.body.trim()) ? healthTools(a.healthcheck).filter((t) => t !== resolved.bin) : [];
  const hcShell = a.healthcheck ? healthCommand(a.healthcheck)?.shell : null;
  if (hcShell && /(^|[\s/])target\//.test(hcShell)) return decline(`HEALTHCHECK at line ${a.healthcheck!.startLine + 1} runs a binary from target/ through a shell; not rewritten`, findings);
  if (hcTools.length) slimReasons.push(`HEALTHCHECK runs ${hcTools.join(', ')}`);
  const muslBlockers: string[] = [];
  if (openssl) muslBlockers.push('openssl-sys links the system OpenSSL (enable its "vendored" feature for a static build)');
  const otherSys = sys.filter((s) => s !== 'openssl-sys' && s !== 'libz-sys');
  if (otherSys.length) muslBlockers.push(`native libraries (${otherSys.join(', ')})`);
  if (slimReasons.length) muslBlockers.push(...slimReasons);
  if (step.target && !/musl/.test(step.target)) muslBlockers.push(`the build targets ${step.target}`);
  if (musl) {
    if (muslBlockers.length) return decline(`musl build (${stage.image}) with ${muslBlockers.join('; ')}: the runtime's libraries cannot be told`, findings);
    family = 'static';
  } else if (requested === 'scratch') {
    if (muslBlockers.length) {
      findings.push({ ruleId: RULES.musl, severity: 'warning', line: fromLine, message: `a static musl build for scratch is not possible: ${muslBlockers.join('; ')}; using the automatic choice`, fixed: false });
    } else {
      family = 'scratch';
    }
  } else if (requested === 'alpine') {
    findings.push({ ruleId: RULES.runtime, severity: 'info', line: fromLine, message: 'a Rust binary needs no alpine userland; use --runtime scratch for a static musl build. Using the automatic choice', fixed: false });
  }
  if (family === 'cc' && (requested === 'slim' || slimReasons.length)) family = 'slim';
  if (step.target && /musl/.test(step.target) && family === 'cc') family = 'static';
  const builderImage = stage.image;
  const runtimeImage = family === 'cc' ? CC_RUNTIME : family === 'static' ? STATIC_RUNTIME : family === 'scratch' ? 'scratch' : debianSlimFor(tag);

  // ----- the build stage: the original steps, the cargo build with --locked and cache mounts
  const lockCopied = a.copies.some((c) => c.sources.some((s) => ['.', './', 'Cargo.lock', 'Cargo.*', 'Cargo.lock*'].includes(s.replace(/\/$/, '') || '.')));
  const canLock = !!facts.lockfile && facts.lockProblems.length === 0 && lockCopied;
  if (!facts.lockfile) {
    findings.push({ ruleId: RULES.locked, severity: 'warning', message: 'no Cargo.lock in the build context: dependency versions are resolved at build time; commit Cargo.lock', fixed: false });
  } else if (facts.lockProblems.length) {
    findings.push({ ruleId: RULES.locked, severity: 'warning', line: step.ins.startLine + 1, message: `Cargo.lock is out of date (${facts.lockProblems[0]}${facts.lockProblems.length > 1 ? `, and ${facts.lockProblems.length - 1} more` : ''}): --locked would fail, so it is not added; run cargo update and commit Cargo.lock`, fixed: false });
  } else if (!lockCopied) {
    findings.push({ ruleId: RULES.locked, severity: 'warning', line: step.ins.startLine + 1, message: 'Cargo.lock is not copied into the image: dependency versions are resolved at build time', fixed: false });
  }
  const targetMount = a.builds.length === 1 && !a.targetReadLater && !a.dummyBuild;
  const staticBuild = family === 'scratch';
  const triple = staticBuild && !step.target ? '"$(uname -m)-unknown-linux-musl"' : null;
  const binDir = (s: CargoStep) => path.posix.join(s.targetDir, s.target ?? '', s.profileDir);
  const builtPath = step.verb === 'install'
    ? path.posix.join(step.installRoot, 'bin', resolved.bin)
    : staticBuild && !step.target ? `${step.targetDir}/$(uname -m)-unknown-linux-musl/${step.profileDir}/${resolved.bin}` : path.posix.join(binDir(step), resolved.bin);
  // cargo install puts the binary outside target/: nothing to copy out of the mount.
  const copyOut = targetMount && step.verb === 'build';
  const runtimeSource = a.mvDest.get(resolved.bin) ?? (copyOut ? `${OUT_DIR}/${resolved.bin}` : builtPath);
  const mounts = [`--mount=type=cache,target=${CARGO_HOME}/registry`];
  if (facts.gitDeps) mounts.push(`--mount=type=cache,target=${CARGO_HOME}/git/db`);
  if (targetMount) mounts.push(`--mount=type=cache,target=${step.targetDir}`);

  const builderLines: string[] = [];
  const cargoIns = new Set(a.builds.map((b) => b.ins));
  const staticPrep: string[] = [];
  if (staticBuild) {
    if (facts.compilesC) staticPrep.push('apt-get update', 'apt-get install -y --no-install-recommends musl-tools', 'rm -rf /var/lib/apt/lists/*');
    staticPrep.push(`rustup target add ${step.target ?? '"$(uname -m)-unknown-linux-musl"'}`);
  }
  let prepPlaced = !staticBuild;
  // ENV and ARG after the last build step only concern the runtime.
  let lastWork = -1;
  a.builder.forEach((ins, k) => {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') lastWork = k;
  });
  for (const ins of a.builder.slice(0, lastWork + 1)) {
    if (!prepPlaced && (ins.keyword === 'COPY' || ins.keyword === 'ADD' || cargoIns.has(ins))) {
      // Its own layer before the sources (after the toolchain set-up): a source change does not download the target again.
      builderLines.push(...runLines([], staticPrep, style));
      prepPlaced = true;
    }
    if (!cargoIns.has(ins)) {
      builderLines.push(...preserved(ins));
      continue;
    }
    const text = rewriteCargoRun(ins, a.builds.filter((b) => b.ins === ins), canLock, triple);
    const commands = [text];
    if (ins === step.ins && copyOut) commands.push(`mkdir -p ${OUT_DIR} && cp ${staticBuild ? builtPath : quoteWord(builtPath)} ${OUT_DIR}/`);
    builderLines.push(...comments(ins), ...runLines(mounts, commands, style));
  }
  const stages: PlanStage[] = [{ image: builderImage, name: 'build', platform: stage.platform, comments: heading('rust', 'build'), lines: builderLines }];
  changes.push({ ruleId: RULES.stages, line: fromLine, message: `single stage split into build, runtime: the Rust toolchain, sources and target/ stay out of the runtime image` });
  if (canLock && a.builds.some((b) => !b.locked)) changes.push({ ruleId: RULES.locked, line: step.ins.startLine + 1, message: `cargo ${step.verb} --locked: the build uses the versions of Cargo.lock or fails` });
  changes.push({
    ruleId: RULES.cache,
    line: step.ins.startLine + 1,
    message: targetMount
      ? `the cargo registry and ${path.posix.relative(a.workdir, step.targetDir) || step.targetDir} are BuildKit cache mounts: rebuilds reuse downloaded crates and compiled dependencies${copyOut ? `; the binary is copied to ${OUT_DIR} before the mount ends` : `; cargo install puts the binary in ${path.posix.join(step.installRoot, 'bin')}, and target/ stays out of the image`}`
      : `the cargo registry is a BuildKit cache mount (${a.dummyBuild ? 'the dummy-source build layer is kept as written' : a.builds.length > 1 ? 'several cargo builds share target/' : 'target/ is read by a later step, so it stays in the layer'})`,
  });
  if (a.synthesized) {
    changes.push({ ruleId: RULES.cmd, line: step.ins.startLine + 1, message: `'${resolved.original}' compiled the project at every start: the build stage runs '${step.command.text}' once` });
  }
  if (!step.release) {
    findings.push({ ruleId: RULES.profile, severity: 'warning', line: step.ins.startLine + 1, message: `'${step.command.text}' builds the ${step.profileDir} profile (unoptimised); add --release`, fixed: false });
  }
  if (staticBuild) {
    changes.push({ ruleId: RULES.musl, line: step.ins.startLine + 1, message: `built for the musl target ($(uname -m)-unknown-linux-musl): a static binary that runs on scratch${facts.compilesC ? '; musl-tools compiles the C code of the dependencies' : ''}` });
  }

  // ----- runtime stage
  const rt: string[] = [];
  const wd = a.workdir;
  const copied = a.copies.flatMap((c) => c.sources);
  const di = planDockerignore(ctx, 'rust', copied, path.basename(model.path));
  const ignoreText = di.sideFile ? di.sideFile.output : ctx.readText('.dockerignore');
  const ig = ignoreText ? loadIgnore(ignoreText) : null;
  const named = [...resolved.args.flatMap((x) => [x, x.replace(/^[^=]*=/, '')]), ...Object.values(a.env)];
  const files = runtimeFiles(a, facts, ctx, named, (rel) => !!ig && ig.ignores(rel));
  const exe = `/usr/local/bin/${resolved.bin}`;
  // Where the original ran as root, the app could write its folder and files: user 65532 gets them
  // (USER before WORKDIR makes BuildKit create the folder as that user's; the copied files are chowned,
  // the binary and the CA roots stay root's).
  const originalUser = a.user ? a.user.args.join(' ') : null;
  const ownsFiles = isRootUser(originalUser);
  const chown = ownsFiles ? ' --chown=65532:65532' : '';
  const runtimeCopies: string[] = [];
  if (family === 'scratch') runtimeCopies.push('COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt');
  runtimeCopies.push(`COPY --from=build ${runtimeSource} ${exe}`);
  if (files.all && wd !== '/' && targetMount && path.posix.dirname(step.targetDir) === wd) {
    // target/ is not in the build stage's layer: the working directory is copied whole.
    runtimeCopies.push(`COPY --from=build${chown} ${wd} ${wd}`);
  } else for (const f of files.keep) {
    const src = f.startsWith('/') ? f : path.posix.join(wd, f);
    runtimeCopies.push(`COPY --from=build${chown} ${src} ${f.startsWith('/') ? f : `./${f}`}`);
  }
  changes.push({ ruleId: RULES.binary, line: step.ins.startLine + 1, message: `only the '${resolved.bin}' binary reaches the runtime, at ${exe}` });
  if (files.all) changes.push({ ruleId: RULES.files, line: (a.cmd ?? a.entrypoint)!.startLine + 1, message: `the command names the working directory (${wd}): everything the original copied is kept, except target/` });
  else changes.push({ ruleId: RULES.files, message: files.keep.length ? `files the original ran beside the binary, kept in ${wd}: ${files.keep.join(', ')}${files.dropped.length ? `; left out as build-only: ${files.dropped.join(', ')}` : ''}` : `no other file is needed at run time; left out as build-only: ${files.dropped.join(', ') || 'nothing'}` });

  const runtimeWhy: Record<typeof family, string> = {
    cc: `glibc, libgcc${openssl ? ', libssl3' : ''} like the builder's Debian, no shell or package manager`,
    static: 'the binary is statically linked (musl): no libc needed, no shell or package manager',
    scratch: 'a static musl binary needs no OS files; CA certificates copied for TLS',
    slim: slimReasons.join('; ') || 'requested',
  };
  changes.push({ ruleId: RULES.runtime, line: fromLine, message: `runtime on ${runtimeImage}: ${runtimeWhy[family]}` });
  if (sys.length) {
    changes.push({ ruleId: RULES.native, line: fromLine, message: `native libraries of the dependencies (${sys.join(', ')})${family === 'slim' && slimPackages.length ? ` installed in the runtime: ${slimPackages.join(', ')}` : ' are in the runtime image'}` });
  }

  const userLines = () => {
    if (a.user) rt.push(...comments(a.user));
    rt.push('USER 65532:65532');
    changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: `runs as the non-root user 65532${family === 'cc' || family === 'static' ? ' (distroless nonroot)' : ''}${originalUser && !ownsFiles ? ` instead of '${originalUser}', which the runtime image does not have` : ''}${ownsFiles && wd !== '/' ? `, who owns ${wd} and the files copied there (the original ran as root and could write them)` : ''}` });
  };
  if (family === 'slim') {
    // Debian slim has neither libssl nor the CA bundle the rust image had.
    const codename = /debian:(\w+)-slim/.exec(runtimeImage)?.[1];
    const sslPkg = codename === 'trixie' ? 'libssl3t64' : codename === 'bullseye' || codename === 'buster' ? 'libssl1.1' : 'libssl3';
    const names = new Set((facts.lock ?? []).map((p) => p.name));
    const tls = openssl || names.has('native-tls') || names.has('rustls-native-certs') || names.has('openssl-probe');
    const pkgs = [...new Set([...(openssl ? [sslPkg] : []), ...slimPackages, ...hcTools.filter((t) => t === 'curl' || t === 'wget'), ...(tls || hcTools.includes('curl') || hcTools.includes('wget') ? ['ca-certificates'] : [])])];
    if (pkgs.length) {
      rt.push(...runLines([], ['apt-get update', `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`, 'rm -rf /var/lib/apt/lists/*'], style));
      changes.push({ ruleId: RULES.runtime, message: `run-time packages installed in the runtime: ${pkgs.join(', ')}` });
    }
  }
  // Packages first (they need root and do not depend on the folder), then the user, then the folder.
  if (ownsFiles) userLines();
  if (wd !== '/') rt.push(`WORKDIR ${wd}`);
  let copiesPlaced = false;
  const placeCopies = () => {
    if (copiesPlaced) return;
    copiesPlaced = true;
    rt.push(...runtimeCopies);
  };
  for (const ins of stage.instructions) {
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      placeCopies();
      continue;
    }
    if (!a.kept.includes(ins) || ins.keyword === 'HEALTHCHECK') continue;
    rt.push(...preserved(ins));
  }
  placeCopies();
  // ----- user (already placed above the folder when it owns it)
  if (!ownsFiles) userLines();
  if (a.healthcheck) {
    const hc = healthCommand(a.healthcheck);
    const runsBin = hc?.exec && path.posix.basename(hc.exec[0]) === resolved.bin && hc.exec[0] !== exe;
    if (runsBin) {
      // The check runs the app's own binary: same binary, new path.
      const flags = a.healthcheck.flags.map((f) => `--${f.name}${f.value !== null ? `=${f.value}` : ''}`);
      rt.push(...comments(a.healthcheck), ['HEALTHCHECK', ...flags, 'CMD', jsonForm([exe, ...hc!.exec!.slice(1)])].join(' '));
      changes.push({ ruleId: RULES.cmd, line: a.healthcheck.startLine + 1, message: `HEALTHCHECK runs the binary at ${exe}` });
    } else {
      rt.push(...preserved(a.healthcheck));
    }
  }
  // ----- process
  const newArgv = [exe, ...resolved.args];
  if (a.entrypoint) rt.push(...comments(a.entrypoint));
  if (a.cmd) rt.push(...comments(a.cmd));
  if (resolved.via === 'entrypoint') {
    const ep = instructionArgv(a.entrypoint)!;
    rt.push(`ENTRYPOINT ${jsonForm([exe, ...ep.slice(1)])}`);
    if (a.cmd) rt.push(`CMD ${jsonForm(instructionArgv(a.cmd) ?? [])}`);
  } else {
    rt.push(`CMD ${jsonForm(newArgv)}`);
  }
  const cmdIns = resolved.via === 'entrypoint' ? a.entrypoint! : a.cmd!;
  changes.push({ ruleId: RULES.cmd, line: cmdIns.startLine + 1, message: `'${resolved.original}' runs as '${[exe, ...resolved.args].join(' ')}'${cmdIns.json ? '' : ' (exec form: the binary is PID 1 and receives signals; the runtime has no shell)'}` });
  stages.push({ image: runtimeImage, name: 'runtime', platform: stage.platform, comments: heading('rust', 'runtime'), lines: rt });

  findings.push(...di.findings);
  const plan: Plan = { stages, changes, findings, sideFiles: di.sideFile ? [di.sideFile] : [] };
  if (di.sideFile) changes.push({ ruleId: 'DO-IGNORE', message: di.sideFile.original === null ? '.dockerignore created: target/, .git and env files stay out of the build context' : '.dockerignore completed with essentials it lacked (target, .git)' });
  return { kind: 'rewrite', plan, runtimeBase: runtimeImage };
}

/** The RUN's script with `--locked` (and the musl --target) added to its cargo builds. */
function rewriteCargoRun(ins: Instruction, steps: CargoStep[], lock: boolean, triple: string | null): string {
  let text = ins.body;
  // Edit from the end so earlier offsets stay valid (offsets are bytes of the UTF-8 body).
  const bytes = Buffer.from(text, 'utf8');
  const edits: { at: number; add: string }[] = [];
  for (const s of steps) {
    const extra: string[] = [];
    if (lock && !s.locked) extra.push('--locked');
    if (triple && !s.target) extra.push('--target', triple);
    if (!extra.length) continue;
    const c = s.command;
    const words = c.argv;
    const dashes = words.findIndex((w) => w.value === '--');
    const lastWord = dashes > 0 ? words[dashes - 1] : words[words.length - 1];
    const cmdText = Buffer.from(c.text, 'utf8');
    const local = dashes > 0 ? cmdText.indexOf(Buffer.from(' --', 'utf8'), cmdText.lastIndexOf(Buffer.from(words[dashes - 1].text, 'utf8'))) : cmdText.lastIndexOf(Buffer.from(lastWord.text, 'utf8')) + Buffer.byteLength(lastWord.text);
    edits.push({ at: c.start + local, add: ' ' + extra.join(' ') });
  }
  edits.sort((x, y) => y.at - x.at);
  let out = bytes;
  for (const e of edits) out = Buffer.concat([out.subarray(0, e.at), Buffer.from(e.add, 'utf8'), out.subarray(e.at)]);
  text = out.toString('utf8');
  return text;
}

/** A tag with `${NAME}`/`$NAME` replaced by the defaults of ARGs before the first FROM; null when one has none. */
function resolveGlobalArgs(model: TransformInput['model'], text: string): string | null {
  const defaults: Record<string, string> = {};
  for (const ins of model.instructions) {
    if (ins.stage >= 0) break;
    if (ins.keyword !== 'ARG') continue;
    for (const a of ins.args) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(a);
      if (m && m[2] !== undefined) defaults[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
    }
  }
  let ok = true;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string, b: string) => {
    const v = defaults[a ?? b];
    if (v === undefined) ok = false;
    return v ?? '';
  });
  return ok && !out.includes('$') ? out : null;
}

function loadIgnore(text: string): { ignores(p: string): boolean } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require('ignore') as { default?: () => { add(t: string): { ignores(p: string): boolean } } } & (() => { add(t: string): { ignores(p: string): boolean } });
  return (mod.default ?? mod)().add(text);
}

export const rust: Ecosystem = {
  name: 'rust',
  detect(model, ctx) {
    if (model.stages.some((s) => parseImage(s.image).repo === 'rust' || parseImage(s.image).repo.endsWith('/rust'))) return 1;
    if (ctx.exists('Cargo.toml') && model.instructions.some((i) => i.keyword === 'RUN' && /\bcargo\b/.test(i.body))) return 0.8;
    return ctx.exists('Cargo.toml') ? 0.3 : 0;
  },
  transform: transformRust,
};
