/**
 * Go: split a single-stage `FROM golang:*` Dockerfile into a `build` stage (go.mod/go.sum and
 * `go mod download` in their own cached layer, then the sources and the original `go build`/`go
 * install` with -trimpath and stripped ldflags) and a `runtime` stage holding the binary and the
 * files the program reads: distroless static (no cgo), distroless base (cgo, glibc), scratch, alpine
 * or Debian slim. See README.md beside this file for the decisions and their reasons.
 */
import * as path from 'path';
import { nextWorkdir, resolveDir, takeRuntimeInstruction } from '../common/instructions';
import { heading } from '../../templates/stages';
import type { Instruction } from '../../src/model/parse';
import { isRootUser } from '../../src/model/user';
import { flagOf, parseJsonForm } from '../../src/model/parse';
import { isFloatingTag, parseImage, tagVersion, tagVariant } from '../../src/model/image';
import { jsonForm, runLines } from '../../src/model/print';
import { decline, Ecosystem, TransformInput, TransformResult } from '../../src/plan/ecosystem';
import { Plan, PlanStage, preserved, styleOf } from '../../src/plan/plan';
import { effectiveIndex, parseShell, positionals, ShellCommand } from '../../src/shell';
import { BuildContext } from '../../src/stack/context';
import type { Change, Finding } from '../../src/types';
import { instructionArgv, shellToArgv } from '../common/command';
import { planDockerignore } from '../common/dockerignore';
import { classifyOsPackages, osInstallOf } from '../common/ospackages';
import { CGO_MODULES, compareMinor, GoFacts, goMinor, readGoFacts } from './facts';
import { copyOperands } from '../common/copy';

export const RULES = {
  stages: 'GO-STAGES',
  builder: 'GO-BUILDER',
  runtime: 'GO-RUNTIME',
  download: 'GO-MOD-DOWNLOAD',
  cache: 'GO-CACHE-MOUNT',
  flags: 'GO-BUILD-FLAGS',
  cgo: 'GO-CGO',
  cmd: 'GO-CMD',
  user: 'GO-NONROOT',
  files: 'GO-RUNTIME-FILES',
  certs: 'GO-CA-CERTS',
} as const;

export const DISTROLESS_STATIC = 'gcr.io/distroless/static-debian13:nonroot';
export const DISTROLESS_BASE = 'gcr.io/distroless/base-debian13:nonroot';
export const DEFAULT_ALPINE = 'alpine:3.21';
const GOLANG_PATH = ['/go/bin', '/usr/local/go/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const CACHE_MOUNTS = ['--mount=type=cache,target=/go/pkg/mod', '--mount=type=cache,target=/root/.cache/go-build'];
/** go build/install flags that take a value (as `-flag value` or `-flag=value`). */
const VALUED = new Set(['o', 'ldflags', 'gcflags', 'asmflags', 'gccgoflags', 'tags', 'mod', 'p', 'pkgdir', 'buildmode', 'compiler', 'installsuffix', 'modfile', 'overlay', 'pgo', 'C', 'toolexec', 'covermode', 'coverpkg', 'exec']);
/** Top-level names the program may read at run time (copied, with a finding, when nothing refers to them). */
const LIKELY_RUNTIME = /^(templates?|static|public|web|www|html|assets|views|ui|migrations|db|sql|config|configs|conf|etc|locales?|i18n|translations|data|resources|content|files)$|\.(ya?ml|json|toml|ini|conf|env|pem|crt|key|html|tmpl|txt|csv|db|sqlite3?|sql)$/i;
/** Entries that are never run-time files of a Go program. */
const NEVER_RUNTIME = /^(\..*|go\.(mod|sum|work|work\.sum)|vendor|Dockerfile.*|.*\.Dockerfile|docker-compose.*|compose\..*|.*\.md|LICEN[CS]E.*|COPYING|NOTICE|Makefile|Taskfile\.ya?ml|magefile\.go|.*\.go|testdata|tests?|e2e|docs?|hack|\.github|codecov\.ya?ml|renovate\.json|\.goreleaser\.ya?ml)$/i;

interface GoCommandStep {
  kind: 'build' | 'install' | 'run';
  cmd: ShellCommand;
  ins: Instruction;
  /** Builder working directory when the command runs. */
  workdir: string;
  /** Absolute path(s) of the binaries it writes. */
  outputs: string[];
  /** The rewritten command text. */
  text: string;
  cgoEnv: string | null;
  /** Original -ldflags (text) and whether the rewrite merged -s -w into it. */
  ldflags: string | null;
  /** Package arguments (positionals). */
  packages: string[];
}

interface CopyStep {
  ins: Instruction;
  sources: string[];
  dest: string;
  workdir: string;
}

/** One piece of the builder, in original order. */
type BuilderItem =
  | { kind: 'copy'; copy: CopyStep }
  | { kind: 'run'; text: string; go: boolean; ins: Instruction }
  | { kind: 'workdir'; dir: string }
  | { kind: 'keep'; ins: Instruction }
  | { kind: 'download'; ins: Instruction };

interface Analysis {
  workdir: string;
  copies: CopyStep[];
  builder: BuilderItem[];
  steps: GoCommandStep[];
  tooling: string[];
  runtimeOs: string[];
  env: Record<string, string>;
  kept: Instruction[];
  user: Instruction | null;
  entrypoint: Instruction | null;
  cmd: Instruction | null;
  healthcheck: Instruction | null;
  dropped: string[];
  downloadSeen: Instruction | null;
  /** RUNs after the build that move or copy the binary. */
  postBuild: Instruction[];
}

function comments(ins: Instruction): string[] {
  return ins.leading.filter((l) => l.trim().startsWith('#'));
}

/** Literal KEY=value pairs of an ENV instruction (both forms). */
export function envPairs(ins: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  const a = ins.args;
  if (a.length >= 2 && !a[0].includes('=')) {
    out[a[0]] = a.slice(1).join(' ');
    return out;
  }
  for (const kv of a) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1).replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
  }
  return out;
}

function argName(ins: Instruction): string {
  return (ins.args[0] ?? '').split('=')[0];
}

/** The binary name `go build` gives a package: the last path element that is not a major version. */
export function binaryName(pkg: string, modulePath: string | null): string {
  let p = pkg.replace(/@.*$/, '').replace(/\/$/, '');
  if (p === '.' || p === './' || p === '') p = modulePath ?? 'main';
  else if (p.startsWith('./') || p.startsWith('../') || p === '..') {
    const rel = path.posix.normalize(p);
    p = rel === '.' ? modulePath ?? 'main' : rel;
  }
  if (p.endsWith('.go')) return path.posix.basename(p, '.go');
  const parts = p.split('/').filter(Boolean);
  let last = parts[parts.length - 1] ?? 'main';
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  return last;
}

