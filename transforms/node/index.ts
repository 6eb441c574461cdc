/**
 * Node.js: split a single-stage `FROM node:*` Dockerfile into a production-dependencies stage, a build
 * stage (when the original builds), and a runtime stage on distroless nodejs (same Node major, Debian
 * 13), the alpine family (when the original was alpine) or -slim (when the runtime needs a shell or OS
 * packages). See README.md beside this file for the decisions and their reasons.
 */
import { heading } from '../../templates/stages';
import { resolveDir, takeRuntimeInstruction } from '../common/instructions';
import * as path from 'path';
import type { Instruction } from '../../src/model/parse';
import { isRootUser } from '../../src/model/user';
import { isFloatingTag, parseImage, tagVersion, tagVariant } from '../../src/model/image';
import { jsonForm, runLines } from '../../src/model/print';
import { decline, Ecosystem, TransformInput, TransformResult } from '../../src/plan/ecosystem';
import { Plan, PlanStage, preserved, styleOf } from '../../src/plan/plan';
import { parseShell, ShellCommand } from '../../src/shell';
import type { Change, Finding } from '../../src/types';
import { commandToArgv, instructionArgv, shellToArgv } from '../common/command';
import { planDockerignore } from '../common/dockerignore';
import { httpProbeOf, healthTools, nodeHealthcheck } from '../common/healthcheck';
import { classifyOsPackages, osInstallOf } from '../common/ospackages';
import { NodeFacts, PackageManager, readNodeFacts } from './facts';
import { copyOperands } from '../common/copy';

export const RULES = {
  stages: 'NODE-STAGES',
  runtime: 'NODE-RUNTIME',
  install: 'NODE-FROZEN-INSTALL',
  cache: 'NODE-CACHE-MOUNT',
  order: 'NODE-CACHE-ORDER',
  cmd: 'NODE-CMD',
  user: 'NODE-NONROOT',
  health: 'NODE-HEALTHCHECK',
  next: 'NODE-NEXT-STANDALONE',
  native: 'NODE-NATIVE-LIBC',
  files: 'NODE-RUNTIME-FILES',
} as const;

/** Node majors that have a gcr.io/distroless/nodejsN-debian13 image. */
export const DISTROLESS_NODE_MAJORS = new Set(['20', '22', '24']);

const DEV_ONLY_ENTRIES = [
  /^node_modules$/, /^\.git/, /^\.github$/, /^\.vscode$/, /^\.idea$/, /^Dockerfile/, /\.Dockerfile$/, /^\.dockerignore$/,
  /^docker-compose/, /^compose\./, /^tsconfig.*\.json$/, /^\.eslintrc/, /^eslint\.config\./, /^\.prettier/, /^prettier\.config\./,
  /^jest\.config\./, /^vitest\.config\./, /^babel\.config\./, /^\.babelrc/, /^webpack\.config\./, /^vite\.config\./,
  /^rollup\.config\./, /^tsup\.config\./, /^\.swcrc$/, /^(test|tests|__tests__|spec|e2e|cypress)$/, /\.md$/i,
  /^package-lock\.json$/, /^yarn\.lock$/, /^pnpm-lock\.yaml$/, /^bun\.lockb?$/, /^npm-shrinkwrap\.json$/, /^\.npmrc$/,
  /^\.yarnrc/, /^nest-cli\.json$/, /^\.dockerize-optimizerc/, /^\.env/, /^coverage$/, /^\.nyc_output$/, /^\.editorconfig$/, /^\.gitignore$/, /^\.husky$/, /^LICENSE/i,
];

const PM_BOOTSTRAP_GLOBALS = new Set(['pnpm', 'yarn', 'npm', 'corepack', 'bun']);

interface CopyStep {
  ins: Instruction;
  sources: string[];
  dest: string;
}

interface Analysis {
  workdir: string;
  copies: CopyStep[];
  /** RUN commands that prepare tooling (corepack, npm i -g pnpm, apt build deps): builder stages. */
  tooling: string[];
  /** OS packages the runtime needs (apt/apk), with their install commands for the runtime. */
  runtimeOs: string[];
  /** Global package installs (`npm i -g pm2`): tooling for the builders, and the runtime's when it runs them. */
  globals: string[];
  installSeen: Instruction | null;
  buildCommands: { text: string; ins: Instruction }[];
  /** RUN commands kept in the runtime stage (their effect cannot be moved): they need a shell. */
  runtimeRuns: { text: string; ins: Instruction; afterCopy: number }[];
  /** Instructions kept verbatim in the runtime, in original order (ENV, ARG, LABEL, …). */
  kept: Instruction[];
  env: Instruction[];
  args: Instruction[];
  user: Instruction | null;
  entrypoint: Instruction | null;
  cmd: Instruction | null;
  healthcheck: Instruction | null;
  /** Comments of rewritten instructions, by role, so they travel with their replacement. */
  comments: { install: string[]; build: string[]; copy: string[]; tooling: string[]; workdir: string[] };
}

function comments(ins: Instruction): string[] {
  return ins.leading.filter((l) => l.trim().startsWith('#'));
}

