/**
 * DO-CACHE-ORDER: dependency manifests are copied and installed before the sources, so a source change
 * does not reinstall the dependencies. For a `COPY . <workdir>` directly followed by a RUN that only
 * installs dependencies from manifests (`pip install -r requirements.txt`, `npm ci`/`npm install`,
 * `yarn install`, `go mod download`), the manifests are copied and the RUN is moved before the sources.
 * Only where the build context shows that the install needs nothing but the manifests:
 * - pip: the requirements files exist and name no local path (`-e .`, `./pkg`, `file:`), no nested
 *   `-r`/`-c` files;
 * - npm/yarn: package.json has no install-time scripts (preinstall, install, postinstall, prepare),
 *   no `file:`/`link:` dependencies, no workspaces, and node_modules is kept out of the context (else
 *   the later COPY would overwrite what was installed);
 * - go: go.mod (and go.sum when present) with no `replace` to a local directory.
 * (The ecosystem transforms do this themselves when they rewrite; this is for the files they do not.)
 */
import * as posix from 'path/posix';
import type { DockerfileModel, Instruction } from '../../../src/model/parse';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import type { BuildContext } from '../../../src/stack/context';
import { effectiveName, positionals, ShellCommand } from '../../../src/shell';
import { scriptOf } from './util';
import { workdirAt } from './cd-workdir';

interface Plan {
  manifests: string[];
  what: string;
}

function ignoredByContext(ctx: BuildContext, rel: string): boolean {
  const di = ctx.readText('.dockerignore');
  if (di === null) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('ignore') as { default?: () => { add(t: string): { ignores(p: string): boolean } } };
  const ig = (mod.default ?? (mod as unknown as () => { add(t: string): { ignores(p: string): boolean } }))().add(di);
  return ig.ignores(rel) || ig.ignores(`${rel}/`);
}

function pipPlan(c: ShellCommand, ctx: BuildContext, manifests: string[]): string | null {
  const e = c.argv.findIndex((w) => w.value === 'install');
  const args = c.argv.slice(e + 1);
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) return null;
    if (v === '-r' || v === '--requirement') {
      const f = args[++i]?.value;
      if (!f) return null;
      files.push(f);
    } else if (v.startsWith('--requirement=')) files.push(v.slice(14));
    else if (v.startsWith('-r') && v.length > 2) files.push(v.slice(2));
    else if (!v.startsWith('-')) return null; // a package or a path: not from a manifest only
    else if (['-e', '--editable', '-c', '--constraint', '-t', '--target', '--prefix', '--root', '-f', '--find-links'].includes(v.split('=')[0])) return null;
  }
  if (!files.length) return null;
  for (const f of files) {
    if (f.startsWith('/') || f.includes('..')) return null;
    const text = ctx.readText(f);
    if (text === null) return null;
    for (const raw of text.split(/\r?\n/)) {
      const l = raw.replace(/#.*/, '').trim();
      if (!l) continue;
      if (/^(-e|--editable|-r|--requirement|-c|--constraint)\b/.test(l) || /^(\.|\/|file:)/.test(l) || /@\s*file:/.test(l)) return null;
    }
    manifests.push(f);
  }
  return 'pip';
}

function npmPlan(name: string, c: ShellCommand, ctx: BuildContext, manifests: string[]): string | null {
  const pos = positionals(c, 1);
  const sub = pos[0]?.value;
  if (name === 'npm' && !((sub === 'ci' || sub === 'install' || sub === 'i') && pos.length === 1)) return null;
  if (name === 'yarn' && !((sub === undefined || sub === 'install') && pos.length <= 1)) return null;
  const pkg = ctx.readJson<Record<string, unknown>>('package.json');
  if (!pkg || pkg.workspaces) return null;
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>;
  if (['preinstall', 'install', 'postinstall', 'prepare'].some((k) => k in scripts)) return null;
  for (const k of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = (pkg[k] ?? {}) as Record<string, unknown>;
    if (Object.values(deps).some((v) => typeof v !== 'string' || /^(file:|link:|portal:|\.|\/)/.test(v))) return null;
  }
  if (ctx.exists('node_modules') && !ignoredByContext(ctx, 'node_modules')) return null;
  if (ctx.exists('.yarnrc.yml')) return null;
  const lock = name === 'yarn' ? ['yarn.lock'] : ['package-lock.json', 'npm-shrinkwrap.json'];
  for (const f of ['package.json', ...lock, '.npmrc', '.yarnrc']) if (ctx.exists(f) && !manifests.includes(f) && !ignoredByContext(ctx, f)) manifests.push(f);
  return name;
}