interface ParsedGoArgs {
  /** Indexes of words belonging to -ldflags (flag and value). */
  ldflagsIdx: number[];
  ldflagsValue: { text: string; literal: string | null } | null;
  output: string | null | undefined;
  outputIdx: number[];
  packages: string[];
  packageIdx: number[];
  flags: Set<string>;
  bad: string | null;
}

/** Reads the flags and packages of `go build|install|run` words after the verb. */
function parseGoArgs(c: ShellCommand, from: number, stopAtProgramArgs: boolean): ParsedGoArgs & { restIdx: number } {
  const r: ParsedGoArgs & { restIdx: number } = { ldflagsIdx: [], ldflagsValue: null, output: undefined, outputIdx: [], packages: [], packageIdx: [], flags: new Set(), bad: null, restIdx: c.argv.length };
  const words = c.argv;
  for (let i = from; i < words.length; i++) {
    const w = words[i];
    const v = w.value ?? w.text;
    if (v.startsWith('-') && r.packages.length === 0) {
      const m = /^--?([A-Za-z0-9_-]+)(=([\s\S]*))?$/.exec(v);
      if (!m) continue;
      const name = m[1];
      r.flags.add(name);
      const hasInline = m[2] !== undefined;
      if (VALUED.has(name)) {
        let value: { text: string; literal: string | null };
        const idx = [i];
        if (hasInline) {
          const text = w.text.slice(w.text.indexOf('=') + 1);
          value = { text, literal: w.value === null ? null : m[3] };
        } else {
          const nx = words[i + 1];
          if (!nx) break;
          value = { text: nx.text, literal: nx.value };
          idx.push(i + 1);
          i++;
        }
        if (name === 'ldflags') {
          r.ldflagsIdx = idx;
          r.ldflagsValue = value;
        } else if (name === 'o') {
          r.outputIdx = idx;
          r.output = value.literal;
        } else if (name === 'C') {
          r.bad = '-C changes the directory of the build';
        }
      }
      continue;
    }
    if (w.value === null) {
      r.bad = `the package argument '${w.text}' is not literal`;
    }
    if (stopAtProgramArgs && r.packages.length > 0 && !(v.endsWith('.go') && r.packages.every((p) => p.endsWith('.go')))) {
      r.restIdx = i;
      break;
    }
    r.packages.push(v);
    r.packageIdx.push(i);
  }
  return r;
}

