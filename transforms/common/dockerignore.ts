/**
 * .dockerignore: created when missing (from the stack and .gitignore), completed with missing
 * essentials when present (nothing removed), and checked against what the Dockerfile COPYs.
 */
import type { BuildContext } from '../../src/stack/context';
import type { Finding, SideFile, StackName } from '../../src/types';
import * as path from 'path';

export const RULE_DOCKERIGNORE = 'DO-IGNORE';

const COMMON = ['.git', '.gitignore', '.dockerignore', 'Dockerfile*', '*.Dockerfile', 'docker-compose*.yml', 'compose*.yml', '.env', '.env.*', '!.env.example', '*.log', '.DS_Store', '.idea', '.vscode'];

const BY_STACK: Record<StackName, string[]> = {
  node: ['node_modules', 'npm-debug.log*', 'yarn-error.log', '.npm', '.pnpm-store', 'coverage', '.nyc_output', '.next/cache', '.turbo', '.eslintcache'],
  python: ['__pycache__', '*.py[cod]', '.venv', 'venv', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.coverage', 'htmlcov', '*.egg-info', 'build', 'dist'],
  go: ['bin', '*.test', 'coverage.out'],
  rust: ['target'],
  unknown: [],
};

/** Entries without which a build of this stack is wrong or leaks (the rest is hygiene). */
const ESSENTIAL: Record<StackName, string[]> = {
  node: ['node_modules', '.git'],
  python: ['.venv', '__pycache__', '.git'],
  go: ['.git'],
  rust: ['target', '.git'],
  unknown: ['.git'],
};

export interface DockerignoreResult {
  sideFile: SideFile | null;
  findings: Finding[];
}

/**
 * @param copied context paths the rewritten Dockerfile copies (e.g. '.', 'package.json', 'src'); none
 *        of them may end up ignored.
 * @param buildOutputs paths the build produces inside the image (they are never ignored by us).
 */
export function planDockerignore(ctx: BuildContext, stack: StackName, copied: string[], dockerfileRel: string): DockerignoreResult {
  const file = path.join(ctx.dir, '.dockerignore');
  const existing = ctx.readText('.dockerignore');
  const findings: Finding[] = [];
  const needed = (entries: string[]) => entries.filter((e) => !copied.some((c) => covers(e, c)));
  if (existing === null) {
    const lines: string[] = ['# Keep the build context small and free of secrets.'];
    lines.push(...needed(COMMON));
    const stackLines = needed(BY_STACK[stack] ?? []);
    if (stackLines.length) lines.push(...stackLines);
    const git = ctx.readText('.gitignore');
    if (git) {
      const extra = git
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
        .map((l) => l.replace(/^\//, ''))
        .filter((l) => !lines.includes(l) && !lines.includes(l.replace(/\/$/, '')));
      const safe = needed(extra).filter((l) => !copied.some((c) => covers(l, c)));
      if (safe.length) lines.push('# From .gitignore', ...safe);
    }
    if (ctx.exists('.env')) {
      findings.push({ ruleId: RULE_DOCKERIGNORE, severity: 'warning', message: '.env is now kept out of the image: pass its settings at run time (docker run --env-file .env)', fixed: true });
    }
    return { sideFile: { path: file, original: null, output: lines.join('\n') + '\n' }, findings };
  }
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const present = new Set(existing.split(/\r?\n/).map((l) => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  const missing = needed(ESSENTIAL[stack] ?? ESSENTIAL.unknown).filter((e) => !present.has(e) && !present.has(`${e}/`) && !present.has(`**/${e}`));
  // Never ignore what the Dockerfile copies: report it, the user's file is theirs.
  const ig = loadIgnore(existing);
  for (const c of copied) {
    if (c === '.' || c === '') continue;
    const rel = c.replace(/^\.\//, '').replace(/\/$/, '');
    if (rel && rel !== dockerfileRel && ig.ignores(rel)) {
      findings.push({ ruleId: RULE_DOCKERIGNORE, severity: 'warning', message: `.dockerignore excludes '${rel}', which the Dockerfile copies`, fixed: false });
    }
  }
  if (missing.length === 0) return { sideFile: null, findings };
  let out = existing;
  if (!out.endsWith('\n')) out += eol;
  out += missing.join(eol) + eol;
  return { sideFile: { path: file, original: existing, output: out }, findings };
}

/** Compiled matchers by their text: compiling is the costly part, and the same few patterns recur. */
const ignoreCache = new Map<string, { ignores(p: string): boolean }>();

function loadIgnore(text: string): { ignores(p: string): boolean } {
  const hit = ignoreCache.get(text);
  if (hit) return hit;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require('ignore') as { default?: () => { add(t: string): { ignores(p: string): boolean } } } & (() => { add(t: string): { ignores(p: string): boolean } });
  const ig = (mod.default ?? mod)().add(text);
  if (ignoreCache.size > 500) ignoreCache.clear();
  ignoreCache.set(text, ig);
  return ig;
}

/** Whether ignoring `pattern` would drop `copied` (a path the Dockerfile copies). */
function covers(pattern: string, copied: string): boolean {
  if (copied === '.' || copied === '' || pattern.startsWith('!')) return false;
  const rel = copied.replace(/^\.\//, '').replace(/\/$/, '');
  try {
    return loadIgnore(pattern).ignores(rel);
  } catch {
    return false;
  }
}
