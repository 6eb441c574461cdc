/**
 * Python: split a single-stage `FROM python:*` Dockerfile into a builder stage that installs the
 * dependencies into a virtualenv at a fixed path (with the compilers and -dev packages the original
 * installed), and a runtime stage on python:<X.Y>-slim (the builder's version), the alpine family
 * when the original was alpine, or distroless python3 on Debian 13 when that is safe. See README.md
 * beside this file for the decisions and their reasons.
 */
import * as path from 'path';
import { nextWorkdir, resolveDir, takeRuntimeInstruction } from '../common/instructions';
import { heading } from '../../templates/stages';
import type { Instruction } from '../../src/model/parse';
import { isRootUser } from '../../src/model/user';
import { isFloatingTag, parseImage, tagVariant, tagVersion } from '../../src/model/image';
import { jsonForm, runLines } from '../../src/model/print';
import { decline, Ecosystem, TransformInput, TransformResult } from '../../src/plan/ecosystem';
import { Plan, PlanStage, preserved, styleOf } from '../../src/plan/plan';
import { parseShell, ShellCommand } from '../../src/shell';
import type { Change, Finding } from '../../src/types';
import { instructionArgv } from '../common/command';
import { planDockerignore } from '../common/dockerignore';
import { healthTools, httpProbeOf, pythonHealthcheck } from '../common/healthcheck';
import { classifyOsPackages, isPinned, osInstallOf, OsManager, packageName } from '../common/ospackages';
import { Installer, PythonFacts, readPythonFacts, readRequirements, Requirement, SOURCE_BUILT_LIBS } from './facts';
import { copyOperands } from '../common/copy';

export const RULES = {
  stages: 'PY-STAGES',
  runtime: 'PY-RUNTIME',
  venv: 'PY-VENV',
  install: 'PY-FROZEN-INSTALL',
  cache: 'PY-CACHE-MOUNT',
  order: 'PY-CACHE-ORDER',
  os: 'PY-OS-PACKAGES',
  env: 'PY-ENV',
  user: 'PY-NONROOT',
  files: 'PY-RUNTIME-FILES',
  cmd: 'PY-CMD',
  runs: 'PY-RUNTIME-RUNS',
  health: 'PY-HEALTHCHECK',
  hygiene: 'PY-HYGIENE',
} as const;

export const DEFAULT_VENV = '/opt/venv';
/** The runtime user on slim and alpine (distroless has its own nonroot, 65532). */
export const APP_UID = 10001;

/** Packages that manage the venv itself, not the app: upgraded in the builder's venv. */
const VENV_TOOLS = new Set(['pip', 'setuptools', 'wheel']);
/** Installers installed into the builder's system Python, outside the app's venv. */
const INSTALLER_TOOLS = new Set(['poetry', 'uv', 'pipenv', 'pdm', 'hatch', 'pip-tools', 'poetry-plugin-export', 'virtualenv']);
/** Commands that set up the file system: moved to the runtime stage as they are. */
const SETUP_COMMANDS = new Set(['mkdir', 'echo', 'ln', 'useradd', 'groupadd', 'adduser', 'addgroup', 'chown', 'chmod', 'set', 'true', 'touch', 'rm', 'printf', 'install']);

interface CopyStep {
  ins: Instruction;
  sources: string[];
  dest: string;
  /** WORKDIR when it ran (relative destinations are relative to it). */
  wd: string;
}

interface InstallStep {
  /** Command text for the builder (already rewritten for the venv). */
  text: string;
  ins: Instruction;
  installer: Installer;
  /** Context files it reads (requirements, constraints, lockfiles) — copied before it. */
  inputs: string[];
  /** It installs the project itself (`pip install .`, `poetry install` without --no-root): needs the sources. */
  needsSources: boolean;
  /** Number of COPY steps seen before it in the original. */
  afterCopy: number;
  /** WORKDIR when it ran. */
  wd?: string;
  /** Its inputs are manifests/lockfiles copied as they are (not requirements files). */
  lockInputs?: boolean;
  /** `pip install .[extras]` of a project: its extras and options, to install the declared dependencies first. */
  project?: { extras: string[]; options: string[]; packages: string[] };
}

interface RuntimeRun {
  text: string;
  ins: Instruction;
  /** WORKDIR when it ran. */
  wd: string;
  /** The commands of `text` (joined with `&&`), when the RUN was a plain command list. */
  commands?: ShellCommand[];
}

interface Analysis {
  workdir: string;
  copies: CopyStep[];
  /** apt/apk packages as the original installed them (the builder gets them all). */
  osPackages: { manager: OsManager; packages: string[]; ins: Instruction; noRecommends: boolean }[];
  /** Runtime OS packages after the dev -> runtime split. */
  runtimeOs: string[];
  /** The run-time libraries among them that stand for a -dev package or a source-built extension (not the original's own packages). */
  derivedOs: string[];
  unknownOs: string[];
  /** Installer bootstrap (pip install poetry) into the builder's system Python. */
  tooling: string[];
  /** pip/setuptools/wheel upgrades inside the venv. */
  venvTooling: string[];
  installs: InstallStep[];
  /** Commands run after the sources are copied that may produce files (collectstatic, compileall). */
  buildCommands: { text: string; ins: Instruction; wd?: string }[];
  /** RUNs kept for the runtime, with the WORKDIR they ran in and, for a plain command list, its commands. */
  runtimeRuns: RuntimeRun[];
  kept: Instruction[];
  env: Instruction[];
  args: Instruction[];
  user: Instruction | null;
  entrypoint: Instruction | null;
  cmd: Instruction | null;
  healthcheck: Instruction | null;
  volumes: string[];
  venvPath: string;
  /** The original created a venv itself. */
  ownVenv: Instruction | null;
  comments: { install: string[]; build: string[]; copy: string[]; tooling: string[]; workdir: string[] };
}

function comments(ins: Instruction): string[] {
  return ins.leading.filter((l) => l.trim().startsWith('#'));
}

function words(c: ShellCommand): string[] {
  return c.argv.map((w) => w.value ?? w.text);
}

/** `pip`, `pip3`, `pip3.12`, `python -m pip`, `python3 -m pip`, `uv pip`: the index of the verb, or -1. */
export function pipVerbIndex(c: ShellCommand): { verb: number; uv: boolean; base: number } | null {
  const argv = words(c);
  const name = path.posix.basename(argv[0] ?? '');
  // pip's global options may come before the verb (`pip --disable-pip-version-check install …`).
  const skipGlobals = (i: number) => {
    while (i < argv.length && argv[i].startsWith('-')) i += PIP_GLOBAL_VALUED.has(argv[i]) ? 2 : 1;
    return i;
  };
  if (/^pip(\d(\.\d+)?)?$/.test(name)) return { verb: skipGlobals(1), uv: false, base: 1 };
  if (/^python(\d(\.\d+)?)?$/.test(name) && argv[1] === '-m' && argv[2] === 'pip') return { verb: skipGlobals(3), uv: false, base: 3 };
  if (name === 'uv' && argv[1] === 'pip') return { verb: 2, uv: true, base: 2 };
  return null;
}

const PIP_GLOBAL_VALUED = new Set(['--proxy', '--cert', '--client-cert', '--timeout', '--retries', '--log', '--cache-dir', '--python', '--exists-action', '--trusted-host', '--use-feature', '--use-deprecated', '--root-user-action']);

/** pip install flags that take a value (so their value is not read as a package). */
const PIP_VALUED = new Set(['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--trusted-host', '-t', '--target', '--prefix', '--root', '--python', '--platform', '--python-version', '--implementation', '--abi', '--no-binary', '--only-binary', '--progress-bar', '--root-user-action', '--src', '--upgrade-strategy', '-e', '--editable', '--cache-dir', '--timeout', '--retries', '--proxy', '--cert', '--client-cert']);
/** Flags dropped from the rewritten install: the venv and the cache mount make them wrong or moot. */
const PIP_DROPPED = new Set(['--no-cache-dir', '--user', '--break-system-packages', '--system', '--root-user-action', '--no-warn-script-location']);

interface PipInstall {
  requirements: string[];
  constraints: string[];
  packages: string[];
  local: string[];
  editable: string[];
  /** The rewritten command: `pip install …` without the dropped flags. */
  text: string;
  /** The options kept (quoted), without requirements, packages and targets. */
  options: string[];
  problem?: string;
}

export function parsePipInstall(c: ShellCommand): PipInstall | null {
  const at = pipVerbIndex(c);
  if (!at) return null;
  const argv = words(c);
  if (argv[at.verb] !== 'install') return null;
  const out: PipInstall = { requirements: [], constraints: [], packages: [], local: [], editable: [], text: '', options: [] };
  const kept: string[] = [];
  const rest = argv.slice(at.verb + 1);
  // A word with an expansion ("$DJANGO_VERSION") is kept as written, never re-quoted.
  const raw = c.argv.slice(at.verb + 1).map((w) => (w.value === null ? w.text : null));
  const q = (i: number, v: string) => raw[i] ?? quote(v);
  for (let i = 0; i < rest.length; i++) {
    let w = rest[i];
    let value: string | undefined;
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const flag = eq > 0 ? w.slice(0, eq) : w;
    if (eq > 0) value = w.slice(eq + 1);
    if (PIP_DROPPED.has(flag)) {
      if (flag === '--root-user-action' && eq < 0) i++;
      continue;
    }
    if (['-t', '--target', '--prefix', '--root'].includes(flag)) {
      out.problem = `'${flag}' installs outside the environment`;
    }
    if (w.startsWith('-') && PIP_VALUED.has(flag)) {
      const flagAt = i;
      if (value === undefined) {
        value = rest[++i];
        w = `${w} ${value ?? ''}`.trim();
      }
      if (flag === '-r' || flag === '--requirement') out.requirements.push(value ?? '');
      if (flag === '-c' || flag === '--constraint') out.constraints.push(value ?? '');
      if (flag === '-e' || flag === '--editable') out.editable.push(value ?? '');
      const opt = w.startsWith(flag + ' ') ? `${flag} ${q(i, value ?? '')}` : q(flagAt, w);
      kept.push(opt);
      if (!['-r', '--requirement', '-e', '--editable'].includes(flag)) out.options.push(opt);
      continue;
    }
    if (w.startsWith('-')) {
      kept.push(q(i, w));
      out.options.push(q(i, w));
      continue;
    }
    if (isLocalTarget(w)) out.local.push(w);
    else out.packages.push(raw[i] ?? w);
    kept.push(q(i, w));
  }
  const globals = c.argv.slice(at.base, at.verb).map((w) => (w.value === null ? w.text : quote(w.value))).filter((w) => !PIP_DROPPED.has(w));
  out.text = `${at.uv ? 'uv pip' : 'pip'} install ${[...globals, ...kept].join(' ')}`.trim();
  return out;
}