/** ldflags with -s -w merged in; `text` is the shell word as written. */
export function mergeLdflags(value: { text: string; literal: string | null } | null): string {
  if (!value) return '"-s -w"';
  let inner: string;
  const t = value.text;
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"') && !t.slice(1, -1).includes('"')) inner = t.slice(1, -1);
  else if (value.literal !== null) inner = value.literal.replace(/["\\`$]/g, (ch) => `\\${ch}`);
  else inner = t;
  const tokens = inner.split(/\s+/);
  const add = ['-s', '-w'].filter((f) => !tokens.includes(f));
  return `"${[...add, inner].filter(Boolean).join(' ')}"`;
}

function analyze(input: TransformInput, facts: GoFacts): Analysis | string {
  const stage = input.model.stages[0];
  const a: Analysis = {
    workdir: '/',
    copies: [],
    builder: [],
    steps: [],
    tooling: [],
    runtimeOs: [],
    env: {},
    kept: [],
    user: null,
    entrypoint: null,
    cmd: null,
    healthcheck: null,
    dropped: [],
    downloadSeen: null,
    postBuild: [],
  };
  for (const ins of stage.instructions) {
    const line = ins.startLine + 1;
    switch (ins.keyword) {
      case 'WORKDIR': {
        const next = nextWorkdir(ins, a.workdir);
        if (next.declined !== undefined) return next.declined;
        a.workdir = next.dir;
        a.builder.push({ kind: 'workdir', dir: next.dir });
        break;
      }
      case 'COPY':
      case 'ADD': {
        const operands = copyOperands(ins);
        if (typeof operands === 'string') return operands;
        const { sources: parts, dest } = operands;
        const step = { ins, sources: parts, dest, workdir: a.workdir };
        a.copies.push(step);
        a.builder.push({ kind: 'copy', copy: step });
        break;
      }
      case 'RUN': {
        if (ins.heredoc) return `RUN at line ${line} uses a heredoc`;
        if (ins.json) return `RUN at line ${line} is in exec form; not moved`;
        const script = parseShell(ins.body);
        if (!script.ok || script.complex) return `RUN at line ${line} has control flow the builder cannot split`;
        const rest: string[] = [];
        let restGo = false;
        for (const c of script.commands) {
          if (c.inPipeline || c.inSubshell || c.next === '||' || c.next === '&') return `RUN at line ${line} joins commands with pipes, || or subshells`;
          const os = osInstallOf(c);
          if (os) {
            if (os.kind === 'install') {
              const { build, runtime } = classifyOsPackages(os.manager, os.packages);
              const provided = runtime.filter((p) => /^(ca-certificates|tzdata)$/.test(p.replace(/[=:].*$/, '')));
              const need = runtime.filter((p) => !provided.includes(p));
              if (build.length) a.tooling.push(`${os.manager === 'apk' ? 'apk add --no-cache' : 'apt-get update && apt-get install -y --no-install-recommends'} ${build.join(' ')}${os.manager === 'apt' ? ' && rm -rf /var/lib/apt/lists/*' : ''}`);
              a.runtimeOs.push(...need);
              if (build.length) {
                a.builder.push({ kind: 'run', text: a.tooling[a.tooling.length - 1], go: false, ins });
              }
            }
            continue;
          }
          const i0 = effectiveIndex(c);
          const name = path.posix.basename(c.argv[i0]?.value ?? '');
          const verb = c.argv[i0 + 1]?.value ?? '';
          if (name === 'go') {
            if (verb === 'mod' && c.argv[i0 + 2]?.value === 'download') {
              a.downloadSeen ??= ins;
              continue;
            }
            if (verb === 'build' || verb === 'install') {
              const step = goStep(c, i0, verb, ins, a, facts);
              if (typeof step === 'string') return `'${c.text}' at line ${line}: ${step}`;
              if (rest.length) a.builder.push({ kind: 'run', text: rest.splice(0).join(' && '), go: restGo, ins });
              a.steps.push(step);
              a.builder.push({ kind: 'run', text: step.text, go: true, ins });
              continue;
            }
            rest.push(c.text);
            restGo = true;
            continue;
          }
          if (name === 'cd') return `'cd' at line ${line} changes directory inside RUN; use WORKDIR`;
          if (['useradd', 'adduser', 'groupadd', 'addgroup'].includes(name)) {
            a.dropped.push(c.text);
            continue;
          }
          if (['mv', 'cp', 'chmod'].includes(name) && appBuilt(a) && moveOutput(c, i0, name, a)) {
            // Moving or copying the binary (or making it executable): the builder does it, the
            // runtime takes the binary from where it ends up.
            rest.push(c.text);
            a.postBuild.push(ins);
            continue;
          }
          if (['mkdir', 'chown', 'chmod', 'touch', 'ln', 'cp', 'mv', 'rm'].includes(name) && appBuilt(a)) {
            return `'${c.text}' at line ${line} changes the image after the build; its effect cannot be carried to the runtime`;
          }
          if (['mkdir', 'chown', 'chmod', 'touch', 'ln'].includes(name)) {
            return `'${c.text}' at line ${line} prepares the image's file system; the runtime would not have it`;
          }
          if (appBuilt(a)) return `'${c.text}' at line ${line} runs after the build; it may produce files the program needs`;
          rest.push(c.text);
        }
        if (rest.length) a.builder.push({ kind: 'run', text: rest.join(' && '), go: restGo, ins });
        break;
      }
      case 'ENV':
        Object.assign(a.env, envPairs(ins));
        a.kept.push(ins);
        a.builder.push({ kind: 'keep', ins });
        break;
      case 'ARG':
        a.kept.push(ins);
        a.builder.push({ kind: 'keep', ins });
        break;
      default: {
        const declined = takeRuntimeInstruction(ins, a, { keepHealthcheck: false });
        if (declined) return declined;
      }
    }
  }
  if (a.copies.length === 0 && a.steps.every((s) => !s.packages.some((p) => p.includes('@')))) return 'no COPY of the sources';
  return a;
}

/** `mv|cp <binary> <dest>` or `chmod … <binary>`: follows the binary; false when the command touches anything else. */
function moveOutput(c: ShellCommand, i0: number, name: string, a: Analysis): boolean {
  if (c.assigns.length || c.redirects.length) return false;
  const args = positionals(c, i0 + 1).map((w) => w.value);
  if (args.some((v) => v === null)) return false;
  const wd = a.workdir;
  const outputs = a.steps.flatMap((s) => s.outputs);
  if (name === 'chmod') return args.length >= 2 && args.slice(1).every((p) => outputs.includes(resolveDir(wd, p!)));
  if (args.length !== 2 || c.argv.slice(i0 + 1).some((w) => /^-[a-zA-Z]*[rRt]/.test(w.value ?? ''))) return false;
  const [src, dst] = args as string[];
  const from = resolveDir(wd, src);
  const step = a.steps.find((s) => s.outputs.includes(from));
  if (!step) return false;
  const dest = resolveDir(wd, dst);
  const isDir = dst.endsWith('/') || dst === '.' || GOLANG_PATH.includes(dest) || dest === wd;
  const to = isDir ? `${dest === '/' ? '' : dest}/${path.posix.basename(from)}` : dest;
  if (name === 'mv') step.outputs = step.outputs.map((o) => (o === from ? to : o));
  else step.outputs.push(to);
  return true;
}

/** Whether the program may already be built: a go build, or a go install of local packages (not a tool@version). */
function appBuilt(a: Analysis): boolean {
  return a.steps.some((s) => s.kind === 'build' || !s.packages.every((p) => p.includes('@')));
}

function goStep(c: ShellCommand, i0: number, verb: 'build' | 'install', ins: Instruction, a: Analysis, facts: GoFacts): GoCommandStep | string {
  const parsed = parseGoArgs(c, i0 + 2, false);
  if (parsed.bad) return parsed.bad;
  if (parsed.output === null) return 'the -o path is not literal';
  const modulePath = facts.mod?.module ?? null;
  const pkgs = parsed.packages.length ? parsed.packages : ['.'];
  const outputs: string[] = [];
  const wd = a.workdir;
  if (verb === 'build') {
    if (parsed.output !== undefined) {
      const out = resolveDir(wd, parsed.output);
      if (parsed.output.endsWith('/')) {
        for (const p of expandMains(pkgs, facts)) outputs.push(`${out}/${binaryName(p, modulePath)}`);
      } else outputs.push(out);
    } else if (pkgs.length === 1 && !pkgs[0].includes('...')) {
      outputs.push(`${wd === '/' ? '' : wd}/${binaryName(pkgs[0], modulePath)}`);
    } else if (pkgs.every((p) => p.endsWith('.go'))) {
      outputs.push(`${wd === '/' ? '' : wd}/${binaryName(pkgs[0], modulePath)}`);
    }
  } else {
    const gobin = a.env.GOBIN ?? `${a.env.GOPATH ?? '/go'}/bin`;
    for (const p of pkgs.some((x) => x.includes('...')) ? expandMains(pkgs, facts) : pkgs) outputs.push(`${gobin}/${binaryName(p, modulePath)}`);
  }
  const envAssign = c.assigns.find((x) => x.name === 'CGO_ENABLED');
  const texts = c.argv.map((w) => w.text);
  const add: string[] = [];
  if (!parsed.flags.has('trimpath')) add.push('-trimpath');
  if (facts.vendor && !parsed.flags.has('mod') && !/-mod=/.test(a.env.GOFLAGS ?? '')) add.push('-mod=vendor');
  const merged = mergeLdflags(parsed.ldflagsValue);
  const words: string[] = [];
  texts.forEach((t, i) => {
    if (i === parsed.ldflagsIdx[0]) words.push(`-ldflags ${merged}`);
    else if (!parsed.ldflagsIdx.includes(i)) words.push(t);
  });
  if (!parsed.ldflagsIdx.length) add.push(`-ldflags ${merged}`);
  words.splice(i0 + 2, 0, ...add);
  const prefix = c.assigns.map((x) => x.text);
  return {
    kind: verb,
    cmd: c,
    ins,
    workdir: wd,
    outputs,
    text: [...prefix, ...words].join(' '),
    cgoEnv: envAssign ? envAssign.value : null,
    ldflags: parsed.ldflagsValue?.text ?? null,
    packages: pkgs,
  };
}

/** Main packages a pattern such as ./cmd/... names. */
function expandMains(pkgs: string[], facts: GoFacts): string[] {
  const out: string[] = [];
  for (const p of pkgs) {
    if (!p.includes('...')) {
      out.push(p);
      continue;
    }
    const prefix = path.posix.normalize(p.replace(/\/?\.\.\.$/, '') || '.');
    for (const m of facts.mainPackages) if (prefix === '.' || m === prefix || m.startsWith(prefix + '/')) out.push(m === '.' ? '.' : `./${m}`);
  }
  return out;
}

/** Where the golang image's PATH finds a bare command name among the built binaries. */
function findOnPath(name: string, outputs: string[], envPath: string | undefined): string | null {
  const dirs = envPath ? envPath.split(':').map((d) => (d === '$PATH' || d === '${PATH}' ? GOLANG_PATH : [d])).flat() : GOLANG_PATH;
  for (const d of dirs) {
    const hit = outputs.find((o) => path.posix.dirname(o) === d && path.posix.basename(o) === name);
    if (hit) return hit;
  }
  return null;
}

/** The FROM image with `${NAME}`/`$NAME` replaced by the literal defaults of ARGs before the first FROM. */
export function resolveHeaderArgs(image: string, args: Instruction[]): string {
  const defaults: Record<string, string> = {};
  for (const ins of args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(ins.args[0] ?? '');
    if (m && !m[2].includes('$')) defaults[m[1]] = m[2].replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
  }
  return image.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a: string | undefined, b: string | undefined) => defaults[(a ?? b)!] ?? all);
}