/** Install, build and tooling commands of the usual package managers. */
function classifyNodeCommand(c: ShellCommand): 'install' | 'build' | 'tooling' | 'cleanup' | 'global' | 'add' | 'other' {
  const argv = c.argv.map((w) => w.value ?? '');
  const name = path.posix.basename(argv[0] ?? '');
  const sub = argv.slice(1).filter((a) => !a.startsWith('-'));
  const flags = argv.slice(1).filter((a) => a.startsWith('-'));
  if (name === 'npm') {
    const verb = sub[0];
    if (verb === 'ci' || verb === 'clean-install') return 'install';
    if (verb === 'install' || verb === 'i' || verb === 'add') {
      if (flags.some((f) => f === '-g' || f === '--global')) return sub.slice(1).every((p) => PM_BOOTSTRAP_GLOBALS.has(p.replace(/@.*$/, ''))) ? 'tooling' : 'global';
      return sub.length === 1 ? 'install' : 'add';
    }
    if (verb === 'run' || verb === 'run-script') return 'build';
    if (verb === 'cache' || verb === 'prune' || verb === 'audit' || verb === 'config') return verb === 'config' ? 'tooling' : 'cleanup';
    if (verb === 'test' || verb === 't') return 'build';
    return 'other';
  }
  if (name === 'yarn') {
    const verb = sub[0];
    if (verb === undefined || verb === 'install') return 'install';
    if (verb === 'cache') return 'cleanup';
    if (verb === 'global') return sub.slice(2).every((p) => PM_BOOTSTRAP_GLOBALS.has(p.replace(/@.*$/, ''))) ? 'tooling' : 'global';
    if (verb === 'add') return 'add';
    if (verb === 'config' || verb === 'set') return 'tooling';
    return 'build';
  }
  if (name === 'pnpm' || name === 'bun') {
    const verb = sub[0];
    if (verb === undefined || verb === 'install' || verb === 'i') return 'install';
    if (verb === 'add') return flags.includes('-g') || flags.includes('--global') ? 'global' : 'add';
    if (verb === 'store' || verb === 'prune') return 'cleanup';
    if (verb === 'config' || verb === 'setup') return 'tooling';
    return 'build';
  }
  if (name === 'corepack') return 'tooling';
  if (name === 'npx' || name === 'tsc' || name === 'next' || name === 'nest' || name === 'vite' || name === 'webpack' || name === 'tsup' || name === 'esbuild' || name === 'babel') return 'build';
  return 'other';
}

