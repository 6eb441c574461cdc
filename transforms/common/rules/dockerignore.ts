/**
 * DO-IGNORE: the build context has a .dockerignore. Created when missing (from the stack and the
 * .gitignore: .git, dependency folders, build output, .env*, caches, Dockerfiles); when present only the
 * missing essentials are appended, nothing removed; a pattern of the user's file that excludes a path
 * the Dockerfile copies is reported.
 */
import * as path from 'path';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import type { BuildContext } from '../../../src/stack/context';
import { planDockerignore, RULE_DOCKERIGNORE } from '../dockerignore';

/** Plans per build context (one per run) and question: the engine's passes ask again with the same copies. */
const plans = new WeakMap<BuildContext, Map<string, ReturnType<typeof planDockerignore>>>();

export const dockerignore: Rule = {
  id: RULE_DOCKERIGNORE,
  description: '.dockerignore exists, keeps .git, dependencies, env files and caches out, and ignores nothing the Dockerfile copies',
  severity: 'info',
  mirrors: [],
  check({ model, ctx, stack, rewritten, options }) {
    // A rewriting transform plans the .dockerignore itself (planDockerignore, with its stack's entries).
    if (options.dockerignore === false || rewritten) return [];
    const copied: string[] = [];
    for (const ins of model.instructions) {
      if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from') || ins.heredoc) continue;
      let srcs = ins.args.slice(0, -1);
      if (ins.body.trim().startsWith('[')) {
        try {
          const v = JSON.parse(ins.body.trim());
          if (Array.isArray(v)) srcs = v.slice(0, -1).map(String);
        } catch {
          /* shell-like form */
        }
      }
      for (const s of srcs) if (!/^[a-z]+:\/\//i.test(s)) copied.push(s.replace(/^\.\//, '') || '.');
    }
    const rel = path.relative(ctx.dir, path.resolve(model.path)).split(path.sep).join('/');
    let byQuestion = plans.get(ctx);
    if (!byQuestion) plans.set(ctx, (byQuestion = new Map()));
    const key = `${stack}\u0000${rel}\u0000${copied.join('\u0000')}`;
    let r = byQuestion.get(key);
    if (!r) byQuestion.set(key, (r = planDockerignore(ctx, stack, copied, rel)));
    const out: RuleReport[] = r.findings.map((f) => ({ severity: f.severity, message: f.message }));
    if (r.sideFile) {
      out.push({ message: r.sideFile.original === null ? '.dockerignore created: .git, dependencies, env files, logs and caches stay out of the build context' : `.dockerignore completed with essentials it lacked`, sideFile: r.sideFile });
    }
    return out;
  },
};