/** `.`, `.[extra]`, `./pkg`, `../x`, `/abs`, `pkg/` (a directory), an archive or wheel path, `name @ file:…`. */
export function isLocalTarget(w: string): boolean {
  const bare = w.replace(/\[[^\]]*\]$/, '');
  return bare === '.' || bare === '..' || /^\.{1,2}\//.test(bare) || bare.startsWith('/') || bare.endsWith('/') || /\.(whl|tar\.gz|zip|tgz)$/.test(bare) || /@\s*file:/.test(w) || w.startsWith('file:');
}

function quote(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./~-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function pkgName(spec: string): string {
  return spec.replace(/[\[<>=!~;@ ].*$/, '').toLowerCase().replace(/[-_.]+/g, '-');
}

function analyze(input: TransformInput, facts: PythonFacts, findings: Finding[]): Analysis | string {
  const { model } = input;
  const stage = model.stages[0];
  const a: Analysis = {
    workdir: '/',
    copies: [],
    osPackages: [],
    runtimeOs: [],
    derivedOs: [],
    unknownOs: [],
    tooling: [],
    venvTooling: [],
    installs: [],
    buildCommands: [],
    runtimeRuns: [],
    kept: [],
    env: [],
    args: [],
    user: null,
    entrypoint: null,
    cmd: null,
    healthcheck: null,
    volumes: [],
    venvPath: DEFAULT_VENV,
    ownVenv: null,
    comments: { install: [], build: [], copy: [], tooling: [], workdir: [] },
  };
  for (const ins of stage.instructions) {
    const line = ins.startLine + 1;
    switch (ins.keyword) {
      case 'WORKDIR': {
        const next = nextWorkdir(ins, a.workdir);
        if (next.declined !== undefined) return next.declined;
        a.workdir = next.dir;
        a.comments.workdir.push(...comments(ins));
        break;
      }
      case 'COPY':
      case 'ADD': {
        const operands = copyOperands(ins);
        if (typeof operands === 'string') return operands;
        const { sources: parts, dest } = operands;
        a.copies.push({ ins, sources: parts, dest, wd: a.workdir });
        a.comments.copy.push(...comments(ins));
        break;
      }
      case 'RUN': {
        if (ins.heredoc) return `RUN at line ${line} uses a heredoc`;
        if (ins.flags.length) return `RUN at line ${line} has flags (${ins.flags.map((f) => `--${f.name}`).join(' ')}); not rewritten`;
        const script = ins.json ? null : parseShell(ins.body);
        if (!script || !script.ok || script.complex || script.commands.some((c) => c.next === '||' || c.next === '&')) {
          if (a.installs.length === 0) return `RUN at line ${line} is not a plain command list and runs before the install; it may prepare it`;
          a.runtimeRuns.push({ text: ins.lines.join('\n'), ins, wd: a.workdir });
          break;
        }
        const rest: string[] = [];
        const restCommands: ShellCommand[] = [];
        let role: 'install' | 'tooling' | 'build' | null = null;
        for (const c of script.commands) {
          if (c.inPipeline || c.inSubshell) return `RUN at line ${line} pipes or groups commands ('${c.text}'); not moved`;
          const argv = words(c);
          const name = path.posix.basename(argv[0] ?? '');
          const os = osInstallOf(c);
          if (os) {
            if (os.kind === 'install') {
              a.osPackages.push({ manager: os.manager, packages: os.packages, ins, noRecommends: c.argv.some((w) => w.value === '--no-install-recommends') });
              // The runtime is the slim image of the builder's release: a pinned -dev's version exists there.
              const split = classifyOsPackages(os.manager, os.packages, { pinLibs: true });
              a.runtimeOs.push(...split.runtime);
              a.derivedOs.push(...split.libs);
              a.unknownOs.push(...split.unknown);
              role ??= 'tooling';
            } else if (os.kind === 'other') {
              rest.push(c.text);
              restCommands.push(c);
            }
            // 'remove' (apt-get purge gcc, apk del .build-deps): the build packages never reach the runtime.
            continue;
          }
          if (c.assigns.length && argv.length === 0) return `'${c.text}' at line ${line} sets a shell variable; not moved`;
          if (/^python(\d(\.\d+)?)?$/.test(name) && argv[1] === '-m' && (argv[2] === 'venv' || argv[2] === 'virtualenv') || name === 'virtualenv') {
            const target = argv.slice(name === 'virtualenv' ? 1 : 3).filter((w) => !w.startsWith('-'));
            if (target.length !== 1 || target[0].includes('$')) return `'${c.text}' at line ${line}: a virtualenv whose path is not literal`;
            a.venvPath = resolveDir(a.workdir, target[0]);
            a.ownVenv = ins;
            continue;
          }
          const pip = parsePipInstall(c);
          if (pip) {
            if (pip.problem) return `'${c.text}' at line ${line}: ${pip.problem}`;
            const names = pip.packages.map(pkgName);
            const onlyPackages = pip.requirements.length === 0 && pip.local.length === 0 && pip.editable.length === 0 && pip.constraints.length === 0;
            if (onlyPackages && names.length && names.every((n) => VENV_TOOLS.has(n))) {
              a.venvTooling.push(pip.text);
              role ??= 'tooling';
              continue;
            }
            if (onlyPackages && names.length && names.every((n) => INSTALLER_TOOLS.has(n))) {
              a.tooling.push(c.text);
              role ??= 'tooling';
              continue;
            }
            const local = [...pip.local, ...pip.editable.filter((e) => !/^(git\+|https?:)/.test(e))];
            const projectTargets = pip.local.filter((l) => /^\.\/?(\[[^\]]*\])?$/.test(l));
            const project = projectTargets.length === pip.local.length && projectTargets.length === 1 && pip.editable.length === 0 && pip.requirements.length === 0
              ? { extras: (/\[([^\]]*)\]/.exec(projectTargets[0])?.[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean), options: pip.options, packages: pip.packages }
              : undefined;
            a.installs.push({
              project,
              text: pip.text,
              ins,
              installer: pipVerbIndex(c)!.uv ? 'uv' : 'pip',
              inputs: [...pip.requirements, ...pip.constraints],
              needsSources: local.length > 0 || pip.requirements.some((r) => requirementsNeedSources(input, a, r)),
              afterCopy: a.copies.length,
            });
            role = 'install';
            continue;
          }
          if (/^python(\d(\.\d+)?)?$/.test(name) && argv[1] === 'setup.py' && (argv[2] === 'install' || argv[2] === 'develop') && c.assigns.length === 0) {
            // The legacy project install: the venv's python puts the project into the venv.
            a.installs.push({ text: argv.map(quote).join(' '), ins, installer: 'pip', inputs: [], needsSources: true, afterCopy: a.copies.length });
            role = 'install';
            continue;
          }
          const pipAt = pipVerbIndex(c);
          if (pipAt) {
            const verb = argv[pipAt.verb];
            if (verb === 'uninstall') {
              a.installs.push({ text: `pip ${argv.slice(pipAt.verb).map(quote).join(' ')}`, ins, installer: 'pip', inputs: [], needsSources: false, afterCopy: a.copies.length });
              continue;
            }
            if (verb === 'cache' || verb === 'config' || verb === 'list' || verb === 'freeze' || verb === 'check' || verb === '--version' || verb === '-V') continue;
            return `'${c.text}' at line ${line}: pip ${verb} is not rewritten`;
          }
          if (name === 'poetry') {
            const verb = argv.slice(1).find((w) => !w.startsWith('-'));
            if (verb === 'config' || verb === 'self' || verb === 'check' || verb === '--version') continue;
            if (verb === 'install' || verb === 'sync') {
              if (!argv.some((w) => /^--(only|without)(=|$)/.test(w) || w === '--no-dev')) {
                findings.push({ ruleId: RULES.install, severity: 'info', line, message: "the original installed every dependency group; the venv gets the main group only ('--only main'): dev tools stay out of the image", fixed: true });
              }
              a.installs.push(poetryInstall(c, ins, a.copies.length, facts));
              role = 'install';
              continue;
            }
            return `'${c.text}' at line ${line}: poetry ${verb ?? ''} is not rewritten`;
          }
          if (name === 'uv') {
            const verb = argv[1];
            if (verb === 'sync') {
              if (!argv.includes('--no-dev')) {
                findings.push({ ruleId: RULES.install, severity: 'info', line, message: "the original synced the dev dependency group too; the venv gets production dependencies only ('--no-dev')", fixed: true });
              }
              a.installs.push(uvSync(c, ins, a.copies.length));
              role = 'install';
              continue;
            }
            if (verb === 'venv') continue;
            return `'${c.text}' at line ${line}: uv ${verb ?? ''} is not rewritten`;
          }
          if (name === 'pipenv') {
            const verb = argv.slice(1).find((w) => !w.startsWith('-'));
            if (verb === 'lock' || verb === '--version') continue;
            if ((verb === 'install' || verb === 'sync') && argv.slice(2).every((w) => w.startsWith('-'))) {
              if (!input.ctx.exists('Pipfile.lock')) return `'${c.text}' at line ${line}: pipenv without Pipfile.lock in the build context resolves afresh; not rewritten`;
              if (argv.includes('--dev') || argv.includes('-d')) {
                findings.push({ ruleId: RULES.install, severity: 'info', line, message: "the original installed the [dev-packages] too; the venv gets [packages] only", fixed: true });
              }
              // Pipfile.lock exported (with its hashes) and installed by the venv's pip: frozen, and in the venv.
              a.installs.push({ text: 'pipenv requirements --hash > /tmp/pipfile-requirements.txt && pip install --require-hashes -r /tmp/pipfile-requirements.txt', ins, installer: 'pip', inputs: ['Pipfile', 'Pipfile.lock'], needsSources: pipfileNeedsSources(input), afterCopy: a.copies.length, lockInputs: true });
              role = 'install';
              continue;
            }
            return `'${c.text}' at line ${line}: pipenv ${verb ?? ''} is not rewritten`;
          }
          if (name === 'pdm' || name === 'hatch' || name === 'conda' || name === 'mamba') {
            return `'${c.text}' at line ${line}: ${name} installs are not rewritten (pip, uv and poetry are)`;
          }
          if (name === 'cd') return `'cd' at line ${line} changes directory inside RUN; use WORKDIR`;
          if (a.installs.length === 0 && !SETUP_COMMANDS.has(name)) {
            return `'${c.text}' at line ${line} runs before the dependency install and may prepare it; not moved`;
          }
          if (/^python(\d(\.\d+)?)?$/.test(name) || ['django-admin', 'flask', 'pybabel', 'make', 'npm', 'npx', 'pytest', 'mkdocs', 'sphinx-build'].includes(name)) {
            if (name === 'pytest') continue; // tests gate the original build; they are not run by the rewrite
            // Only steps known to write into the app directory (or the venv) move to the builder: any
            // other script may write elsewhere (~/nltk_data, /usr/share/…) and the runtime would lack it.
            if (/^python/.test(name) && !writesIntoApp(argv)) return `'${c.text}' at line ${line} may write files outside the app directory and the venv; not moved`;
            a.buildCommands.push({ text: c.text, ins });
            role = 'build';
            continue;
          }
          rest.push(c.text);
          restCommands.push(c);
        }
        for (const i of a.installs) i.wd ??= a.workdir;
        for (const b of a.buildCommands) b.wd ??= a.workdir;
        if (role === 'install') a.comments.install.push(...comments(ins));
        else if (role === 'tooling') a.comments.tooling.push(...comments(ins));
        else if (role === 'build') a.comments.build.push(...comments(ins));
        if (rest.length) a.runtimeRuns.push({ text: `RUN ${rest.join(' && ')}`, ins, wd: a.workdir, commands: restCommands });
        break;
      }
      case 'ENV':
        a.env.push(ins);
        a.kept.push(ins);
        break;
      case 'ARG':
        a.args.push(ins);
        a.kept.push(ins);
        break;
      case 'VOLUME': {
        const vols = ins.json ?? ins.args;
        a.volumes.push(...vols.filter((v) => !v.includes('$')).map((v) => resolveDir(a.workdir, v)));
        a.kept.push(ins);
        break;
      }
      default: {
        const declined = takeRuntimeInstruction(ins, a, { keepHealthcheck: false });
        if (declined) return declined;
      }
    }
  }
  return a;
}

/** A COPY line whose relative destination is made absolute (it ran under an earlier WORKDIR). */
function absoluteDest(c: CopyStep): string {
  const dir = c.dest === '.' || c.dest === './' || c.dest.endsWith('/') || c.dest === '..';
  const abs = resolveDir(c.wd, c.dest);
  const dest = dir && abs !== '/' ? `${abs}/` : abs;
  const first = c.ins.lines[0];
  if (c.ins.json) return `${first.slice(0, first.indexOf('['))}${jsonForm([...c.sources, dest])}`;
  return first.replace(/\S+\s*$/, dest);
}

/** `python manage.py …`, `python -m compileall …`, `python setup.py build…`, `python -m spacy download …`: output in the app dir or the venv. */
function writesIntoApp(argv: string[]): boolean {
  const args = argv.slice(1).filter((w) => !/^-[BOuOsSq]+$/.test(w));
  if (args[0] === 'manage.py' || args[0]?.endsWith('/manage.py')) return true;
  if (args[0] === 'setup.py' && /^(build|build_ext|build_py|bdist_wheel|sdist|compile_catalog)$/.test(args[1] ?? '')) return true;
  if (args[0] === '-m' && ['compileall', 'py_compile'].includes(args[1] ?? '')) return true;
  if (args[0] === '-m' && args[1] === 'spacy' && args[2] === 'download') return true;
  return false;
}

/** A Pipfile package given by path (`{path = ".", editable = true}`): installing needs the sources. */
function pipfileNeedsSources(input: TransformInput): boolean {
  const doc = input.ctx.readToml<Record<string, Record<string, unknown>>>('Pipfile');
  return Object.values(doc?.packages ?? {}).some((v) => typeof v === 'object' && v !== null && 'path' in (v as Record<string, unknown>));
}

/** A requirements file that lists `.`/`-e .`/local paths: installing it needs the sources. */
function requirementsNeedSources(input: TransformInput, a: Analysis, file: string): boolean {
  const rel = contextPathOf(a, file);
  if (rel === null) return true;
  const tree = readRequirements(input.ctx, rel);
  return tree.requirements.some((r: Requirement) => r.local);
}

/** The context path a file the Dockerfile refers to (relative to WORKDIR) was copied from; null when unknown. */
function contextPathOf(a: Analysis, file: string, wd = a.workdir): string | null {
  const abs = resolveDir(wd, file);
  for (const c of [...a.copies].reverse()) {
    const dest = resolveDir(c.wd, c.dest);
    const destIsDir = c.dest.endsWith('/') || c.sources.length > 1 || c.dest === '.' || dest === c.wd;
    for (const s of c.sources) {
      const src = s.replace(/^\.\//, '').replace(/\/$/, '');
      if (src === '.' || src === '') {
        if (abs.startsWith(dest === '/' ? '/' : `${dest}/`)) return path.posix.relative(dest, abs);
        continue;
      }
      if (destIsDir) {
        if (abs === path.posix.join(dest, path.posix.basename(src))) return src;
        if (abs.startsWith(path.posix.join(dest, path.posix.basename(src)) + '/')) return path.posix.join(src, path.posix.relative(path.posix.join(dest, path.posix.basename(src)), abs));
      } else if (abs === dest) return src;
    }
  }
  return null;
}

function poetryInstall(c: ShellCommand, ins: Instruction, afterCopy: number, facts: PythonFacts): InstallStep {
  const argv = words(c);
  const noRoot = argv.includes('--no-root') || argv.includes('--only-root') === false && facts.pyproject?.poetryPackageMode === false;
  const keep = argv.slice(1).filter((w) => !['--no-interaction', '-n', '--no-ansi', '--no-root', '--no-dev', '--without-dev', '--sync'].includes(w) && !/^--(only|without|with)(=|$)/.test(w));
  // Production dependencies only, into the activated venv (Poetry uses $VIRTUAL_ENV).
  const groups = argv.some((w) => /^--(only|without|with)(=|$)/.test(w)) ? argv.filter((w, i) => /^--(only|without|with)(=|$)/.test(w) || /^--(only|without|with)$/.test(argv[i - 1] ?? '')) : ['--only', 'main'];
  const text = ['poetry', ...keep, ...groups, '--no-interaction', '--no-ansi', ...(noRoot ? ['--no-root'] : [])].map(quote).join(' ');
  return { text, ins, installer: 'poetry', inputs: ['pyproject.toml', 'poetry.lock'], needsSources: !noRoot, afterCopy };
}

function uvSync(c: ShellCommand, ins: Instruction, afterCopy: number): InstallStep {
  const argv = words(c);
  const extra = argv.slice(2).filter((w) => !['--frozen', '--locked', '--no-dev'].includes(w));
  const noProject = argv.includes('--no-install-project');
  const text = ['uv', 'sync', '--frozen', '--no-dev', ...extra].map(quote).join(' ');
  return { text, ins, installer: 'uv', inputs: ['pyproject.toml', 'uv.lock'], needsSources: !noProject, afterCopy };
}

const RUNNERS = new Set(['uv', 'poetry', 'pipenv', 'pdm']);
/** Options of `uv run`/`poetry run` that only concern syncing: with a prebuilt venv they can go. */
const RUNNER_SAFE_FLAGS = new Set(['--no-sync', '--frozen', '--locked', '--no-dev', '--offline', '-q', '--quiet', '--no-project', '--active', '--no-interaction', '-n', '--no-ansi']);

/** `uv run [--no-sync …] X args` / `poetry run X args` -> `X args`; null when not a runner; 'unsafe' when an option needs the installer. */
export function unwrapRunner(argv: string[]): string[] | null | 'unsafe' {
  const name = path.posix.basename(argv[0] ?? '');
  if (!RUNNERS.has(name)) return null;
  let i = 1;
  while (i < argv.length && argv[i].startsWith('-') && RUNNER_SAFE_FLAGS.has(argv[i])) i++;
  if (argv[i] !== 'run') return name === 'uv' || name === 'poetry' ? 'unsafe' : null;
  i++;
  while (i < argv.length && argv[i].startsWith('-')) {
    if (argv[i] === '--') {
      i++;
      break;
    }
    if (!RUNNER_SAFE_FLAGS.has(argv[i])) return 'unsafe';
    i++;
  }
  const rest = argv.slice(i);
  if (rest.length === 0) return 'unsafe';
  // `uv run app.py` runs a script with python.
  if (name === 'uv' && /\.py$/.test(rest[0])) return ['python', ...rest];
  return rest;
}

export type PythonFamily = 'slim' | 'alpine' | 'distroless';

/** The runtime image for a builder tag: `3.12` -> `python:3.12-slim`, `3.12-bookworm` -> `python:3.12-slim-bookworm`. */
export function pythonRuntimeImage(tag: string | null, family: PythonFamily): string {
  if (family === 'distroless') return 'gcr.io/distroless/python3-debian13:nonroot';
  const version = tagVersion(tag);
  const variant = tagVariant(tag);
  if (family === 'alpine') {
    if (variant.includes('alpine')) return `python:${tag}`;
    return `python:${version ?? '3'}-alpine`;
  }
  if (variant.includes('slim')) return `python:${tag}`;
  const distro = /^(bookworm|bullseye|buster|trixie)$/.exec(variant)?.[1];
  if (!tag || tag === 'latest') return 'python:slim';
  if (!version) return `python:${tag}-slim`;
  return `python:${version}-slim${distro ? `-${distro}` : ''}`;
}

/** The Debian release of an official python tag: explicit, or the default of its version. */
export function debianOfTag(tag: string | null): 'bookworm' | 'trixie' | 'bullseye' | 'buster' | null {
  const m = /(bookworm|trixie|bullseye|buster)/.exec(tag ?? '');
  if (m) return m[1] as 'bookworm';
  if (/alpine/.test(tag ?? '')) return null;
  // The official images moved their default to trixie when Debian 13 was released (3.9–3.14).
  return 'trixie';
}

/** Debian 13 renamed some libraries (64-bit time_t, soname bumps); the table is bookworm's. */
export const TRIXIE_NAMES: Record<string, string> = {
  'libldap-2.5-0': 'libldap2',
  'libpng16-16': 'libpng16-16t64',
  'libreadline8': 'libreadline8t64',
  'libcurl4': 'libcurl4t64',
  'libgeos-c1v5': 'libgeos-c1t64',
  'libmagic1': 'libmagic1t64',
  'libvips42': 'libvips42t64',
  'libhdf5-103-1': 'libhdf5-310',
  'libproj25': 'libproj25',
};

function transformPython(input: TransformInput): TransformResult {
  const { model, ctx, options } = input;
  if (model.stages.length !== 1) return decline('already multi-stage');
  const stage = model.stages[0];
  const base = parseImage(stage.image);
  if (base.repo !== 'python') return decline(`base image '${stage.image}' is not an official python image`);
  if (base.dynamic) return decline(`base image '${stage.image}' is set by a build argument`);
  const facts = readPythonFacts(ctx);
  const findings: Finding[] = [];
  const changes: Change[] = [];
  const analysis = analyze(input, facts, findings);
  if (typeof analysis === 'string') return decline(analysis, findings);
  const a = analysis;
  const style = styleOf(model);
  const fromLine = stage.from.startLine + 1;
  const variant = tagVariant(base.tag);
  const alpine = variant.includes('alpine');
  const version = tagVersion(base.tag);
  const debian = debianOfTag(base.tag);
  const osManager: OsManager = alpine ? 'apk' : 'apt';

  // Dependencies built from source on the full image, whose headers it already has.
  const installedNames = new Set<string>();
  for (const i of a.installs) {
    for (const inp of i.inputs) {
      const rel = contextPathOf(a, inp, i.wd);
      if (rel) for (const r of readRequirements(ctx, rel).requirements) if (r.name) installedNames.add(r.name);
    }
    for (const w of i.text.split(' ')) if (/^[A-Za-z]/.test(w)) installedNames.add(w.replace(/[\[<>=!~;].*$/, '').toLowerCase());
    if (i.installer !== 'pip' && facts.pyproject) for (const d of facts.pyproject.dependencies) installedNames.add(d.replace(/[\[<>=!~; (].*$/, '').toLowerCase());
  }
  if (a.installs.some((i) => i.needsSources) && facts.pyproject) for (const d of facts.pyproject.dependencies) installedNames.add(d.replace(/[\[<>=!~; (].*$/, '').toLowerCase());
  // The full image has their headers and libraries; slim and alpine have neither, so there the original
  // built them only against the -dev packages it installed (the table above gives their libraries).
  const sourceBuilt = Object.keys(SOURCE_BUILT_LIBS).filter((n) => installedNames.has(n));
  for (const n of sourceBuilt) {
    const libs = SOURCE_BUILT_LIBS[n][osManager];
    const fresh = libs.filter((l) => !a.runtimeOs.some((p) => packageName(p) === l));
    if (!fresh.length) continue;
    if (!variantIsSlim(variant)) {
      a.runtimeOs.push(...fresh);
      a.derivedOs.push(...fresh);
      changes.push({ ruleId: RULES.os, line: fromLine, message: `${n} is compiled against ${fresh.join(', ')}: installed in the runtime` });
    } else if (a.runtimeOs.every((p) => a.derivedOs.includes(p))) {
      // Only the table's libraries reach the runtime: none of the original's packages may carry it.
      findings.push({ ruleId: RULES.os, severity: 'warning', line: fromLine, message: `${n} builds from source against ${fresh.join(', ')}, and neither ${stage.image} nor the Dockerfile installs a -dev package for it: as in the original, the install fails unless a wheel brings its own copy; the runtime adds nothing the original lacked`, fixed: false });
    }
  }

  // Nothing to install: a standard-library app gains nothing from stages.
  if (a.installs.length === 0) return hygiene(input, a, facts, findings);

  // The venv must not sit inside the app directory (WORKDIR /opt): the runtime would copy it twice,
  // the second time owned by the app user.
  const installWd = a.installs[0].wd ?? a.workdir;
  const venvMoved = !a.ownVenv && installWd !== '/' && (a.venvPath === installWd || a.venvPath.startsWith(`${installWd}/`));
  if (venvMoved) a.venvPath = '/venv';

  // Command-line tools the original installed stay in the runtime when the app runs programs.
  const tools = [...new Set(a.osPackages.flatMap((p) => p.packages.map((x) => x.replace(/[=:].*$/, ''))))].filter((x) => RUNTIME_TOOLS.has(x));
  if (tools.length) {
    const caller = runsProgramsIn(ctx);
    if (caller) {
      a.runtimeOs.push(...tools.filter((t) => !a.runtimeOs.includes(t)));
      findings.push({ ruleId: RULES.os, severity: 'info', line: a.osPackages[0].ins.startLine + 1, message: `${caller} runs other programs: ${tools.join(', ')} stay${tools.length === 1 ? 's' : ''} in the runtime`, fixed: true });
    }
  }

  // ----- runtime family
  const slimReasons: string[] = [];
  const releaseName = (p: string) => {
    const name = packageName(p);
    return debian === 'trixie' && TRIXIE_NAMES[name] ? TRIXIE_NAMES[name] + p.slice(name.length) : p;
  };
  const runtimeOs = dedupe(a.runtimeOs.map(releaseName));
  const derivedOs = new Set(a.derivedOs.map(releaseName));
  if (runtimeOs.length) slimReasons.push(`the app needs OS packages at run time (${runtimeOs.join(', ')})`);
  if (a.runtimeRuns.length) slimReasons.push(`RUN at line ${a.runtimeRuns[0].ins.startLine + 1} must run in the runtime`);
  let epArgv = instructionArgv(a.entrypoint);
  let cmdArgv = instructionArgv(a.cmd);
  // `uv run X`, `poetry run X`: the runtime has no installer, and with the venv on PATH they are `X`.
  const starter = a.entrypoint ?? a.cmd;
  let unwrappedRunner: { ins: Instruction; argv: string[]; from: string[] } | null = null;
  if (starter) {
    const argv = a.entrypoint ? epArgv : cmdArgv;
    if (argv) {
      const u = unwrapRunner(argv);
      if (u === 'unsafe') return decline(`${starter.keyword} at line ${starter.startLine + 1} runs '${argv.slice(0, 3).join(' ')}' with options that need the installer at run time`, findings);
      const systemPath = !u && /^\/usr\/local\/bin\/[^/]+$/.test(argv[0] ?? '') ? [`${a.venvPath}/bin/${path.posix.basename(argv[0])}`, ...argv.slice(1)] : null;
      if (u || systemPath) {
        unwrappedRunner = { ins: starter, argv: (u || systemPath) as string[], from: argv };
        if (a.entrypoint) epArgv = u;
        else cmdArgv = u;
      }
    } else if (RUNNERS.has(path.posix.basename(parseShell(starter.body).commands[0]?.name ?? '')) && /\brun\b/.test(starter.body)) {
      return decline(`${starter.keyword} at line ${starter.startLine + 1} starts the app through an installer in shell form; not rewritten`, findings);
    }
  }
  if (a.entrypoint && !epArgv) slimReasons.push('ENTRYPOINT is a shell command');
  if (a.cmd && !cmdArgv) slimReasons.push('CMD is a shell command');
  if (!a.cmd && !a.entrypoint) slimReasons.push('no CMD');
  const healthProbe = a.healthcheck ? httpProbeOf(a.healthcheck) : null;
  if (a.healthcheck && !healthProbe && !/^NONE$/i.test(a.healthcheck.body.trim())) {
    const tools = healthTools(a.healthcheck).filter((t) => !/^python/.test(t));
    if (tools.length) slimReasons.push(`HEALTHCHECK runs ${tools.join(', ')}`);
  }
  const requested = options.runtime ?? 'auto';
  let family: PythonFamily;
  if (requested === 'scratch') {
    findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: 'scratch has no Python interpreter; using the automatic choice', fixed: false });
  }
  const py313trixie = version !== null && /^3\.13(\.|$)/.test(version) && debian === 'trixie';
  if (alpine) {
    family = 'alpine';
  } else if (requested === 'alpine') {
    family = 'slim';
    findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: 'an alpine (musl) runtime cannot run a venv built on glibc; using -slim', fixed: false });
  } else if ((requested === 'distroless' || requested === 'auto') && py313trixie && slimReasons.length === 0) {
    family = 'distroless';
  } else {
    family = 'slim';
    if (requested === 'distroless' && !py313trixie) {
      findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: `distroless python3-debian13 has Python 3.13 only; the builder is Python ${version ?? base.tag ?? 'latest'}, using -slim`, fixed: false });
    } else if (requested === 'distroless') {
      findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: `distroless is not possible: ${slimReasons.join('; ')}; using -slim`, fixed: false });
    }
  }
  const runtimeImage = pythonRuntimeImage(base.tag, family);
  const venv = a.venvPath;
  const wd = a.workdir;
  // The installs and build steps run in one WORKDIR (the builder's); the runtime ends in the last one.
  const bwd = a.installs[0].wd ?? wd;
  const stray = [...a.installs, ...a.buildCommands].find((x) => (x.wd ?? wd) !== bwd);
  if (stray) return decline(`line ${stray.ins.startLine + 1} runs in WORKDIR ${stray.wd}, the install in ${bwd}; not rewritten`, findings);
  for (const c of a.copies) {
    if (c.ins.lines.length > 1 && c.wd !== wd && !c.dest.startsWith('/')) return decline(`${c.ins.keyword} at line ${c.ins.startLine + 1} copies relative to an earlier WORKDIR over several lines`, findings);
  }
  // Distroless runs Debian's /usr/bin/python3.13: the venv is made by that same interpreter in a
  // debian:trixie-slim builder, so its bin/python symlink resolves in the runtime.
  const builderImage = family === 'distroless' ? 'debian:trixie-slim' : stage.image;
  changes.push({
    ruleId: RULES.runtime,
    line: fromLine,
    message:
      family === 'distroless'
        ? `runtime on ${runtimeImage}: Python 3.13 on Debian 13 like the builder, no OS packages or shell needed; the venv is built with Debian's python3 in debian:trixie-slim so its interpreter path exists there`
        : family === 'alpine'
          ? `runtime on ${runtimeImage}: the musl family of the original (its wheels are musl wheels)`
          : `runtime on ${runtimeImage}: the builder's Python ${version ?? (base.tag ?? 'latest')} on the same Debian, without compilers and headers${slimReasons.length && requested === 'auto' && py313trixie ? ` (not distroless: ${slimReasons.join('; ')})` : ''}`,
  });
  if (isFloatingTag(base.tag) || !version || !/^\d+\.\d+/.test(version)) {
    findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: `the tag '${base.tag ?? 'latest'}' does not pin Python's minor version: builder and runtime must resolve to the same X.Y for the venv to work; pin it (e.g. python:3.12)`, fixed: false });
  }
  if (a.unknownOs.length) {
    findings.push({ ruleId: RULES.os, severity: 'info', line: a.osPackages[0]?.ins.startLine + 1, message: `OS packages not in the dev -> runtime table are kept in the runtime: ${[...new Set(a.unknownOs)].join(', ')}`, fixed: false });
  }

  // ----- builder
  const bl: string[] = [];
  const preambleUpTo = a.installs[0].ins;
  for (const ins of [...a.args, ...a.env].sort((x, y) => x.index - y.index)) if (ins.index < preambleUpTo.index) bl.push(...preserved(ins));
  if (family === 'distroless') {
    bl.push(...runLines([], ['apt-get update', 'apt-get install -y --no-install-recommends python3 python3-venv', 'rm -rf /var/lib/apt/lists/*'], style));
  }
  if (a.osPackages.length || a.tooling.length) bl.push(...dedupe(a.comments.tooling));
  if (a.osPackages.length) {
    // The builder installs what the original did, recommends included unless it left them out
    // (gcc recommends libc6-dev, which a slim builder needs).
    const byMgr = new Map<string, string[]>();
    for (const p of a.osPackages) {
      const key = `${p.manager}${p.noRecommends ? ' --no-install-recommends' : ''}`;
      byMgr.set(key, [...(byMgr.get(key) ?? []), ...p.packages]);
    }
    for (const [key, pkgs] of byMgr) {
      const uniq = [...new Set(pkgs)];
      if (key === 'apk') bl.push(...runLines([], [`apk add --no-cache ${uniq.join(' ')}`], style));
      else bl.push(...runLines([], ['apt-get update', `apt-get install -y${key.slice(3)} ${uniq.join(' ')}`, 'rm -rf /var/lib/apt/lists/*'], style));
    }
    const build = classifyOsPackages(osManager, [...new Set(a.osPackages.flatMap((p) => p.packages))]).build;
    if (build.length) changes.push({ ruleId: RULES.os, line: a.osPackages[0].ins.startLine + 1, message: `build-only OS packages stay in the builder: ${build.join(', ')}` });
  }
  if (a.tooling.length) bl.push(...runLines([], dedupe(a.tooling), style));
  const py = family === 'distroless' ? 'python3' : 'python';
  bl.push(`RUN ${py} -m venv ${venv}`);
  const venvEnv = `ENV VIRTUAL_ENV=${venv} PATH="${venv}/bin:$PATH"`;
  bl.push(venvEnv);
  if (a.ownVenv) changes.push({ ruleId: RULES.venv, line: a.ownVenv.startLine + 1, message: `the original's virtualenv ${venv} is created in the builder and copied to the runtime` });
  else changes.push({ ruleId: RULES.venv, line: a.installs[0].ins.startLine + 1, message: `dependencies are installed into a virtualenv at ${venv} in the builder; the runtime copies that directory only${venvMoved ? ` (not ${DEFAULT_VENV}: that is inside the app directory ${installWd})` : ''}` });
  const cache = (installer: Installer) => {
    if (installer === 'uv') return 'target=/root/.cache/uv';
    if (installer === 'poetry') return 'target=/root/.cache/pypoetry';
    return 'target=/root/.cache/pip';
  };
  const env = (installer: Installer) => (installer === 'uv' ? `UV_PROJECT_ENVIRONMENT=${venv} UV_LINK_MODE=copy ` : '');
  // A RUN that only upgraded pip/setuptools keeps its comment above the venv's upgrade.
  if (a.venvTooling.length) bl.push(...(a.osPackages.length || a.tooling.length ? [] : dedupe(a.comments.tooling)), ...runLines([`--mount=type=cache,${cache('pip')}`], dedupe(a.venvTooling), style));
  if (a.comments.workdir.length) bl.push(...a.comments.workdir);
  bl.push(`WORKDIR ${bwd}`);

  // Inputs of the dependency installs copied first, then the installs that do not need sources.
  const depInstalls = a.installs.filter((i, k) => !i.needsSources && a.installs.slice(0, k).every((p) => !p.needsSources));
  const srcInstalls = a.installs.filter((i) => !depInstalls.includes(i));
  const inputFiles: string[] = [];
  /** context path -> where the install expects it (absolute). */
  const inputTargets = new Map<string, string>();
  let inputsKnown = true;
  for (const i of depInstalls) {
    for (const f of i.inputs) {
      const relp = contextPathOf(a, f, i.wd);
      const requirementsFile = !i.lockInputs && (i.installer === 'pip' || (i.installer === 'uv' && !f.endsWith('.lock') && !f.endsWith('pyproject.toml')));
      if (relp === null) {
        // A lockfile the context does not have is not an input; anything else unknown is.
        if (requirementsFile || ctx.exists(f)) inputsKnown = false;
        continue;
      }
      if (requirementsFile) {
        const tree = readRequirements(ctx, relp);
        if (tree.missing.length) findings.push({ ruleId: RULES.install, severity: 'warning', line: i.ins.startLine + 1, message: `${relp} includes ${tree.missing.join(', ')}, which is not in the build context`, fixed: false });
        // A file absent from this context is still copied as the original did (its build needs it too).
        if (tree.files.length === 0) tree.files.push(relp);
        inputFiles.push(...tree.files);
        const abs = resolveDir(i.wd ?? bwd, f);
        for (const tf of tree.files) inputTargets.set(tf, tf === relp ? abs : path.posix.join(path.posix.dirname(abs), path.posix.relative(path.posix.dirname(relp), tf)));
        const unpinned = tree.requirements.filter((r) => r.name && !r.pinned);
        if (unpinned.length) {
          findings.push({ ruleId: RULES.install, severity: 'info', line: i.ins.startLine + 1, message: `${unpinned.length} requirement(s) not pinned with == (${unpinned.slice(0, 3).map((r) => r.text).join(', ')}${unpinned.length > 3 ? ', …' : ''}): installs are not reproducible; pin them (pip-compile, uv pip compile)`, fixed: false });
        }
      } else if (ctx.exists(relp)) {
        inputFiles.push(relp);
        inputTargets.set(relp, resolveDir(i.wd ?? bwd, f));
      }
    }
    if (i.installer === 'poetry' && !ctx.exists('poetry.lock')) findings.push({ ruleId: RULES.install, severity: 'warning', line: i.ins.startLine + 1, message: 'no poetry.lock in the build context: the install resolves afresh; commit the lockfile', fixed: false });
    if (i.installer === 'uv' && !ctx.exists('uv.lock') && i.text.startsWith('uv sync')) return decline(`'uv sync' at line ${i.ins.startLine + 1} without uv.lock in the build context`, findings);
  }
  if (!inputsKnown) {
    // The files an install reads were not copied by name: fall back to the sources first.
    srcInstalls.unshift(...depInstalls.splice(0));
  }
  const uniqInputs = dedupe(inputFiles);
  if (depInstalls.length && uniqInputs.length) {
    const target = (f: string) => inputTargets.get(f) ?? path.posix.join(bwd, f);
    const flat = uniqInputs.every((f) => !f.includes('/') && target(f) === path.posix.join(bwd, f));
    if (flat) bl.push(`COPY ${uniqInputs.join(' ')} ./`);
    else for (const f of uniqInputs) bl.push(`COPY ${f} ${target(f) === path.posix.join(bwd, f) ? `./${f}` : target(f)}`);
    changes.push({ ruleId: RULES.order, line: depInstalls[0].ins.startLine + 1, message: `${uniqInputs.join(', ')} copied before the sources, so a source change does not reinstall dependencies` });
  }
  const installLines = (steps: InstallStep[]) => {
    const out: string[] = [];
    for (const s of steps) out.push(...runLines([`--mount=type=cache,${cache(s.installer)}`], [`${env(s.installer)}${s.text}`], style));
    return out;
  };
  if (depInstalls.length) bl.push(...dedupe(a.comments.install), ...installLines(depInstalls));
  const copyLines = (forRuntime: boolean, chown: string | null, runtimeWd = wd): string[] => {
    const out: string[] = [];
    const base = forRuntime ? runtimeWd : bwd;
    for (const c of a.copies) {
      let lines = c.ins.lines.slice();
      if (c.wd !== base && !c.dest.startsWith('/')) lines = [absoluteDest(c)];
      if (c.ins.keyword === 'ADD') lines = ['COPY' + lines[0].slice(3), ...lines.slice(1)];
      const onlyInputs = c.sources.every((s) => uniqInputs.includes(s.replace(/^\.\//, '')));
      if (!forRuntime && onlyInputs && depInstalls.length) continue;
      // Manifests copied again by a later `COPY . <same dir>` need no copy of their own.
      const sameDir = (o: CopyStep) => resolveDir(o.wd, o.dest) === resolveDir(c.wd, c.dest) && (c.dest.endsWith('/') || c.dest === '.' || resolveDir(c.wd, c.dest) === c.wd);
      if (forRuntime && onlyInputs && a.copies.some((o) => o !== c && o.ins.index > c.ins.index && o.sources.some((s) => s === '.' || s === './') && sameDir(o))) continue;
      if (!forRuntime) lines = lines.map((l) => l.replace(/\s--chown=[^\s]+/, '').replace(/\s--chmod=[^\s]+/, ''));
      else if (chown && !/--chown=/.test(lines[0])) lines[0] = lines[0].replace(/^(\s*COPY)\s+/i, (_m, k: string) => `${k} --chown=${chown} `);
      out.push(...lines);
    }
    return out;
  };
  // `pip install .` of a project whose dependencies are static in pyproject.toml: those first.
  const first = srcInstalls[0];
  const pp = facts.pyproject;
  if (depInstalls.length === 0 && first?.project && first.installer === 'pip' && pp && !pp.dynamicDependencies && pp.name && contextPathOf(a, 'pyproject.toml', first.wd) === 'pyproject.toml') {
    const self = pp.name.toLowerCase().replace(/[-_.]+/g, '-');
    const deps = dedupe([...pp.dependencies, ...first.project.extras.flatMap((e) => pp.optionalDependencies[e] ?? [])])
      .filter((d) => pkgName(d) !== self);
    const all = [...deps, ...first.project.packages];
    if (all.length) {
      bl.push('COPY pyproject.toml ./');
      bl.push(...dedupe(a.comments.install));
      bl.push(...runLines([`--mount=type=cache,${cache('pip')}`], [['pip install', ...first.project.options, ...all.map(quote)].join(' ')], style));
      changes.push({ ruleId: RULES.order, line: first.ins.startLine + 1, message: `the dependencies declared in pyproject.toml are installed before the sources are copied, so a source change only reinstalls the project itself` });
      a.comments.install = [];
    }
  }
  const hasBuild = srcInstalls.length > 0 || a.buildCommands.length > 0;
  if (hasBuild) {
    const outside = a.copies.find((c) => {
      const t = resolveDir(c.wd, c.dest);
      return t !== bwd && !t.startsWith(bwd === '/' ? '/' : `${bwd}/`);
    });
    if (outside) return decline(`${outside.ins.keyword} at line ${outside.ins.startLine + 1} copies to ${outside.dest}, outside the WORKDIR ${bwd} where the project is installed`, findings);
    if (bwd === '/') return decline('the project is installed from / (no WORKDIR): the runtime cannot take the app directory from the builder', findings);
    bl.push(...copyLines(false, null));
    if (srcInstalls.length) bl.push(...(depInstalls.length ? [] : dedupe(a.comments.install)), ...installLines(srcInstalls));
    if (a.buildCommands.length) bl.push(...dedupe(a.comments.build), ...runLines([], dedupe(a.buildCommands.map((b) => b.text)), style));
  }
  const installDesc = a.installs.map((i) => `'${i.text}'`).join(', ');
  changes.push({ ruleId: RULES.install, line: a.installs[0].ins.startLine + 1, message: `dependencies installed with ${installDesc}${facts.lockfile && a.installs.some((i) => i.installer !== 'pip') ? ` from ${facts.lockfile} (frozen)` : ''}` });
  changes.push({ ruleId: RULES.cache, line: a.installs[0].ins.startLine + 1, message: `the ${[...new Set(a.installs.map((i) => i.installer))].join('/')} cache is a BuildKit cache mount (no --no-cache-dir needed): fast rebuilds, nothing left in a layer` });

  // ----- runtime
  const rt: string[] = [];
  const ownUser = nonRootUser(a);
  const uid = family === 'distroless' ? 65532 : APP_UID;
  const chown = ownUser ? null : `${uid}:${uid}`;
  const pyEnv = `ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VIRTUAL_ENV=${venv} PATH="${venv}/bin:$PATH"`;
  if (family !== 'distroless' && runtimeOs.length) {
    // The libraries the tool adds follow the base image's release (the one the builder compiled
    // against) unless their -dev was pinned; the original's own packages are installed as it did.
    const floating = runtimeOs.filter((p) => derivedOs.has(p) && !isPinned(p));
    const pinnedBuilder = a.osPackages.filter((p) => p.manager === osManager).every((p) => p.packages.every(isPinned));
    if (floating.length && pinnedBuilder && runtimeOs.every((p) => isPinned(p) || derivedOs.has(p))) {
      // Only here would the rewrite add an unpinned install hadolint reports (the builder has none).
      const release = family === 'alpine' ? 'Alpine' : 'Debian';
      rt.push(`# ${floating.join(', ')}: unpinned on purpose, ${floating.length === 1 ? 'it matches' : 'they match'} the ${release} release of the base image the builder compiled against`, `# hadolint ignore=${family === 'alpine' ? 'DL3018' : 'DL3008'}`);
    }
    if (family === 'alpine') rt.push(...runLines([], [`apk add --no-cache ${runtimeOs.join(' ')}`], style));
    else rt.push(...runLines([], ['apt-get update', `apt-get install -y --no-install-recommends ${runtimeOs.join(' ')}`, 'rm -rf /var/lib/apt/lists/*'], style));
    const pinned = runtimeOs.filter((p) => derivedOs.has(p) && isPinned(p));
    changes.push({ ruleId: RULES.os, message: `run-time OS packages installed in the runtime: ${runtimeOs.join(', ')}${floating.length ? `; ${floating.join(', ')} not pinned: ${floating.length === 1 ? 'it follows' : 'they follow'} the ${family === 'alpine' ? 'Alpine' : 'Debian'} release of the base image the builder compiled against` : ''}${pinned.length ? `; ${pinned.join(', ')} pinned like the -dev package of the same source` : ''}` });
  }
  const writable = dedupe([...(wd !== '/' ? [wd] : []), ...a.volumes]);
  // Directories the runtime has made at each point (the app user's, WORKDIRs, copies): a RUN kept
  // from the original that runs `mkdir` of one of them would fail where the original's did not.
  const made = new Map<string, string>([['/', 'the base image']]);
  const makeDir = (d: string, by: string) => {
    for (let p = d; !made.has(p); p = path.posix.dirname(p)) made.set(p, by);
  };
  const copiedTo: CopyStep[] = [];
  const madeBy = (abs: string) => made.get(abs) ?? (copiedTo.some((c) => copiesDirTo(ctx, c, abs)) ? 'a COPY' : null);
  if (!ownUser && family !== 'distroless') {
    rt.push(...runLines([], userCommands(family, writable), style));
    for (const w of writable) makeDir(w, 'the RUN that creates the app user');
  }
  // A RUN kept for the runtime runs in the WORKDIR it ran in: when one ran in another WORKDIR than
  // the last, the runtime keeps the original's WORKDIRs in their places (e.g. `RUN mkdir /app` before
  // `WORKDIR /app`); else the one WORKDIR comes first.
  const ordered = a.runtimeRuns.find((r) => r.wd !== wd);
  let cwd = '/';
  if (ordered) {
    changes.push({ ruleId: RULES.runs, line: ordered.ins.startLine + 1, message: `the RUN at line ${ordered.ins.startLine + 1} ran in ${ordered.wd}, not in the last WORKDIR ${wd}: the runtime keeps the original's WORKDIRs in their order around its RUNs` });
  } else {
    rt.push(...a.comments.workdir, `WORKDIR ${wd}`);
    cwd = wd;
    makeDir(wd, 'WORKDIR');
  }
  let copiesPlaced = false;
  const placeCopies = () => {
    if (copiesPlaced) return;
    copiesPlaced = true;
    rt.push(`COPY --from=builder ${venv} ${venv}`);
    makeDir(venv, 'a COPY');
    if (hasBuild) {
      rt.push(...a.comments.copy, `COPY --from=builder${chown ? ` --chown=${chown}` : ''} ${bwd} ${bwd}`);
      makeDir(bwd, 'a COPY');
    } else {
      rt.push(...a.comments.copy, ...copyLines(true, chown, cwd));
    }
    copiedTo.push(...a.copies);
    for (const c of a.copies) makeDir(copyDirOf(ctx, c), 'a COPY');
  };
  let envPlaced = false;
  for (const ins of stage.instructions) {
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      if (!envPlaced) {
        rt.push(pyEnv);
        envPlaced = true;
      }
      placeCopies();
      continue;
    }
    if (ins.keyword === 'WORKDIR') {
      if (!ordered) continue;
      rt.push(...preserved(ins));
      cwd = resolveDir(cwd, ins.args.join(' '));
      makeDir(cwd, 'WORKDIR');
      continue;
    }
    const run = a.runtimeRuns.find((r) => r.ins === ins);
    if (run) {
      // In the original order: a RUN before the first COPY (useradd) stays before the copies.
      const fixed = withoutMadeDirs(run, cwd, madeBy);
      if (typeof fixed === 'string') return decline(fixed, findings);
      if (fixed.dropped.length) {
        const by = dedupe(fixed.dropped.map((d) => madeBy(resolveDir(cwd, d)) ?? '')).join(', ');
        changes.push({ ruleId: RULES.runs, line: ins.startLine + 1, message: `'mkdir ${fixed.dropped.join(' ')}' ${fixed.text === null ? 'dropped' : 'left out of the RUN'}: ${by} made ${fixed.dropped.length === 1 ? 'it' : 'them'} earlier in the runtime, where mkdir without -p would fail` });
      }
      rt.push(...comments(ins));
      if (fixed.text !== null) rt.push(...(fixed.text.startsWith('RUN') && !fixed.text.includes('\n') ? [fixed.text] : run.ins.lines));
      continue;
    }
    if (!a.kept.includes(ins)) continue;
    rt.push(...preserved(ins));
  }
  if (ordered && cwd !== wd) rt.push(`WORKDIR ${wd}`);
  if (!envPlaced) rt.push(pyEnv);
  placeCopies();
  changes.push({ ruleId: RULES.env, message: `PYTHONDONTWRITEBYTECODE=1 and PYTHONUNBUFFERED=1 (no .pyc writes, unbuffered logs); ${venv}/bin first on PATH so python, gunicorn and console scripts run from the venv` });
  changes.push({
    ruleId: RULES.files,
    message: hasBuild
      ? `the runtime gets the venv and ${bwd} as the builder left it (the project install or build writes into it)`
      : `the runtime gets the venv and the same files as the original${facts.dataDirs.length ? ` (including ${facts.dataDirs.join(', ')})` : ''}`,
  });
  if (family === 'distroless') {
    if (ownUser) rt.push(...comments(ownUser));
    rt.push('USER 65532:65532');
    changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: `runs as the distroless nonroot user (65532)${ownUser ? ` instead of '${ownUser.args.join(' ')}', which does not exist there` : ''}` });
  } else if (ownUser) {
    rt.push(...preserved(ownUser));
  } else {
    rt.push(`USER ${uid}:${uid}`);
    changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: `runs as user 'app' (uid ${uid}) with a home directory; it owns ${writable.join(', ') || 'its home'} and the copied files, as root did before` });
  }
  if (a.healthcheck) {
    if (healthProbe) {
      rt.push(...comments(a.healthcheck), pythonHealthcheck(a.healthcheck, healthProbe, family === 'distroless' ? `${venv}/bin/python` : 'python'));
      changes.push({ ruleId: RULES.health, line: a.healthcheck.startLine + 1, message: `HEALTHCHECK probes ${healthProbe.url} with Python's urllib: the runtime has no curl or wget` });
    } else {
      rt.push(...preserved(a.healthcheck));
    }
  }
  if (family === 'distroless') {
    const argv = [...(epArgv ?? []), ...(cmdArgv ?? [])];
    const first = argv[0] ?? 'python';
    const exe = /^python3?(\.\d+)?$/.test(first) ? `${venv}/bin/python` : first.includes('/') ? first : `${venv}/bin/${first}`;
    if (a.entrypoint) rt.push(...comments(a.entrypoint));
    if (a.cmd) rt.push(...comments(a.cmd));
    // ENTRYPOINT and CMD keep their roles, so `docker run image <args>` still replaces what CMD did.
    if (a.entrypoint) {
      rt.push(`ENTRYPOINT ${jsonForm([exe, ...(epArgv ?? []).slice(1)])}`);
      if (cmdArgv?.length) rt.push(`CMD ${jsonForm(cmdArgv)}`);
    } else {
      rt.push('ENTRYPOINT []', `CMD ${jsonForm([exe, ...argv.slice(1)])}`);
    }
    changes.push({ ruleId: RULES.cmd, line: (a.cmd ?? a.entrypoint) ? (a.cmd ?? a.entrypoint)!.startLine + 1 : undefined, message: `'${argv.join(' ')}' runs as '${[exe, ...argv.slice(1)].join(' ')}': distroless has no shell and its own python entrypoint` });
  } else {
    for (const ins of [a.entrypoint, a.cmd]) {
      if (!ins) continue;
      if (unwrappedRunner && unwrappedRunner.ins === ins) {
        rt.push(...comments(ins), `${ins.keyword} ${jsonForm(unwrappedRunner.argv)}`);
        changes.push({ ruleId: RULES.cmd, line: ins.startLine + 1, message: `'${unwrappedRunner.from.join(' ')}' runs as '${unwrappedRunner.argv.join(' ')}': ${unwrappedRunner.from[0].startsWith('/usr/local/bin/') ? 'the packages and their scripts are in the venv, not in the system Python' : 'the runtime has the venv on PATH and no installer'}` });
      } else rt.push(...preserved(ins));
    }
  }

  const stages: PlanStage[] = [
    { image: builderImage, name: 'builder', platform: stage.platform, comments: heading('python', 'build'), lines: bl },
    { image: runtimeImage, name: 'runtime', platform: stage.platform, comments: heading('python', 'runtime'), lines: rt },
  ];
  changes.unshift({ ruleId: RULES.stages, line: fromLine, message: `single stage split into builder and runtime: compilers, headers, installers and caches stay out of the runtime image` });
  const copied = a.copies.flatMap((c) => c.sources);
  const di = planDockerignore(ctx, 'python', [...copied, ...appDirsNamedLikeBuildOutput(ctx)], path.basename(model.path));
  findings.push(...di.findings);
  if (di.sideFile) changes.push({ ruleId: 'DO-IGNORE', message: di.sideFile.original === null ? '.dockerignore created: virtualenvs, caches, .git and env files stay out of the build context' : '.dockerignore completed with essentials it lacked' });
  const plan: Plan = { stages, changes, findings, sideFiles: di.sideFile ? [di.sideFile] : [] };
  return { kind: 'rewrite', plan, runtimeBase: runtimeImage };
}