function goPlan(c: ShellCommand, ctx: BuildContext, manifests: string[]): string | null {
  const pos = positionals(c, 1);
  if (!(pos.length === 2 && pos[0].value === 'mod' && pos[1].value === 'download')) return null;
  const mod = ctx.readText('go.mod');
  if (mod === null || /^\s*replace\b[\s\S]*?=>\s*\.{0,2}\//m.test(mod)) return null;
  for (const f of ['go.mod', 'go.sum']) if (ctx.exists(f) && !manifests.includes(f)) manifests.push(f);
  return 'go';
}

function planFor(model: DockerfileModel, run: Instruction, ctx: BuildContext): Plan | null {
  const s = scriptOf(model, run);
  if (!s || s.parsed.complex || run.flags.some((f) => f.name !== 'mount')) return null;
  const manifests: string[] = [];
  const kinds = new Set<string>();
  for (const c of s.parsed.commands) {
    if (c.inSubshell || c.redirects.length || (c.next !== '&&' && c.next !== null)) return null;
    const n = effectiveName(c);
    let k: string | null = null;
    if (/^pip(\d+(\.\d+)?)?$/.test(n) && c.argv.some((w) => w.value === 'install')) k = pipPlan(c, ctx, manifests);
    else if (n === 'npm' || n === 'yarn') k = npmPlan(n, c, ctx, manifests);
    else if (n === 'go') k = goPlan(c, ctx, manifests);
    else if ((n === 'npm' || n === 'yarn') && c.argv[1]?.value === 'cache') k = 'cache';
    if (!k) return null;
    kinds.add(k);
  }
  if (!manifests.length) return null;
  return { manifests, what: [...kinds].join(' and ') };
}

function sourceCopy(ins: Instruction): boolean {
  if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from') || ins.heredoc) return false;
  const srcs = ins.args.slice(0, -1);
  return srcs.length === 1 && (srcs[0] === '.' || srcs[0] === './');
}

export const cacheOrder: Rule = {
  id: 'DO-CACHE-ORDER',
  description: 'dependency manifests are copied and installed before the sources, so source changes keep the install layer cached',
  severity: 'info',
  mirrors: [],
  check({ model, ctx }) {
    const out: RuleReport[] = [];
    for (const stage of model.stages) {
      const list = stage.instructions;
      for (let i = 0; i + 1 < list.length; i++) {
        const copy = list[i];
        const run = list[i + 1];
        if (!sourceCopy(copy) || run.keyword !== 'RUN') continue;
        const plan = planFor(model, run, ctx);
        if (!plan) continue;
        const wd = workdirAt(model, stage, copy);
        const dest = copy.args[copy.args.length - 1];
        const destAbs = wd === null ? (dest.startsWith('/') ? posix.normalize(dest) : null) : posix.resolve(wd, dest);
        if (destAbs === null || (wd !== null && posix.normalize(destAbs) !== posix.normalize(wd)) || (wd === null)) continue;
        const flags = copy.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`));
        const indent = /^\s*/.exec(copy.lines[0])![0];
        const ownWorkdir = stage.instructions.some((i) => i.keyword === 'WORKDIR' && i.index < copy.index);
        const target = ownWorkdir ? './' : destAbs.endsWith('/') ? destAbs : `${destAbs}/`;
        const copyLine = `${indent}COPY ${[...flags, ...plan.manifests, target].join(' ')}`;
        const runLines = [...run.leading.filter((l) => l.trim() !== ''), ...run.lines, ...(run.leading.some((l) => l.trim() === '') ? [''] : [])];
        out.push({
          line: run.startLine,
          message: `${plan.manifests.join(', ')} copied and the ${plan.what} install run before the sources: a source change no longer reinstalls the dependencies`,
          fix: [
            { startLine: copy.startLine, endLine: copy.startLine - 1, lines: [copyLine, ...runLines] },
            { startLine: run.startLine - run.leading.length, endLine: run.endLine, lines: [] },
          ],
        });
      }
    }
    return out;
  },
};