function builderTag(original: string, tag: string | null, facts: GoFacts): { image: string; reason: string | null } {
  const wanted = facts.work?.toolchain ?? facts.work?.go ?? facts.mod?.toolchain ?? facts.mod?.go ?? null;
  const want = goMinor(wanted);
  const have = goMinor(tagVersion(tag));
  if (!want || !have || isFloatingTag(tag)) return { image: original, reason: null };
  if (compareMinor(want, have) <= 0) return { image: original, reason: null };
  const variant = tagVariant(tag);
  const image = `${original.replace(/:[^:/]*$/, '')}:${want.join('.')}${variant ? `-${variant}` : ''}`;
  return { image, reason: `${facts.work ? 'go.work' : 'go.mod'} asks for Go ${wanted}, newer than ${original}: the builder uses ${image}` };
}

export function transformGo(input: TransformInput): TransformResult {
  const { model, ctx, options } = input;
  if (model.stages.length !== 1) return decline('already multi-stage', multiStageFindings(model));
  const stage = model.stages[0];
  const resolvedImage = resolveHeaderArgs(stage.image, model.instructions.filter((i) => i.stage < 0 && i.keyword === 'ARG'));
  const base = parseImage(resolvedImage);
  if (base.dynamic) return decline(`base image '${stage.image}' is set by a build argument without a default`);
  if (base.repo !== 'golang') return decline(`base image '${stage.image}' is not an official golang image`);
  const facts = readGoFacts(ctx, moduleDirOf(stage, ctx));
  if (!facts.mod && !facts.work) return decline('no go.mod (or go.work) at the root of the build context or in the directory copied into WORKDIR');
  const analysis = analyze(input, facts);
  if (typeof analysis === 'string') return decline(analysis);
  const a = analysis;
  const findings: Finding[] = [];
  const changes: Change[] = [];
  const style = styleOf(model);
  const fromLine = stage.from.startLine + 1;
  const musl = tagVariant(base.tag).includes('alpine');

  // ----- what the container runs
  const allOutputs = a.steps.flatMap((s) => s.outputs);
  const epArgv = instructionArgv(a.entrypoint);
  const cmdArgv = instructionArgv(a.cmd);
  if (a.entrypoint && !epArgv) return decline(`ENTRYPOINT at line ${a.entrypoint.startLine + 1} needs a shell`);
  if (a.entrypoint && !a.entrypoint.json && a.cmd) return decline(`shell-form ENTRYPOINT at line ${a.entrypoint.startLine + 1} ignores CMD; not rewritten`);
  const runWith = a.entrypoint ? 'entrypoint' : 'cmd';
  const progArgv = epArgv ?? cmdArgv;
  if (!progArgv) {
    if (a.cmd) return decline(`CMD at line ${a.cmd.startLine + 1} needs a shell (expansions or operators)`);
    return decline('no CMD or ENTRYPOINT: the original runs the golang image\'s shell');
  }
  let program: string | null = null;
  let goRun: GoCommandStep | null = null;
  let appArgs = progArgv.slice(1);
  const first = progArgv[0];
  if (path.posix.basename(first) === 'go' && progArgv[1] === 'run') {
    // `go run` compiles at every start: build it once in the builder instead.
    const words = progArgv.map((v) => ({ text: shellQuote(v), value: v }));
    const fake: ShellCommand = { argv: words, assigns: [], name: 'go', text: progArgv.join(' '), start: 0, end: 0, redirects: [], inPipeline: false, negated: false, inSubshell: false, next: null };
    const parsed = parseGoArgs(fake, 2, true);
    if (parsed.bad) return decline(`'go run' in ${runWith.toUpperCase()}: ${parsed.bad}`);
    const pkgs = parsed.packages.length ? parsed.packages : ['.'];
    const name = binaryName(pkgs[0], facts.mod?.module ?? null);
    const out = `/usr/local/bin/${name}`;
    const flagWords = words.slice(2, parsed.packageIdx[0] ?? parsed.restIdx).map((w) => w.text);
    const ld = parsed.ldflagsIdx.length ? null : `-ldflags ${mergeLdflags(null)}`;
    const flagText = parsed.ldflagsIdx.length
      ? flagWords.map((t, i) => (i + 2 === parsed.ldflagsIdx[0] ? `-ldflags ${mergeLdflags(parsed.ldflagsValue)}` : parsed.ldflagsIdx.includes(i + 2) ? null : t)).filter((t): t is string => t !== null)
      : flagWords;
    const extra = [facts.vendor && !parsed.flags.has('mod') ? '-mod=vendor' : null, '-trimpath', ld].filter((x): x is string => !!x);
    const text = ['go', 'build', ...extra, ...flagText, '-o', out, ...pkgs.map(shellQuote)].join(' ');
    goRun = { kind: 'run', cmd: fake, ins: (a.entrypoint ?? a.cmd)!, workdir: a.workdir, outputs: [out], text, cgoEnv: null, ldflags: parsed.ldflagsValue?.text ?? null, packages: pkgs };
    a.steps.push(goRun);
    a.builder.push({ kind: 'run', text, go: true, ins: goRun.ins });
    program = out;
    appArgs = progArgv.slice(parsed.restIdx);
  } else if (first.startsWith('/')) {
    program = allOutputs.includes(path.posix.normalize(first)) ? path.posix.normalize(first) : null;
  } else if (first.includes('/')) {
    const abs = resolveDir(a.workdir, first);
    program = allOutputs.includes(abs) ? abs : null;
  } else {
    program = findOnPath(first, allOutputs, a.env.PATH);
  }
  if (!program) {
    return decline(`${runWith.toUpperCase()} runs '${first}', which no go build or go install in the Dockerfile produces`);
  }
  const programStep = a.steps.find((s) => s.outputs.includes(program!))!;
  const mainSteps = a.steps.filter((s) => s.kind !== 'install' || s === programStep);
  const binaries = [...new Set(mainSteps.flatMap((s) => s.outputs))];

  // ----- cgo
  const envCgo = a.env.CGO_ENABLED ?? null;
  const explicitCgo = programStep.cgoEnv ?? envCgo;
  const detectedCgo: string[] = [];
  if (facts.cgoFiles.length) detectedCgo.push(`import "C" in ${facts.cgoFiles.slice(0, 3).join(', ')}${facts.cgoFiles.length > 3 ? ', …' : ''}`);
  if (facts.cgoModules.length) detectedCgo.push(`${facts.cgoModules.join(', ')} in go.mod`);
  if (programStep.cmd.argv.some((w) => w.value === '-race' || w.value === '-msan' || w.value === '-asan')) detectedCgo.push('-race/-msan/-asan');
  let cgo: boolean;
  if (explicitCgo === '0') {
    cgo = false;
    if (detectedCgo.length) findings.push({ ruleId: RULES.cgo, severity: 'info', line: programStep.ins.startLine + 1, message: `the original sets CGO_ENABLED=0 although ${detectedCgo.join('; ')}; kept without cgo`, fixed: false });
  } else if (explicitCgo === '1') {
    cgo = true;
    detectedCgo.push('CGO_ENABLED=1 in the original');
  } else {
    cgo = detectedCgo.length > 0 && !(musl && a.tooling.length === 0);
    if (musl && detectedCgo.length && !cgo) findings.push({ ruleId: RULES.cgo, severity: 'warning', line: fromLine, message: `${detectedCgo.join('; ')}, but the alpine builder has no C compiler: the original built without cgo`, fixed: false });
  }
  const sharedLibs = facts.cgoModules.map((m) => CGO_MODULES[m]).filter((x): x is string => !!x);
  if (cgo && sharedLibs.length && a.runtimeOs.length === 0) {
    return decline(`cgo dependencies link ${[...new Set(sharedLibs)].join(', ')}, which the original installed no run-time package for; not rewritten`);
  }

  // ----- runtime family
  const requested = options.runtime ?? 'auto';
  let family: 'static' | 'base' | 'scratch' | 'alpine' | 'slim';
  const why: string[] = [];
  if (a.runtimeOs.length) {
    family = musl ? 'alpine' : 'slim';
    why.push(`the program needs OS packages at run time (${[...new Set(a.runtimeOs)].join(', ')})`);
  } else if (cgo && musl) {
    family = 'alpine';
    why.push(`cgo (${detectedCgo.join('; ')}) on the alpine builder links musl`);
  } else if (cgo) {
    family = requested === 'slim' ? 'slim' : 'base';
    why.push(`cgo (${detectedCgo.join('; ')}) links glibc dynamically`);
    if (requested === 'scratch' || requested === 'alpine') findings.push({ ruleId: RULES.runtime, severity: 'warning', line: fromLine, message: `--runtime ${requested} cannot run a glibc cgo binary; using ${DISTROLESS_BASE}`, fixed: false });
  } else if (requested === 'scratch') family = 'scratch';
  else if (requested === 'alpine') family = 'alpine';
  else if (requested === 'slim') family = 'slim';
  else family = 'static';
  if ((family === 'alpine' || family === 'slim') && !why.length) why.push('requested');
  const debianRelease = /^(bookworm|bullseye|buster|trixie)/.exec(tagVariant(base.tag))?.[1] ?? 'bookworm';
  const alpineRelease = /alpine(\d+\.\d+)/.exec(base.tag ?? '')?.[1];
  const runtimeImage = family === 'static' ? DISTROLESS_STATIC
    : family === 'base' ? DISTROLESS_BASE
      : family === 'scratch' ? 'scratch'
        : family === 'alpine' ? (alpineRelease ? `alpine:${alpineRelease}` : DEFAULT_ALPINE)
          : `debian:${debianRelease}-slim`;
  changes.push({
    ruleId: RULES.runtime,
    line: fromLine,
    message: family === 'static' ? `runtime on ${runtimeImage}: a static binary (CGO_ENABLED=0) needs no libc; CA roots, tzdata and the nonroot user are in the image`
      : family === 'base' ? `runtime on ${runtimeImage}: ${why.join('; ')}, and this image has glibc`
        : family === 'scratch' ? 'runtime on scratch (requested): the static binary, CA roots and zoneinfo copied from the builder'
          : `runtime on ${runtimeImage}: ${why.join('; ')}`,
  });
  if (cgo) changes.push({ ruleId: RULES.cgo, line: programStep.ins.startLine + 1, message: `cgo kept (${detectedCgo.join('; ')}): the builder and ${runtimeImage} share the ${musl ? 'musl' : 'glibc'} C library` });

  // ----- builder image
  const bt = builderTag(stage.image, base.tag, facts);
  if (bt.reason) changes.push({ ruleId: RULES.builder, line: fromLine, message: bt.reason });

  // ----- build stage
  const wdFinal = a.workdir;
  const manifests = manifestCopies(facts, ctx);
  const bl: string[] = [];
  let downloadPlaced = false;
  const lastStepIndex = Math.max(...a.steps.map((s) => s.ins.index), ...a.postBuild.map((i) => i.index));
  const placeDownload = () => {
    if (downloadPlaced) return;
    downloadPlaced = true;
    if (facts.vendor) {
      changes.push({ ruleId: RULES.download, message: 'vendor/modules.txt present: modules come from vendor/ (-mod=vendor), nothing is downloaded' });
      return;
    }
    bl.push(...manifests.lines);
    bl.push(...runLines([CACHE_MOUNTS[0]], ['go mod download'], style));
    changes.push({ ruleId: RULES.download, line: a.downloadSeen ? a.downloadSeen.startLine + 1 : undefined, message: `${manifests.files.join(', ')} copied and 'go mod download' run before the sources, so a source change does not download modules again` });
  };
  const cgoPrefix = (text: string, step: GoCommandStep | null) => {
    if (!step || step.cgoEnv !== null) return text;
    if (cgo) return envCgo === '1' ? text : `CGO_ENABLED=1 ${text}`;
    return envCgo === '0' ? text : `CGO_ENABLED=0 ${text}`;
  };
  for (const item of a.builder) {
    if (item.kind === 'workdir') {
      bl.push(`WORKDIR ${item.dir}`);
    } else if (item.kind === 'keep') {
      if (item.ins.index < lastStepIndex) bl.push(...preserved(item.ins));
    } else if (item.kind === 'copy') {
      const onlyManifests = item.copy.sources.every((s) => manifests.files.includes(s.replace(/^\.\//, '')) || /^(\.\/)?go\.(mod|sum|work|work\.sum)$/.test(s));
      if (!onlyManifests) placeDownload();
      if (onlyManifests && !facts.vendor) continue;
      let lines = item.copy.ins.lines.map((l) => l.replace(/\s--chown=[^\s]+/, '').replace(/\s--chmod=[^\s]+/, ''));
      if (item.copy.ins.keyword === 'ADD') lines = ['COPY' + lines[0].slice(3), ...lines.slice(1)];
      bl.push(...comments(item.copy.ins), ...lines);
    } else if (item.kind === 'run') {
      if (item.ins.index > lastStepIndex && item.ins !== goRun?.ins) continue;
      const step = a.steps.find((s) => s.text === item.text && (s.ins === item.ins));
      // Tools installed for the build (go install tool@version) run as the original wrote them.
      const text = step && !mainSteps.includes(step) ? step.cmd.text : cgoPrefix(item.text, step ?? null);
      bl.push(...(step && step !== goRun ? comments(item.ins) : []), ...runLines(item.go ? CACHE_MOUNTS : [], [text], style));
    }
  }
  placeDownload();
  if (a.dropped.length) changes.push({ ruleId: RULES.user, message: `'${a.dropped.join('; ')}' dropped: the runtime runs as the image's nonroot user 65532` });
  changes.push({ ruleId: RULES.cache, line: programStep.ins.startLine + 1, message: 'the module cache (/go/pkg/mod) and the build cache (/root/.cache/go-build) are BuildKit cache mounts: fast rebuilds, nothing left in a layer' });
  const flagsMsg: string[] = ['-trimpath'];
  flagsMsg.push(programStep.ldflags ? `-ldflags merged with the original's (${programStep.ldflags})` : '-ldflags "-s -w"');
  if (!cgo && programStep.cgoEnv === null && envCgo !== '0') flagsMsg.unshift('CGO_ENABLED=0');
  changes.push({ ruleId: RULES.flags, line: programStep.ins.startLine + 1, message: `${flagsMsg.join(', ')}: ${cgo ? '' : 'a static binary, '}no local paths or debug symbols in it; the original's flags and packages kept` });
  const usedArgs = a.kept.filter((k) => k.keyword === 'ARG' && k.index < lastStepIndex).map(argName);
  if (usedArgs.length) changes.push({ ruleId: RULES.flags, message: `ARG ${usedArgs.join(', ')} carried into the build stage, where the build reads ${usedArgs.length > 1 ? 'them' : 'it'}` });

  // ----- runtime files
  const copiedFromContext = a.copies.flatMap((c) => c.sources);
  const di = planDockerignore(ctx, 'go', copiedFromContext, path.basename(model.path));
  findings.push(...di.findings);
  const ignoreText = di.sideFile ? di.sideFile.output : ctx.readText('.dockerignore') ?? '';
  const rf = runtimeFiles(a, facts, ctx, ignoreText, [...appArgs, ...(a.entrypoint ? cmdArgv ?? [] : [])], binaries);
  if (rf.keep.length || rf.embedded.length || rf.dropped.length) {
    const parts: string[] = [];
    if (rf.referenced.length) parts.push(`${rf.referenced.join(', ')} (the code or command refers to ${rf.referenced.length > 1 ? 'them' : 'it'})`);
    if (rf.likely.length) parts.push(`${rf.likely.join(', ')} (likely run-time files)`);
    changes.push({ ruleId: RULES.files, message: `runtime files beside the binary: ${parts.join('; ') || 'none'}${rf.embedded.length ? `; embedded with //go:embed, not copied: ${rf.embedded.join(', ')}` : ''}${rf.dropped.length ? `; left out: ${rf.dropped.join(', ')}` : ''}` });
  }
  if (rf.likely.length) findings.push({ ruleId: RULES.files, severity: 'info', message: `could not tell whether the program reads ${rf.likely.join(', ')} at run time; copied to be safe`, fixed: false });

  // ----- runtime stage
  const rt: string[] = [];
  const distroless = family === 'static' || family === 'base';
  const rel = (p: string) => (wdFinal === '/' ? `/${p}` : `${wdFinal}/${p}`);
  const workdirComments = model.stages[0].instructions.filter((i) => i.keyword === 'WORKDIR').flatMap(comments);
  // The user: the original's when it names a non-root uid, else 65532. Where the original ran as root,
  // the app could write its folder and files: the new user gets them (USER before WORKDIR makes
  // BuildKit create the folder as that user's; the copied files are chowned, the binary stays root's).
  const originalUser = a.user ? a.user.args.join(' ') : null;
  const numericUser = originalUser && /^\d+(:\d+)?$/.test(originalUser) && !isRootUser(originalUser);
  const ownsFiles = !numericUser && isRootUser(originalUser);
  const userLines = () => {
    if (a.user) rt.push(...comments(a.user));
    if (numericUser) {
      rt.push(`USER ${originalUser}`);
      return;
    }
    rt.push('USER 65532:65532');
    changes.push({ ruleId: RULES.user, line: a.user ? a.user.startLine + 1 : undefined, message: `runs as the non-root user 65532${distroless ? ' (distroless nonroot)' : ''}${originalUser && !isRootUser(originalUser) ? ` instead of '${originalUser}', which does not exist there` : ''}${ownsFiles && wdFinal !== '/' ? `, who owns ${wdFinal} and the files copied there (the original ran as root and could write them)` : ''}` });
  };
  if (a.runtimeOs.length) {
    // Packages first: they need root, and do not depend on the folder.
    const pkgs = [...new Set(a.runtimeOs)];
    if (family === 'alpine') rt.push(...runLines([], [`apk add --no-cache ${pkgs.join(' ')}`], style));
    else rt.push(...runLines([], ['apt-get update', `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`, 'rm -rf /var/lib/apt/lists/*'], style));
    changes.push({ ruleId: RULES.runtime, message: `run-time OS packages installed in the runtime: ${pkgs.join(', ')}` });
  }
  if (ownsFiles) userLines();
  if (wdFinal !== '/') rt.push(...workdirComments, `WORKDIR ${wdFinal}`);
  const runtimeCopies: string[] = [];
  for (const b of binaries) runtimeCopies.push(`COPY --from=build ${b} ${b}`);
  for (const e of rf.keep) runtimeCopies.push(`COPY --from=build${ownsFiles ? ' --chown=65532:65532' : ''} ${rel(e)} ${rel(e)}`);
  if (family === 'scratch' || family === 'slim') {
    runtimeCopies.push('COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt');
    changes.push({ ruleId: RULES.certs, message: `CA roots (/etc/ssl/certs/ca-certificates.crt) copied from the builder: ${runtimeImage} has none` });
  }
  if (family === 'scratch') {
    runtimeCopies.push('COPY --from=build /usr/local/go/lib/time/zoneinfo.zip /zoneinfo.zip');
    changes.push({ ruleId: RULES.certs, message: "the Go toolchain's zoneinfo.zip copied from the builder with ENV ZONEINFO=/zoneinfo.zip: scratch has no time zone database" });
  }
  let copiesPlaced = false;
  const placeCopies = () => {
    if (copiesPlaced) return;
    copiesPlaced = true;
    rt.push(...runtimeCopies);
  };
  for (const ins of stage.instructions) {
    if (ins === programStep.ins && ins.keyword === 'RUN') {
      placeCopies();
      continue;
    }
    if (!a.kept.includes(ins)) continue;
    rt.push(...preserved(ins));
  }
  placeCopies();
  if (family === 'scratch') rt.push('ENV ZONEINFO=/zoneinfo.zip');

  // ----- user (already placed above the folder when it owns it)
  if (!ownsFiles) userLines();

  // ----- healthcheck
  if (a.healthcheck) {
    const hc = healthcheckLine(a.healthcheck, allOutputs, a.workdir, a.env.PATH, family);
    if (typeof hc !== 'string') return decline(`HEALTHCHECK at line ${a.healthcheck.startLine + 1} runs ${hc.tool}, which ${runtimeImage} does not have`);
    rt.push(...comments(a.healthcheck), hc);
  }

  // ----- process
  const rewritten = [program, ...appArgs];
  if (runWith === 'entrypoint') {
    rt.push(...comments(a.entrypoint!), `ENTRYPOINT ${jsonForm(rewritten)}`);
    if (a.cmd) rt.push(...preserved(a.cmd));
  } else {
    rt.push(...comments(a.cmd!), `CMD ${jsonForm(rewritten)}`);
  }
  const procIns = (a.entrypoint ?? a.cmd)!;
  if (jsonForm(rewritten) !== procIns.body.trim()) {
    changes.push({
      ruleId: RULES.cmd,
      line: procIns.startLine + 1,
      message: goRun
        ? `'${progArgv.join(' ')}' compiled at every start; now built once in the builder and run as ${jsonForm(rewritten)}`
        : `${runWith.toUpperCase()} runs the binary by its absolute path in exec form, ${jsonForm(rewritten)}: ${family === 'static' || family === 'base' || family === 'scratch' ? 'the runtime has no shell' : 'no shell in between, the program receives signals'}`,
    });
  }

  const builderStage: PlanStage = { image: bt.image, name: 'build', platform: stage.platform, comments: heading('go', 'build'), lines: bl };
  const runtimeStage: PlanStage = { image: runtimeImage, name: 'runtime', platform: stage.platform, comments: heading('go', 'runtime'), lines: rt };
  changes.unshift({ ruleId: RULES.stages, line: fromLine, message: `single stage split into build, runtime: the Go toolchain, sources and caches stay out of the runtime image, which gets ${binaries.map((b) => path.posix.basename(b)).join(', ')}` });
  const plan: Plan = { stages: [builderStage, runtimeStage], changes, findings, sideFiles: di.sideFile ? [di.sideFile] : [] };
  if (di.sideFile) changes.push({ ruleId: 'DO-IGNORE', message: di.sideFile.original === null ? '.dockerignore created: .git, local binaries, logs and env files stay out of the build context' : '.dockerignore completed with essentials it lacked' });
  return { kind: 'rewrite', plan, runtimeBase: runtimeImage };
}

/**
 * An already multi-stage Go Dockerfile is kept as it is; a scratch runtime without CA roots or a
 * non-root user is reported (a TLS client there fails at run time).
 */
function multiStageFindings(model: TransformInput['model']): Finding[] {
  const last = model.stages[model.stages.length - 1];
  const out: Finding[] = [];
  if (last.image !== 'scratch') return out;
  const line = last.from.startLine + 1;
  const copies = last.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
  if (!copies.some((i) => /ca-certificates|\/etc\/ssl\/certs|\/etc\/ssl\/?(\s|$)|\/etc\/ssl\/cert\.pem/.test(i.body))) {
    out.push({ ruleId: RULES.certs, severity: 'warning', line, message: 'the scratch stage has no CA roots: HTTPS requests from the program fail; COPY /etc/ssl/certs/ca-certificates.crt from the builder', fixed: false });
  }
  const user = [...last.instructions].reverse().find((i) => i.keyword === 'USER');
  if (!user || isRootUser(user.args.join(' '))) {
    out.push({ ruleId: RULES.user, severity: 'warning', line: user ? user.startLine + 1 : line, message: 'the scratch stage runs as root: add USER 65532:65532', fixed: false });
  }
  return out;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** go.mod/go.sum (and go.work with its modules' manifests) to copy before `go mod download`. */
/**
 * Where the module is in the build context: the root, or the one directory a COPY puts into the
 * working directory (`COPY backend/ .`) when the root has no go.mod or go.work.
 */
function moduleDirOf(stage: TransformInput['model']['stages'][number], ctx: BuildContext): string {
  if (ctx.exists('go.mod') || ctx.exists('go.work')) return '';
  let wd = '/';
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') wd = resolveDir(wd, ins.args.join(' '));
    if (ins.keyword !== 'COPY' || flagOf(ins, 'from') !== undefined) continue;
    const parts = (parseJsonForm(ins.body) ?? ins.args).slice();
    const dest = parts.pop();
    if (parts.length !== 1 || !dest || resolveDir(wd, dest) !== wd) continue;
    const src = parts[0].replace(/^\.\//, '').replace(/\/$/, '');
    if (src && src !== '.' && !src.includes('$') && !src.startsWith('..') && (ctx.exists(`${src}/go.mod`) || ctx.exists(`${src}/go.work`))) return src;
  }
  return '';
}

function manifestCopies(facts: GoFacts, ctx: BuildContext): { files: string[]; lines: string[] } {
  const files: string[] = [];
  const lines: string[] = [];
  const dir = facts.modDir ?? (facts.work ? path.posix.dirname(facts.work.file) : '.');
  const at = (f: string) => (dir && dir !== '.' ? `${dir}/${f}` : f);
  const top = ['go.mod', 'go.sum', 'go.work', 'go.work.sum'].map(at).filter((f) => ctx.exists(f));
  files.push(...top);
  if (top.length) lines.push(`COPY ${top.join(' ')} ./`);
  for (const u of facts.work?.uses ?? []) {
    if (u === '.' || u.startsWith('..')) continue;
    const fs = ['go.mod', 'go.sum'].map((f) => at(`${u}/${f}`)).filter((f) => ctx.exists(f));
    if (!fs.length) continue;
    files.push(...fs);
    lines.push(`COPY ${fs.join(' ')} ./${u}/`);
  }
  return { files, lines };
}

interface RuntimeFiles {
  keep: string[];
  referenced: string[];
  likely: string[];
  embedded: string[];
  dropped: string[];
}

/**
 * Which entries of the working directory the program reads at run time: those its string literals
 * or its command line name (`templates/`, `config.yaml`), and likely ones (templates, static,
 * migrations, config files) when nothing tells; never what //go:embed already put in the binary.
 */
function runtimeFiles(a: Analysis, facts: GoFacts, ctx: BuildContext, ignoreText: string, cmdArgs: string[], binaries: string[]): RuntimeFiles {
  /** entry name in the working directory -> its path in the build context */
  const present = new Map<string, string>();
  for (const c of a.copies) {
    const destDir = resolveDir(c.workdir, c.dest);
    if (destDir !== a.workdir) {
      const top = path.posix.relative(a.workdir, destDir).split('/')[0];
      if (top && !top.startsWith('..')) present.set(top, c.sources.length === 1 ? c.sources[0].replace(/^\.\//, '').replace(/\/$/, '') : top);
      continue;
    }
    for (const s of c.sources) {
      const src = s.replace(/^\.\//, '').replace(/\/$/, '');
      if (src === '.' || src === '') ctx.entries().forEach((e) => present.set(e, e));
      else if (ctx.isDir(src)) new BuildContext(path.join(ctx.dir, src)).entries().forEach((e) => present.set(e, `${src}/${e}`));
      else present.set(path.posix.basename(src), src);
    }
  }
  let ig: { ignores(p: string): boolean } | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require('ignore') as { default?: () => { add(t: string): { ignores(p: string): boolean } } } & (() => { add(t: string): { ignores(p: string): boolean } });
    ig = (mod.default ?? mod)().add(ignoreText);
  } catch {
    ig = null;
  }
  const wdRel = (p: string) => {
    let s = p;
    if (s.startsWith(a.workdir + '/')) s = s.slice(a.workdir.length + 1);
    return s.replace(/^\.\//, '');
  };
  const literals = new Set<string>();
  for (const src of facts.sources) for (const s of src.strings) if (s && s.length < 200 && !/\s/.test(s)) literals.add(wdRel(s));
  for (const arg of cmdArgs) {
    const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
    literals.add(wdRel(v));
  }
  const embedded = new Set<string>();
  for (const src of facts.sources) {
    const dir = path.posix.dirname(src.file);
    for (const pat of src.embeds) {
      const top = path.posix.normalize(path.posix.join(dir, pat)).split('/')[0];
      embedded.add(top);
    }
  }
  const binaryNames = new Set(binaries.filter((b) => path.posix.dirname(b) === a.workdir).map((b) => path.posix.basename(b)));
  const r: RuntimeFiles = { keep: [], referenced: [], likely: [], embedded: [], dropped: [] };
  for (const [e, src] of [...present].sort((x, y) => x[0].localeCompare(y[0]))) {
    if (NEVER_RUNTIME.test(e) || binaryNames.has(e)) continue;
    const isDir = ctx.isDir(src);
    if (ig && ig.ignores(isDir ? `${src}/` : src)) continue;
    if (isDir && isGoOnlyDir(ctx, src)) continue;
    // A directory that is also a Go package ("version", "config") is named by its package too: only a
    // path into it ("version/VERSION") says the program reads its files.
    const isPackage = isDir && ctx.walk(src, 200, 0).some((f) => f.endsWith('.go'));
    const refers = [...literals].some((l) => (l === e && !isPackage) || l.startsWith(`${e}/`) || (!isDir && l === e.replace(/\.[^.]+$/, '')));
    if (embedded.has(e)) {
      r.embedded.push(e);
      continue;
    }
    if (refers) {
      r.referenced.push(e);
      r.keep.push(e);
    } else if (LIKELY_RUNTIME.test(e)) {
      r.likely.push(e);
      r.keep.push(e);
    } else r.dropped.push(e);
  }
  return r;
}

/** A directory of Go packages only (sources, assembly, C for cgo, test data). */
function isGoOnlyDir(ctx: BuildContext, entry: string): boolean {
  const files = ctx.walk(entry, 2000);
  return files.length > 0 && files.length < 2000 && files.every((f) => /\.(go|s|c|h|proto|mod|sum)$|(^|\/)testdata\/|(^|\/)(README|LICENSE)[^/]*$|\.md$/.test(f));
}

/** HEALTHCHECK for the runtime: exec form running a built binary is kept (absolute path); else the tool it needs. */
function healthcheckLine(ins: Instruction, outputs: string[], workdir: string, envPath: string | undefined, family: string): string | { tool: string } {
  const body = ins.body.trim();
  if (/^NONE$/i.test(body)) return ins.lines.join('\n');
  const m = /^CMD\s+([\s\S]*)$/i.exec(body);
  if (!m) return { tool: 'an unknown command' };
  const rest = m[1].trim();
  const argv = parseJsonForm(rest) ?? shellToArgv(rest)?.argv ?? null;
  if (!argv || argv[0] === 'CMD-SHELL') return { tool: 'a shell' };
  const first = argv[0];
  const hit = first.startsWith('/') ? outputs.find((o) => o === first) : first.includes('/') ? outputs.find((o) => o === resolveDir(workdir, first)) : findOnPath(first, outputs, envPath);
  if (!hit) return family === 'slim' && !['curl', 'wget'].includes(path.posix.basename(first)) ? ins.lines.join('\n') : { tool: path.posix.basename(first) };
  const opts = ins.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`)).join(' ');
  return `HEALTHCHECK ${opts ? opts + ' ' : ''}CMD ${jsonForm([hit, ...argv.slice(1)])}`;
}

const GO_WORD = /(^|[^\w.-])go($|[^\w.-])/;

export const go: Ecosystem = {
  name: 'go',
  detect(model, ctx) {
    const first = parseImage(model.stages[0].image);
    if (first.repo === 'golang' || first.repo.endsWith('/golang')) return 1;
    // Only a RUN whose text has the word go can run it: the others need no shell parse (detection runs on every file).
    const builds = model.instructions.some((i) => i.keyword === 'RUN' && !i.json && GO_WORD.test(i.body) && parseShell(i.body).commands.some((c) => {
      const k = effectiveIndex(c);
      return path.posix.basename(c.argv[k]?.value ?? '') === 'go' && ['build', 'install'].includes(c.argv[k + 1]?.value ?? '');
    }));
    if (builds) return ctx.exists('go.mod') ? 0.9 : 0.7;
    return ctx.exists('go.mod') || ctx.exists('go.work') ? 0.5 : 0;
  },
  transform: transformGo,
};