/** The directory a COPY writes into (its destination, or the destination's parent for one file). */
function copyDirOf(ctx: TransformInput['ctx'], c: CopyStep): string {
  const dest = resolveDir(c.wd, c.dest);
  const intoDir = c.dest.endsWith('/') || c.dest === '.' || c.dest === '..' || c.sources.length > 1 || c.sources.some((s) => ctx.isDir(s));
  return intoDir ? dest : path.posix.dirname(dest);
}

/** The COPY makes directory `abs`: a source directory has that subdirectory under the destination. */
function copiesDirTo(ctx: TransformInput['ctx'], c: CopyStep, abs: string): boolean {
  const dest = resolveDir(c.wd, c.dest);
  if (abs === dest) return c.sources.some((s) => ctx.isDir(s));
  if (!abs.startsWith(dest === '/' ? '/' : `${dest}/`)) return false;
  const rel = path.posix.relative(dest, abs);
  return c.sources.some((s) => ctx.isDir(s) && ctx.isDir(path.posix.join(s, rel)));
}

/**
 * A runtime RUN without the `mkdir` operands (no -p) the runtime has already made before it: the
 * original made them itself, so its mkdir succeeded where the rewrite's would fail. `text` null: the
 * RUN is left with nothing to do. A string: the reason it cannot be fixed (a mode, redirects, other
 * options on such a mkdir).
 */
