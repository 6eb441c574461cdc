/**
 * DO-NODE-PM-CACHE (DL3060 for yarn): a RUN that installs with yarn or npm and has no cache mount ends by
 * cleaning the package manager's cache (`yarn cache clean`, `npm cache clean --force`), so the
 * downloaded tarballs do not stay in the layer. Only in the stages the final image is built on: a
 * build stage's cache never reaches the image.
 */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { appendAt, editScript, finalLineage, hasCacheMount, scripts, subcommands } from './util';

export const pmCacheClean: Rule = {
  id: 'DO-NODE-PM-CACHE',
  description: 'yarn/npm installs clean their cache in the same RUN (or use a cache mount)',
  severity: 'info',
  mirrors: ['DL3060'],
  check({ model, ctx, rewritten }) {
    const out: RuleReport[] = [];
    if (rewritten) return out; // the ecosystem rewrite uses cache mounts
    // Yarn 2+ (berry) keeps packages in the project's .yarn/cache, which Plug'n'Play loads at run time:
    // cleaning it would break the app. Any sign of berry turns the yarn part off.
    const berry = ctx.exists('.yarnrc.yml') || model.instructions.some((i) => /\.yarnrc\.yml|\.yarn\/|yarn set version|corepack/.test(i.lines.join('\n')));
    const shipped = finalLineage(model);
    for (const s of scripts(model)) {
      // A cache left in a build stage never reaches the image.
      if (!shipped.has(s.ins.stage)) continue;
      if (hasCacheMount(s.ins, ['/root/.npm', '/usr/local/share/.cache/yarn', '/root/.yarn', '/root/.cache/yarn', '/home/node/.npm', '/home/node/.cache/yarn'])) continue;
      const yarn = s.parsed.commands.filter((c) => c.name.split('/').pop() === 'yarn' && (c.argv.length === 1 || ['install', 'add'].includes(c.argv[1].value ?? '') || (c.argv[1].value ?? '').startsWith('--')));
      const npm = subcommands(s, ['npm'], ['install', 'i', 'ci', 'add']);
      const cleans = subcommands(s, ['yarn', 'npm'], ['cache']);
      const tool = yarn.length && !berry && !cleans.some((c) => c.cmd.name.endsWith('yarn')) ? 'yarn' : npm.length && !cleans.some((c) => c.cmd.name.endsWith('npm')) ? 'npm' : null;
      if (!tool) continue;
      const cmd = tool === 'yarn' ? 'yarn cache clean' : 'npm cache clean --force';
      const at = appendAt(s);
      if (at === null) {
        out.push({ line: s.ins.startLine, severity: 'info', message: `the ${tool} cache stays in the layer: end this RUN with '&& ${cmd}'` });
        continue;
      }
      const fix = editScript(model, s, [{ start: at, end: at, text: ` && ${cmd}` }]);
      out.push({ line: s.ins.startLine, message: `'${cmd}' at the end of the RUN: the ${tool} cache does not stay in the layer`, fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