function analyze(input: TransformInput, facts: NodeFacts, findings: Finding[]): Analysis | string {
  const { model } = input;
  const stage = model.stages[0];
  const a: Analysis = {
    workdir: '/',
    copies: [],
    tooling: [],
    runtimeOs: [],
    globals: [],
    installSeen: null,
    buildCommands: [],
    runtimeRuns: [],
    kept: [],
    env: [],
    args: [],
    user: null,
    entrypoint: null,
    cmd: null,
    healthcheck: null,
    comments: { install: [], build: [], copy: [], tooling: [], workdir: [] },
  };
  let workdirFixed = false;
  for (const ins of stage.instructions) {
    const line = ins.startLine + 1;
    switch (ins.keyword) {
      case 'WORKDIR': {
        const next = resolveDir(a.workdir, ins.args.join(' '));
        if (workdirFixed && next !== a.workdir) return `WORKDIR changes at line ${line} after files were copied; the stage layout cannot be kept`;
        if (next.includes('$')) return `WORKDIR at line ${line} uses a variable`;
        a.workdir = next;
        a.comments.workdir.push(...comments(ins));
        break;
      }
      case 'COPY':
      case 'ADD': {
        const operands = copyOperands(ins);
        if (typeof operands === 'string') return operands;
        const { sources: parts, dest } = operands;
        a.copies.push({ ins, sources: parts, dest });
        a.comments.copy.push(...comments(ins));
        workdirFixed = true;
        break;
      }
      case 'RUN': {
        if (ins.heredoc) return `RUN at line ${line} uses a heredoc`;
        const script = ins.json ? null : parseShell(ins.body);
        if (!script || !script.ok || script.complex) {
          // Kept as is in the runtime, after the files it may need.
          a.runtimeRuns.push({ text: ins.lines.join('\n'), ins, afterCopy: a.copies.length });
          break;
        }
        let role: 'install' | 'build' | null = null;
        let tooling = false;
        const rest: string[] = [];
        for (const c of script.commands) {
          if (c.inPipeline || c.inSubshell) {
            rest.push(c.text);
            continue;
          }
          const os = osInstallOf(c);
          if (os) {
            if (os.kind === 'install') {
              const { build, runtime } = classifyOsPackages(os.manager, os.packages);
              if (build.length) a.tooling.push(`${os.manager === 'apk' ? 'apk add --no-cache' : 'apt-get update && apt-get install -y --no-install-recommends'} ${build.join(' ')}${os.manager === 'apt' ? ' && rm -rf /var/lib/apt/lists/*' : ''}`);
              a.runtimeOs.push(...runtime);
              if (build.length) tooling = true;
            }
            continue;
          }
          const kind = classifyNodeCommand(c);
          if (kind === 'install') {
            a.installSeen = ins;
            role = 'install';
            if (c.argv.some((w) => w.value === '--production' || w.value === '--omit=dev' || w.value === '--only=production' || w.value === '--prod')) {
              findings.push({ ruleId: RULES.install, severity: 'info', line, message: 'the original installed production dependencies only; the build stage installs all, the runtime keeps production ones', fixed: true });
            }
          } else if (kind === 'build') {
            if (!a.installSeen) return `'${c.text}' at line ${line} runs before dependencies are installed`;
            a.buildCommands.push({ text: c.text, ins });
            role = 'build';
          } else if (kind === 'tooling') {
            a.tooling.push(c.text);
            tooling = true;
          } else if (kind === 'cleanup') {
            /* the stages make cache cleaning and pruning unnecessary */
          } else if (kind === 'global') {
            if (c.assigns.length || c.redirects.length) return `'${c.text}' at line ${line} installs a global package in a way that cannot be moved`;
            a.globals.push(c.text);
            a.tooling.push(c.text);
            tooling = true;
          } else if (kind === 'add') {
            return `'${c.text}' at line ${line} adds packages outside package.json; not moved`;
          } else {
            const name = c.argv[0]?.value ?? '';
            if (name === 'cd') return `'cd' at line ${line} changes directory inside RUN; use WORKDIR`;
            if (a.installSeen === null && !['mkdir', 'echo', 'ln', 'useradd', 'groupadd', 'adduser', 'addgroup', 'chown', 'chmod', 'set', 'true'].includes(path.posix.basename(name))) {
              return `'${c.text}' at line ${line} runs before the install and may prepare it; not moved`;
            }
            rest.push(c.text);
          }
        }
        if (role === 'install') {
          // A file written in the install's RUN (an .npmrc with a token, registry settings) prepares that
          // install: split from it, the install would run without it.
          const writer = script.commands.find((c) => classifyNodeCommand(c) !== 'install' && (c.redirects.length > 0 || /\.npmrc|\.yarnrc|_authToken/.test(c.text)));
          if (writer) return `'${writer.text.length > 60 ? `${writer.text.slice(0, 57)}...` : writer.text}' at line ${line} prepares the install in the same RUN (a registry or credentials file); not split`;
          a.comments.install.push(...comments(ins));
        }
        else if (tooling && !role) a.comments.tooling.push(...comments(ins));
        if (role === 'build') a.comments.build.push(...comments(ins));
        if (rest.length) {
          if (a.buildCommands.length && a.copies.length) {
            // After the build: may produce files the app reads; run it in the build stage too.
            a.buildCommands.push({ text: rest.join(' && '), ins });
          } else {
            a.runtimeRuns.push({ text: `RUN ${rest.join(' && ')}`, ins, afterCopy: a.copies.length });
          }
        }
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
      default: {
        const declined = takeRuntimeInstruction(ins, a, { keepHealthcheck: true });
        if (declined) return declined;
      }
    }
  }
  if (!a.installSeen) return 'no dependency install (npm/yarn/pnpm install) found';
  if (!facts.pkg) return 'no package.json in the build context';
  if (a.copies.length === 0) return 'no COPY of the application';
  return a;
}


function installCommand(pm: PackageManager, lockfile: string | null, prod: boolean, lockUsable = true): { cmd: string; cache: string } {
  if (pm === 'npm' && !lockUsable) return { cmd: prod ? 'npm install --omit=dev' : 'npm install', cache: 'target=/root/.npm' };
  switch (pm) {
    case 'yarn1':
      return { cmd: `yarn install ${lockfile ? '--frozen-lockfile' : ''}${prod ? ' --production' : ''}`.replace(/ +/g, ' ').trim(), cache: 'target=/usr/local/share/.cache/yarn' };
    case 'yarn-berry':
      return { cmd: prod ? 'yarn workspaces focus --all --production' : 'yarn install --immutable', cache: 'target=/root/.yarn/berry/cache' };
    case 'pnpm':
      return { cmd: `pnpm install ${lockfile ? '--frozen-lockfile' : ''}${prod ? ' --prod' : ''} --store-dir /pnpm/store`.replace(/ +/g, ' '), cache: 'id=pnpm,target=/pnpm/store' };
    case 'bun':
      return { cmd: `bun install ${lockfile ? '--frozen-lockfile' : ''}${prod ? ' --production' : ''}`.replace(/ +/g, ' ').trim(), cache: 'target=/root/.bun/install/cache' };
    default:
      return lockfile
        ? { cmd: prod ? 'npm ci --omit=dev' : 'npm ci', cache: 'target=/root/.npm' }
        : { cmd: prod ? 'npm install --omit=dev' : 'npm install', cache: 'target=/root/.npm' };
  }
}

/**
 * The script a package-manager invocation runs, e.g. `npm start` -> scripts.start, with the arguments
 * the package manager appends to it: npm those after `--` (`npm start -- --port 80`), yarn
 * those after the script name (`yarn start --port 80`). Anything else on the line is an option of the
 * package manager itself, which a runtime without it cannot honour: not resolved.
 */
function scriptOf(argv: string[], facts: NodeFacts): { name: string; text: string; extra: string[] } | null {
  const name = path.posix.basename(argv[0]);
  const scripts = facts.pkg?.scripts ?? {};
  let script: string | undefined;
  let extra: string[] = [];
  // npm/pnpm: `start` or `run[-script] <name>`, then nothing or `--` and the script's arguments.
  const dashed = (from: number): string[] | null => (argv.length === from ? [] : argv[from] === '--' ? argv.slice(from + 1) : null);
  if (name === 'npm' || name === 'pnpm' || name === 'bun') {
    const rest = argv[1] === 'start' ? dashed(2) : argv[1] === 'run' || argv[1] === 'run-script' ? (argv.length > 2 ? dashed(3) : null) : null;
    // pnpm and bun hand `--` itself to some scripts, depending on their version: only npm's is certain.
    if (rest === null || (rest.length > 0 && name !== 'npm')) return null;
    script = argv[1] === 'start' ? 'start' : argv[2];
    extra = rest;
  } else if (name === 'yarn') {
    const at = argv[1] === 'run' ? 2 : 1;
    script = argv[at];
    extra = argv.slice(at + 1);
    if (extra[0] === '--') extra = extra.slice(1);
  }
  if (!script) return null;
  if (scripts[`pre${script}`] || scripts[`post${script}`]) return null;
  let text = scripts[script];
  if (text === undefined && script === 'start') text = 'node server.js'; // npm's default
  return text === undefined ? null : { name: script, text, extra };
}

interface Resolved {
  /** argv for node: [flags..., script, args...]. */
  nodeArgs: string[];
  env: Record<string, string>;
  via: string;
}

/** Resolves what the container really runs to `node <args>`, through npm scripts and package bins. */
function resolveNodeCommand(argv: string[], facts: NodeFacts, depth = 0): Resolved | null {
  if (depth > 3 || argv.length === 0) return null;
  const name = path.posix.basename(argv[0]);
  if (name === 'node' || name === 'nodejs') return { nodeArgs: argv.slice(1), env: {}, via: '' };
  const script = scriptOf(argv, facts);
  if (script) {
    const parsed = shellToArgv(script.text);
    if (!parsed) return null;
    // The package manager appends the extra arguments to the script's command line.
    const inner = resolveNodeCommand([...parsed.argv, ...script.extra], facts, depth + 1);
    if (!inner) return null;
    const args = script.extra.length ? ` (with ${script.extra.join(' ')})` : '';
    return { nodeArgs: inner.nodeArgs, env: { ...parsed.env, ...inner.env }, via: `script "${script.name}": ${script.text}${args}` };
  }
  // A package binary (next start, serve -s build …): node runs its JS entry.
  const bin = facts.bins[name] ?? (name === 'next' && facts.pkg?.dependencies?.next ? 'node_modules/next/dist/bin/next' : undefined);
  if (bin && facts.pkg?.dependencies && Object.keys(facts.pkg.dependencies).some((d) => bin.startsWith(`node_modules/${d}/`))) {
    return { nodeArgs: [bin, ...argv.slice(1)], env: {}, via: `${name} -> ${bin}` };
  }
  return null;
}

/** The argv the official node image runs: docker-entrypoint.sh prepends `node` to a non-command. */
function officialNodeArgv(entrypoint: string[] | null, cmd: string[] | null): string[] | null {
  if (entrypoint) return [...entrypoint, ...(cmd ?? [])];
  if (!cmd || cmd.length === 0) return null;
  const first = cmd[0];
  if (first.startsWith('-') || /\.(c|m)?js$/.test(first)) return ['node', ...cmd];
  return cmd;
}

function nodeRuntimeImage(tag: string | null, choice: 'distroless' | 'slim' | 'alpine', major: string | null): string {
  if (choice === 'distroless') return `gcr.io/distroless/nodejs${major}-debian13:nonroot`;
  const version = tagVersion(tag);
  const variant = tagVariant(tag);
  if (choice === 'alpine') {
    if (variant.includes('alpine')) return `node:${tag}`;
    return `node:${version ?? 'lts'}-alpine`;
  }
  // slim, keeping the Debian release of the original when it names one.
  if (variant.endsWith('slim')) return `node:${tag}`;
  const distro = /^(bookworm|bullseye|buster|trixie)/.exec(variant)?.[1];
  if (!tag || tag === 'latest') return 'node:slim';
  if (!version) return `node:${tag}-slim`;
  return `node:${version}${distro ? `-${distro}` : ''}-slim`;
}

export function transformNode(input: TransformInput): TransformResult {
  const { model, ctx, options } = input;
  if (model.stages.length !== 1) return decline('already multi-stage');
  const stage = model.stages[0];
  const base = parseImage(stage.image);
  if (base.repo !== 'node') return decline(`base image '${stage.image}' is not an official node image`);
  if (base.dynamic) return decline(`base image '${stage.image}' is set by a build argument`);
  const facts = readNodeFacts(ctx);
  const findings: Finding[] = [];
  const changes: Change[] = [];
  const analysis = analyze(input, facts, findings);
  if (typeof analysis === 'string') return decline(analysis, findings);
  const a = analysis;
  if (facts.pm === 'yarn-berry' && facts.yarnNodeLinker === 'pnp') return decline('yarn Plug\'n\'Play keeps dependencies outside node_modules; not rewritten', findings);
  const style = styleOf(model);
  const fromLine = stage.from.startLine + 1;
  const major = tagVersion(base.tag)?.split('.')[0] ?? null;
  const alpine = tagVariant(base.tag).includes('alpine');

  // ----- what the container runs
  const epArgv = instructionArgv(a.entrypoint);
  const cmdArgv = instructionArgv(a.cmd);
  const effective = a.entrypoint && !epArgv ? null : officialNodeArgv(epArgv, cmdArgv);
  const resolved = effective ? resolveNodeCommand(effective, facts) : null;

  // ----- runtime family
  const slimReasons: string[] = [];
  if (a.runtimeOs.length) slimReasons.push(`the app needs OS packages at run time (${[...new Set(a.runtimeOs)].join(', ')})`);
  if (a.runtimeRuns.length) slimReasons.push(`RUN at line ${a.runtimeRuns[0].ins.startLine + 1} must run in the runtime (${firstLine(a.runtimeRuns[0].text)})`);
  if (!resolved) {
    if (a.entrypoint && !epArgv) slimReasons.push('ENTRYPOINT is a shell command');
    else if (!effective) slimReasons.push('no CMD to resolve');
    else slimReasons.push(`'${effective.join(' ')}' cannot be resolved to a plain node command`);
  }
  const healthProbe = a.healthcheck ? httpProbeOf(a.healthcheck) : null;
  if (a.healthcheck && !healthProbe && !/^NONE$/i.test(a.healthcheck.body.trim())) {
    const tools = healthTools(a.healthcheck).filter((t) => t !== 'node');
    if (tools.length) slimReasons.push(`HEALTHCHECK runs ${tools.join(', ')}`);
  }
  let family: 'distroless' | 'slim' | 'alpine';
  const requested = options.runtime ?? 'auto';
  if (requested === 'scratch') {
    findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: 'scratch has no Node.js runtime; using the automatic choice', fixed: false });
  }
  if (alpine || requested === 'alpine') {
    family = 'alpine';
    if (!alpine && facts.nativeDeps.length) {
      family = 'slim';
      findings.push({ ruleId: RULES.native, severity: 'warning', line: fromLine, message: `native addons (${facts.nativeDeps.join(', ')}) are built on glibc; an alpine (musl) runtime would break them, using -slim`, fixed: true });
    }
  } else if (requested === 'slim' || slimReasons.length) {
    family = 'slim';
  } else if (!major || isFloatingTag(base.tag) || !DISTROLESS_NODE_MAJORS.has(major)) {
    family = 'slim';
    slimReasons.push(major && !isFloatingTag(base.tag) ? `no distroless image for Node ${major}` : `the tag '${base.tag ?? 'latest'}' floats, so the runtime cannot be pinned to the builder's Node major`);
  } else {
    family = 'distroless';
  }
  const runtimeImage = nodeRuntimeImage(base.tag, family, major);
  const builderImage = stage.image;
  const changesRuntime = family === 'distroless'
    ? `runtime on ${runtimeImage}: Node ${major} and glibc like the original ${builderImage}, no shell or package manager`
    : family === 'alpine'
      ? `runtime on ${runtimeImage}: the musl family of the original`
      : `runtime on ${runtimeImage}: ${slimReasons.join('; ') || 'requested'}`;
  changes.push({ ruleId: RULES.runtime, line: fromLine, message: changesRuntime });
  if (facts.nativeDeps.length) {
    changes.push({ ruleId: RULES.native, line: fromLine, message: `native addons (${facts.nativeDeps.join(', ')}) are compiled in a stage on ${builderImage}, the same libc as the runtime` });
  }

  // ----- preamble for builder stages: ARG/ENV that precede the install or build in the original
  const builderPreamble = (upTo: Instruction | null): string[] => {
    const out: string[] = [];
    for (const ins of [...a.args, ...a.env].sort((x, y) => x.index - y.index)) {
      if (upTo && ins.index < upTo.index) out.push(...preserved(ins));
    }
    return out;
  };
  const wd = a.workdir;
  const rel = (p: string) => (wd === '/' ? `/${p}` : `${wd}/${p}`);
  const manifests = facts.manifests;
  const copyManifests = `COPY ${manifests.length > 1 && manifests.every((m) => !m.includes('/')) ? manifests.join(' ') + ' ./' : manifests.map((m) => m).join(' ') + ' ./'}`;
  const manifestLines = manifests.some((m) => m.includes('/'))
    ? [`COPY ${manifests.filter((m) => !m.includes('/')).join(' ')} ./`, ...manifests.filter((m) => m.includes('/')).map((m) => `COPY ${m} ./${m}`)]
    : [copyManifests];
  const tooling = [...new Set(a.tooling)];
  const toolingLines = tooling.length ? [...dedupe(a.comments.tooling), ...runLines([], tooling, style)] : [];
  const install = (prod: boolean) => {
    const i = installCommand(facts.pm, facts.lockfile, prod, facts.lockProblems.length === 0);
    return runLines([`--mount=type=cache,${i.cache}`], [i.cmd], style);
  };
  if (!facts.lockfile) {
    findings.push({ ruleId: RULES.install, severity: 'warning', message: 'no lockfile in the build context: installs are not reproducible; commit one', fixed: false });
  }
  const installMsg = installCommand(facts.pm, facts.lockfile, false, facts.lockProblems.length === 0).cmd;
  if (facts.lockProblems.length) {
    findings.push({ ruleId: RULES.install, severity: 'warning', line: a.installSeen!.startLine + 1, message: `${facts.lockfile} is out of sync with package.json (${facts.lockProblems[0]}${facts.lockProblems.length > 1 ? `, and ${facts.lockProblems.length - 1} more` : ''}): 'npm ci' would fail, so 'npm install' is kept; run npm install and commit the lockfile`, fixed: false });
  }
  const stages: PlanStage[] = [];
  const hasBuild = a.buildCommands.length > 0;
  // package.json without production dependencies: an install creates no node_modules to copy.
  const prodDeps = Object.keys({ ...(facts.pkg?.dependencies ?? {}), ...(facts.pkg?.optionalDependencies ?? {}) });
  // A workspace root declares none itself while its members do: it always installs.
  const workspace = !!facts.pkg?.workspaces || facts.manifests.includes('pnpm-workspace.yaml');
  const noProdDeps = !!facts.pkg && prodDeps.length === 0 && !workspace;
  const installs = hasBuild || !noProdDeps;
  if (installs) {
    changes.push({ ruleId: RULES.install, line: a.installSeen!.startLine + 1, message: facts.lockProblems.length ? `dependencies installed with '${installMsg}' (the lockfile is out of sync; see the finding)` : `dependencies installed with '${installMsg}'${facts.lockfile ? ` from ${facts.lockfile}` : ''}` });
    changes.push({ ruleId: RULES.cache, line: a.installSeen!.startLine + 1, message: `the ${facts.pm.replace(/[0-9]|-berry/g, '')} cache is a BuildKit cache mount: fast reinstalls, nothing left in a layer` });
    changes.push({ ruleId: RULES.order, line: a.installSeen!.startLine + 1, message: `${manifests.join(', ')} copied before the sources, so a source change does not reinstall dependencies` });
  }
  const next = !!facts.nextConfig && (facts.pkg?.dependencies?.next !== undefined);
  // Standalone output replaces `next start` by its own server.js; any other start command (a custom
  // server) needs the full production dependencies, so standalone is not used then.
  const nextStart = !!resolved && /(^|\/)node_modules\/next\/dist\/bin\/next$/.test(resolved.nodeArgs[0] ?? '') && resolved.nodeArgs[1] === 'start';
  const standalone = next && facts.nextStandalone && hasBuild && nextStart;
  if (next && facts.nextStandalone && hasBuild && !nextStart) {
    findings.push({ ruleId: RULES.next, severity: 'info', line: fromLine, message: `output: 'standalone' is set but the app does not start with 'next start'; the runtime keeps production dependencies instead`, fixed: false });
  }
  const standaloneEnv: Record<string, string> = {};
  if (standalone) {
    const args = resolved!.nodeArgs.slice(2);
    for (let i = 0; i < args.length; i++) {
      const [flag, inline] = args[i].split(/=(.*)/s, 2);
      const value = inline ?? args[i + 1];
      if (flag === '-p' || flag === '--port') standaloneEnv.PORT = value;
      if (flag === '-H' || flag === '--hostname') standaloneEnv.HOSTNAME = value;
      if ((flag === '-p' || flag === '--port' || flag === '-H' || flag === '--hostname') && inline === undefined) i++;
    }
  }

  // ----- deps stage (not needed for Next standalone: the build traces its own node_modules; nor without
  // production dependencies)
  if (!standalone && noProdDeps) {
    changes.push({ ruleId: RULES.stages, message: `package.json declares no production dependencies: no dependencies stage, and no node_modules in the runtime${installs ? '' : ', so nothing is installed'}` });
  }
  if (!standalone && !noProdDeps) {
    stages.push({
      image: builderImage,
      name: 'deps',
      platform: stage.platform,
      comments: heading('node', 'deps'),
      lines: [...builderPreamble(a.installSeen), `WORKDIR ${wd}`, ...toolingLines, ...manifestLines, ...a.comments.install, ...install(true)],
    });
  }
  // The runtime's user: 65532 on distroless; on node images the original's own non-root USER, else node.
  const originalUser = a.user ? a.user.args.join(' ') : null;
  const keepsOriginalUser = family !== 'distroless' && !isRootUser(originalUser);
  // Who owns the app's files in the runtime: the user it runs as when this rewrite chose that user (the
  // original ran as root and could write them); an original non-root USER keeps the original's ownership.
  const appOwner = family === 'distroless' ? '65532:65532' : keepsOriginalUser ? null : 'node:node';
  const ownedNote = appOwner ? `; the app files belong to the app user (${appOwner}), who can write them as the original root user could` : '';
  // ----- build stage
  const copyLines = (forRuntime: boolean): string[] => {
    const out: string[] = [];
    for (const c of a.copies) {
      const onlyManifests = c.sources.every((s) => isManifest(s, manifests));
      if (onlyManifests && a.copies.some((o) => o !== c && o.sources.includes('.'))) continue;
      let lines = c.ins.lines.slice();
      if (c.ins.keyword === 'ADD') lines = ['COPY' + lines[0].slice(3), ...lines.slice(1)];
      if (forRuntime && appOwner) {
        // distroless has no named users: the original's own --chown becomes the nonroot uid.
        if (family === 'distroless') lines = lines.map((l) => l.replace(/--chown=[^\s]+/, '--chown=65532:65532'));
        if (!/--chown=/.test(lines.join('\n'))) lines[0] = lines[0].replace(/^(\s*copy)(\s)/i, `$1 --chown=${appOwner}$2`);
      }
      if (!forRuntime) lines = lines.map((l) => l.replace(/\s--chown=[^\s]+/, '').replace(/\s--chmod=[^\s]+/, ''));
      out.push(...lines);
    }
    return out;
  };
  if (hasBuild) {
    const lastBuild = a.buildCommands[a.buildCommands.length - 1].ins;
    stages.push({
      image: builderImage,
      name: 'build',
      platform: stage.platform,
      comments: heading('node', 'build'),
      lines: [
        ...builderPreamble(lastBuild),
        `WORKDIR ${wd}`,
        ...toolingLines,
        ...manifestLines,
        ...a.comments.install,
        ...install(false),
        ...copyLines(false),
        ...a.comments.build,
        ...runLines([], dedupe(a.buildCommands.map((b) => b.text)), style),
      ],
    });
    changes.push({ ruleId: RULES.stages, line: lastBuild.startLine + 1, message: `the build runs in a 'build' stage with all dependencies; its compilers and dev dependencies stay out of the runtime` });
  }

  // ----- runtime stage
  const rt: string[] = [];
  const runtimeCopies: string[] = [];
  const copiedFromContext: string[] = [];
  for (const c of a.copies) copiedFromContext.push(...c.sources);
  if (standalone) {
    if (ctx.isDir('public')) runtimeCopies.push(`COPY --from=build ${rel('public')} ./public`);
    // Owned by the user the server runs as, as in Next.js's own Dockerfile example: the server writes
    // its cache (.next/cache: optimized images, regenerated pages) under .next at run time.
    const owner = appOwner ?? originalUser!;
    runtimeCopies.push(`COPY --from=build --chown=${owner} ${rel('.next/standalone')} ./`);
    runtimeCopies.push(`COPY --from=build --chown=${owner} ${rel('.next/static')} ./.next/static`);
    changes.push({ ruleId: RULES.next, line: fromLine, message: `Next.js output: 'standalone' (${facts.nextConfig}): only .next/standalone, .next/static and public reach the runtime; .next belongs to the user the server runs as, which writes its cache there` });
  } else {
    if (!noProdDeps) runtimeCopies.push(`COPY --from=deps ${rel('node_modules')} ./node_modules`);
    if (hasBuild) {
      const entries = runtimeEntries(a, facts, ctx.entries(), resolved, next, (e) => isTypeScriptOnlyDir(ctx, e));
      const own = appOwner ? ` --chown=${appOwner}` : '';
      for (const e of entries.keep) runtimeCopies.push(`COPY --from=build${own} ${rel(e)} ./${e}`);
      changes.push({ ruleId: RULES.files, message: `runtime files from the build: ${entries.keep.join(', ')}${entries.dropped.length ? `; left out as build-only: ${entries.dropped.join(', ')}` : ''}${ownedNote}` });
    } else {
      runtimeCopies.push(...copyLines(true));
      changes.push({ ruleId: RULES.files, message: (noProdDeps ? 'the runtime gets the same files as the original' : 'the runtime gets the same files as the original, with production node_modules from the deps stage') + ownedNote });
    }
  }

  // Runtime in the original order: kept instructions verbatim, copies at the first COPY, CMD last.
  rt.push(...a.comments.workdir, `WORKDIR ${wd}`);
  const runtimeArgs = new Set<string>();
  let copiesPlaced = false;
  const placeCopies = () => {
    if (copiesPlaced) return;
    copiesPlaced = true;
    rt.push(...a.comments.copy, ...runtimeCopies);
    if (family !== 'distroless' && a.runtimeOs.length) {
      /* OS packages go before the copies, see below */
    }
  };
  if (a.globals.length) {
    if (family === 'distroless') {
      findings.push({ ruleId: RULES.runtime, severity: 'info', line: fromLine, message: `global packages (${a.globals.join('; ')}) stay in the build stages: the runtime runs node directly`, fixed: true });
    } else {
      rt.push(...runLines([], dedupe(a.globals), style));
      changes.push({ ruleId: RULES.runtime, message: `global packages installed in the runtime too, since its command may run them: ${dedupe(a.globals).join('; ')}` });
    }
  }
  if (family !== 'distroless' && a.runtimeOs.length) {
    const pkgs = [...new Set(a.runtimeOs)];
    if (family === 'alpine') rt.push(...runLines([], [`apk add --no-cache ${pkgs.join(' ')}`], style));
    else rt.push(...runLines([], ['apt-get update', `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`, 'rm -rf /var/lib/apt/lists/*'], style));
    changes.push({ ruleId: RULES.runtime, message: `run-time OS packages installed in the runtime: ${pkgs.join(', ')}` });
  }
  const extraEnv: Record<string, string> = { ...(resolved?.env ?? {}) };
  if (standalone) {
    if (!a.env.some((e) => /\bHOSTNAME=/.test(e.body))) extraEnv.HOSTNAME = '0.0.0.0';
    Object.assign(extraEnv, standaloneEnv);
  }
  for (const ins of model.stages[0].instructions) {
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      placeCopies();
      continue;
    }
    const run = a.runtimeRuns.find((r) => r.ins === ins);
    if (run) {
      placeCopies();
      rt.push(...comments(ins), ...(run.text.startsWith('RUN') && !run.text.includes('\n') ? [run.text] : run.ins.lines));
      continue;
    }
    if (!a.kept.includes(ins)) continue;
    if (ins.keyword === 'ARG') runtimeArgs.add(ins.args[0]?.split('=')[0] ?? '');
    if (ins.keyword === 'HEALTHCHECK') continue; // placed after USER, below
    rt.push(...preserved(ins));
  }
  placeCopies();
  if (Object.keys(extraEnv).length) {
    const envText = Object.entries(extraEnv).map(([k, v]) => `${k}=${quoteEnv(v)}`).join(' ');
    rt.push(`ENV ${envText}`);
    changes.push({ ruleId: RULES.cmd, message: `ENV ${envText}: ${standalone && extraEnv.HOSTNAME ? 'the standalone server listens on all interfaces (Docker sets HOSTNAME to the container id)' : 'the variables the npm script set for the process'}` });
  }
  // ----- user
  if (family === 'distroless') {
    if (a.user) rt.push(...comments(a.user));
    rt.push('USER 65532:65532');
    changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: `runs as the distroless nonroot user (65532)${originalUser && !isRootUser(originalUser) ? ` instead of '${originalUser}', which does not exist there` : ''}` });
  } else if (keepsOriginalUser) {
    rt.push(...preserved(a.user!));
  } else {
    // The WORKDIR is root's on node images (the nonroot distroless image creates it as its user).
    rt.push(`RUN chown node:node ${wd}`);
    rt.push('USER node');
    changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: "runs as the image's non-root 'node' user" });
  }
  // ----- healthcheck
  if (a.healthcheck) {
    if (healthProbe) {
      rt.push(...comments(a.healthcheck), nodeHealthcheck(a.healthcheck, healthProbe, family === 'distroless' ? '/nodejs/bin/node' : 'node'));
      changes.push({ ruleId: RULES.health, line: a.healthcheck.startLine + 1, message: `HEALTHCHECK probes ${healthProbe.url} with node itself: the runtime has no curl or wget` });
    } else {
      rt.push(...preserved(a.healthcheck));
    }
  }
  // ----- process
  if (standalone) {
    if (a.entrypoint) rt.push(...comments(a.entrypoint));
    if (a.cmd) rt.push(...comments(a.cmd));
    rt.push(`CMD ${jsonForm(family === 'distroless' ? ['server.js'] : ['node', 'server.js'])}`);
    changes.push({ ruleId: RULES.cmd, line: (a.cmd ?? a.entrypoint) ? (a.cmd ?? a.entrypoint)!.startLine + 1 : undefined, message: `'${effective!.join(' ')}' runs as 'node server.js', the server Next.js writes into .next/standalone${Object.keys(standaloneEnv).length ? ` (${Object.entries(standaloneEnv).map(([k, v]) => `${k}=${v}`).join(', ')} from its flags)` : ''}` });
  } else if (family === 'distroless' && resolved) {
    const argsForNode = resolved.nodeArgs;
    if (a.entrypoint) rt.push(...comments(a.entrypoint));
    if (a.cmd) rt.push(...comments(a.cmd));
    rt.push(`CMD ${jsonForm(argsForNode)}`);
    const original = effective!.join(' ');
    changes.push({ ruleId: RULES.cmd, line: (a.cmd ?? a.entrypoint)?.startLine !== undefined ? (a.cmd ?? a.entrypoint)!.startLine + 1 : undefined, message: `'${original}' runs as 'node ${argsForNode.join(' ')}'${resolved.via ? ` (${resolved.via})` : ''}: distroless has no npm or shell, and node as PID 1 receives signals` });
  } else {
    if (a.entrypoint) rt.push(...preserved(a.entrypoint));
    if (a.cmd) rt.push(...preserved(a.cmd));
  }
  stages.push({ image: runtimeImage, name: 'runtime', platform: stage.platform, comments: heading('node', 'runtime'), lines: rt });
  changes.unshift({ ruleId: RULES.stages, line: fromLine, message: stages.length > 1 ? `single stage split into ${stages.map((s) => s.name).join(', ')}: build tools, dev dependencies and caches stay out of the runtime image` : 'nothing to install or build: the app goes straight onto the small runtime base, without a builder stage' });

  const di = planDockerignore(ctx, 'node', copiedFromContext, path.basename(model.path));
  findings.push(...di.findings);
  const plan: Plan = { stages, changes, findings, sideFiles: di.sideFile ? [di.sideFile] : [] };
  if (di.sideFile) changes.push({ ruleId: 'DO-IGNORE', message: di.sideFile.original === null ? '.dockerignore created: node_modules, .git, logs and env files stay out of the build context' : `.dockerignore completed with essentials it lacked` });
  void runtimeArgs;
  return { kind: 'rewrite', plan, runtimeBase: runtimeImage };
}