export function withoutMadeDirs(run: RuntimeRun, cwd: string, madeBy: (abs: string) => string | null): { text: string | null; dropped: string[] } | string {
  const line = run.ins.startLine + 1;
  const commands = run.commands ?? (() => {
    const parsed = parseShell(run.ins.body);
    return parsed.ok ? parsed.commands : [];
  })();
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const c of commands) {
    const argv = words(c);
    if (path.posix.basename(argv[0] ?? '') !== 'mkdir') {
      kept.push(c.text);
      continue;
    }
    let parents = false;
    let other = c.redirects.length > 0 || c.assigns.length > 0;
    const operands: number[] = [];
    let options = true;
    for (let i = 1; i < argv.length; i++) {
      const w = argv[i];
      if (options && w === '--') options = false;
      else if (options && /^--(parents)$/.test(w)) parents = true;
      else if (options && /^--(verbose)$/.test(w)) continue;
      else if (options && w.startsWith('--')) other = true;
      else if (options && w.startsWith('-') && w !== '-') {
        if (/^-[pv]+$/.test(w)) parents ||= w.includes('p');
        else other = true;
        if (/^-[a-zA-Z]*m$/.test(w)) i++; // -m MODE
      } else operands.push(i);
    }
    const made = operands.filter((i) => c.argv[i].value !== null && madeBy(resolveDir(cwd, argv[i])) !== null);
    if (parents || made.length === 0) {
      kept.push(c.text);
      continue;
    }
    const names = made.map((i) => argv[i]);
    if (other || !run.commands) return `RUN at line ${line} runs '${c.text}', and the runtime has already made ${names.join(', ')} before it (${dedupe(made.map((i) => madeBy(resolveDir(cwd, argv[i])) ?? '')).join(', ')}); not rewritten`;
    dropped.push(...names);
    const left = c.argv.filter((_, i) => !made.includes(i));
    if (operands.some((i) => !made.includes(i))) kept.push(left.map((w) => w.text).join(' '));
  }
  if (dropped.length === 0) return { text: run.text, dropped };
  return { text: kept.length ? `RUN ${kept.join(' && ')}` : null, dropped };
}

/** Creates the non-root user and hands it the directories the app may write to. */
export function userCommands(family: PythonFamily, writable: string[]): string[] {
  const cmds =
    family === 'alpine'
      ? [`addgroup -S -g ${APP_UID} app`, `adduser -S -D -u ${APP_UID} -G app -h /home/app app`]
      : [`groupadd --system --gid ${APP_UID} app`, `useradd --system --uid ${APP_UID} --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app`];
  if (writable.length) cmds.push(`mkdir -p ${writable.join(' ')}`, `chown ${APP_UID}:${APP_UID} ${writable.join(' ')}`);
  return cmds;
}

/** The original's USER instruction when it names a non-root user (kept as it is); null for none or root. */
function nonRootUser(a: Analysis): Instruction | null {
  return a.user && !isRootUser(a.user.args.join(' ')) ? a.user : null;
}

/**
 * A standard-library app (nothing installed): stages would gain nothing. The safe hygiene only: the
 * slim image of the same version, a non-root user, the Python environment variables.
 */
function hygiene(input: TransformInput, a: Analysis, facts: PythonFacts, findings: Finding[]): TransformResult {
  const { model, ctx } = input;
  const stage = model.stages[0];
  const base = parseImage(stage.image);
  const variant = tagVariant(base.tag);
  const alpine = variant.includes('alpine');
  const fromLine = stage.from.startLine + 1;
  const changes: Change[] = [];
  const ownUser = nonRootUser(a);
  // The full image has git, curl, compilers …: an app that runs programs may need them.
  const runsPrograms = runsProgramsIn(ctx);
  const target = alpine || runsPrograms ? stage.image : pythonRuntimeImage(base.tag, 'slim');
  if (runsPrograms && !variantIsSlim(variant)) {
    findings.push({ ruleId: RULES.runtime, severity: 'info', line: fromLine, message: `${runsPrograms} runs other programs, which the slim image may lack: the base is kept`, fixed: false });
  }
  const pyEnvPresent = a.env.some((e) => /PYTHONUNBUFFERED/.test(e.body));
  if (target === stage.image && ownUser && pyEnvPresent) {
    return decline('a standard-library app already has the hygiene (its base kept or slim, a non-root user, the Python environment variables): nothing to rewrite', findings);
  }
  if (a.osPackages.length || a.buildCommands.length) {
    return decline('nothing is pip-installed, but the image installs OS packages or runs build steps: no safe split', findings);
  }
  void facts;
  const style = styleOf(model);
  const lines: string[] = [];
  const chown = ownUser ? null : `${APP_UID}:${APP_UID}`;
  const writable = dedupe([...(a.workdir !== '/' ? [a.workdir] : []), ...a.volumes]);
  // Directories the user RUN and WORKDIRs have made: a later `mkdir` (no -p) of one would fail.
  const made = new Map<string, string>([['/', 'the base image']]);
  const makeDir = (d: string, by: string) => {
    for (let p = d; !made.has(p); p = path.posix.dirname(p)) made.set(p, by);
  };
  const madeBy = (abs: string) => made.get(abs) ?? null;
  const userBy = 'the RUN that creates the app user';
  // Without a WORKDIR the user RUN goes to the top.
  if (!ownUser && !stage.instructions.some((i) => i.keyword === 'WORKDIR')) for (const w of writable) makeDir(w, userBy);
  let cwd = '/';
  for (const ins of stage.instructions) {
    if (ins === a.user && ownUser) continue;
    if (ins.keyword === 'USER' || ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT' || ins.keyword === 'HEALTHCHECK') continue;
    if (ins.keyword === 'WORKDIR' && !lines.some((l) => l.startsWith('WORKDIR'))) {
      if (!pyEnvPresent) lines.push('ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1');
      if (!ownUser && !alpine) lines.push(...runLines([], userCommands('slim', writable), style));
      if (!ownUser && alpine) lines.push(...runLines([], userCommands('alpine', writable), style));
      if (!ownUser) for (const w of writable) makeDir(w, userBy);
    }
    if (ins.keyword === 'WORKDIR') {
      cwd = resolveDir(cwd, ins.args.join(' '));
      makeDir(cwd, 'WORKDIR');
    }
    if (ins.keyword === 'RUN' && !ins.json && !ins.heredoc) {
      const parsed = parseShell(ins.body);
      const plain = ins.flags.length === 0 && parsed.ok && !parsed.complex && parsed.commands.every((c) => !c.inPipeline && !c.inSubshell && (c.next === null || c.next === '&&'));
      const fixed = withoutMadeDirs({ text: ins.lines.join('\n'), ins, wd: cwd, commands: plain ? parsed.commands : undefined }, cwd, madeBy);
      if (typeof fixed === 'string') return decline(fixed, findings);
      if (fixed.dropped.length) {
        const by = dedupe(fixed.dropped.map((d) => madeBy(resolveDir(cwd, d)) ?? '')).join(', ');
        changes.push({ ruleId: RULES.runs, line: ins.startLine + 1, message: `'mkdir ${fixed.dropped.join(' ')}' ${fixed.text === null ? 'dropped' : 'left out of the RUN'}: ${by} made ${fixed.dropped.length === 1 ? 'it' : 'them'} earlier, where mkdir without -p would fail` });
        lines.push(...comments(ins), ...(fixed.text === null ? [] : [fixed.text]));
        continue;
      }
    }
    if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && chown && !/--chown=/.test(ins.lines[0])) {
      const ls = ins.lines.slice();
      ls[0] = ls[0].replace(/^(COPY|ADD)\s+/i, (m, k: string) => `${k} --chown=${chown} `);
      lines.push(...comments(ins), ...ls);
      continue;
    }
    lines.push(...preserved(ins));
  }
  if (!lines.some((l) => l.startsWith('ENV PYTHONDONTWRITEBYTECODE')) && !pyEnvPresent) lines.unshift('ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1');
  if (!ownUser && !lines.some((l) => l.includes(`--uid ${APP_UID}`) || l.includes(`-u ${APP_UID}`))) {
    lines.splice(1, 0, ...runLines([], userCommands(alpine ? 'alpine' : 'slim', writable), style));
  }
  if (ownUser) lines.push(...preserved(ownUser));
  else lines.push(`USER ${APP_UID}:${APP_UID}`);
  if (a.healthcheck) lines.push(...preserved(a.healthcheck));
  if (a.entrypoint) lines.push(...preserved(a.entrypoint));
  if (a.cmd) lines.push(...preserved(a.cmd));
  changes.push({ ruleId: RULES.hygiene, line: fromLine, message: 'nothing is installed with pip: a second stage would gain nothing, so only the safe hygiene is applied' });
  if (target !== stage.image) changes.push({ ruleId: RULES.runtime, line: fromLine, message: `base ${stage.image} -> ${target}: the same Python, without compilers and headers the app does not use` });
  if (!pyEnvPresent) changes.push({ ruleId: RULES.env, message: 'PYTHONDONTWRITEBYTECODE=1 and PYTHONUNBUFFERED=1: no .pyc writes, unbuffered output' });
  if (!ownUser) changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: `runs as user 'app' (uid ${APP_UID}) with a home directory; it owns ${writable.join(', ') || 'its home'} and the copied files` });
  const di = planDockerignore(ctx, 'python', [...a.copies.flatMap((c) => c.sources), ...appDirsNamedLikeBuildOutput(ctx)], path.basename(model.path));
  findings.push(...di.findings);
  if (di.sideFile) changes.push({ ruleId: 'DO-IGNORE', message: di.sideFile.original === null ? '.dockerignore created: virtualenvs, caches, .git and env files stay out of the build context' : '.dockerignore completed with essentials it lacked' });
  const plan: Plan = { stages: [{ image: target, name: 'runtime', platform: stage.platform, lines }], changes, findings, sideFiles: di.sideFile ? [di.sideFile] : [] };
  return { kind: 'rewrite', plan, runtimeBase: target };
}