function quoteEnv(v: string): string {
  return /^[A-Za-z0-9_./:@,+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
}

function firstLine(s: string): string {
  const l = s.split('\n')[0];
  return l.length > 60 ? l.slice(0, 57) + '...' : l;
}

function dedupe(xs: string[]): string[] {
  return xs.filter((x, i) => xs.indexOf(x) === i);
}

function isManifest(src: string, manifests: string[]): boolean {
  const s = src.replace(/^\.\//, '');
  if (manifests.includes(s)) return true;
  return /^package(-lock)?\*?\.json$|^package\*\.json$|^yarn\.lock$|^pnpm-lock\.yaml$|^\.npmrc$/.test(s);
}

/**
 * Which top-level entries of the app directory the runtime needs after a build: the build output, the
 * entry the command runs, package.json, and everything the original copied that is not a build input
 * (sources compiled away, tests, tool configs, lockfiles). When unsure, an entry is kept.
 */
/** A directory holding only TypeScript sources (and declarations): compiled away by the build. */
function isTypeScriptOnlyDir(ctx: TransformInput['ctx'], entry: string): boolean {
  if (!ctx.isDir(entry)) return false;
  const files = ctx.walk(entry, 2000);
  return files.length > 0 && files.length < 2000 && files.every((f) => /\.(ts|tsx|mts|cts)$/.test(f));
}

function runtimeEntries(a: Analysis, facts: NodeFacts, contextEntries: string[], resolved: Resolved | null, next: boolean, tsOnly: (e: string) => boolean = () => false): { keep: string[]; dropped: string[] } {
  const present = new Set<string>();
  for (const c of a.copies) {
    const destIsWd = ['.', './', a.workdir, `${a.workdir}/`].includes(c.dest);
    for (const s of c.sources) {
      if (s === '.' || s === './') {
        if (destIsWd) for (const e of contextEntries) present.add(e);
        continue;
      }
      const top = destIsWd ? path.posix.basename(s.replace(/\/$/, '')) : path.posix.relative(a.workdir, resolveDir(a.workdir, c.dest)).split('/')[0];
      if (top && !top.startsWith('..')) present.add(top.includes('*') ? top : top);
    }
  }
  const outputs = new Set<string>();
  if (facts.tsOutDir) outputs.add(facts.tsOutDir.split('/')[0]);
  if (next) outputs.add('.next');
  const entry = resolved?.nodeArgs.find((x) => !x.startsWith('-'));
  if (entry && !entry.startsWith('/') && !entry.startsWith('node_modules/')) outputs.add(path.posix.normalize(entry).split('/')[0]);
  for (const b of a.buildCommands) {
    const m = /(?:--out-dir|--outDir|--outdir|-d|-o)[ =](\S+)/.exec(b.text);
    if (m) outputs.add(m[1].replace(/^\.\//, '').split('/')[0]);
  }
  if (outputs.size === 0) outputs.add('dist');
  const sourceRoots = new Set(facts.tsOutDir ? facts.tsRootDirs.filter((r) => !outputs.has(r)) : []);
  const keep = new Set<string>(['package.json']);
  const dropped: string[] = [];
  for (const e of present) {
    if (e === 'package.json' || e.includes('*')) continue;
    if (sourceRoots.has(e) || DEV_ONLY_ENTRIES.some((r) => r.test(e)) || (a.buildCommands.length > 0 && tsOnly(e))) {
      if (!outputs.has(e)) {
        dropped.push(e);
        continue;
      }
    }
    keep.add(e);
  }
  for (const o of outputs) keep.add(o);
  if (next) for (const f of ['public', facts.nextConfig ?? '']) if (f && present.has(f)) keep.add(f);
  const order = (x: string) => (x === 'package.json' ? 0 : outputs.has(x) ? 2 : 1);
  return { keep: [...keep].sort((x, y) => order(x) - order(y) || x.localeCompare(y)), dropped: dropped.sort() };
}

export const node: Ecosystem = {
  name: 'node',
  detect(model, ctx) {
    const base = parseImage(model.stages[model.stages.length - 1].image);
    if (base.repo === 'node' || base.repo.endsWith('/node')) return 1;
    if (ctx.exists('package.json') && model.instructions.some((i) => i.keyword === 'RUN' && /\b(npm|yarn|pnpm)\b/.test(i.body))) return 0.8;
    return ctx.exists('package.json') ? 0.3 : 0;
  },
  transform: transformNode,
};

void commandToArgv;