/** `build/` or `dist/` in the context may be files the app serves: never ignored by the proposal. */
function appDirsNamedLikeBuildOutput(ctx: TransformInput['ctx']): string[] {
  return ['build', 'dist'].filter((d) => ctx.isDir(d));
}

/** Tools a build uses that an app may also call at run time. */
const RUNTIME_TOOLS = new Set(['git', 'curl', 'wget', 'openssh-client', 'unzip', 'xz-utils', 'bzip2', 'gnupg', 'file', 'patch']);

/** The first Python source (read as text) that starts other programs, or undefined. */
function runsProgramsIn(ctx: TransformInput['ctx']): string | undefined {
  return ctx.walk('.', 2000).filter((f) => f.endsWith('.py')).find((f) => /\b(subprocess|os\.system|os\.popen|os\.exec\w*|shutil\.which)\b/.test(ctx.readText(f) ?? ''));
}

function variantIsSlim(variant: string): boolean {
  return variant.includes('slim') || variant.includes('alpine');
}

function dedupe(xs: string[]): string[] {
  return xs.filter((x, i) => xs.indexOf(x) === i);
}

export const python: Ecosystem = {
  name: 'python',
  detect(model, ctx) {
    const base = parseImage(model.stages[model.stages.length - 1].image);
    if (base.repo === 'python' || base.repo.endsWith('/python')) return 1;
    const pipRun = model.instructions.some((i) => i.keyword === 'RUN' && /\b(pip3?|poetry|uv|pipenv)\b/.test(i.body));
    const manifest = ctx.exists('pyproject.toml') || ctx.exists('Pipfile') || ctx.hasEntry(/^requirements.*\.txt$/);
    if (manifest && pipRun) return 0.8;
    return manifest ? 0.3 : 0;
  },
  transform: transformPython,
};
