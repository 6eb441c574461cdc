/** DO-PIP-NO-CACHE (DL3042): pip install --no-cache-dir (or a cache mount) keeps wheels out of the layer. */
import type { Rule, RuleReport } from '../../../src/rules/rule';
import type { ShellCommand } from '../../../src/shell';
import { effectiveIndex, hasFlag } from '../../../src/shell';
import { parseImage } from '../../../src/model/image';
import type { DockerfileModel, Instruction, Stage } from '../../../src/model/parse';
import { afterWord, editScript, envSet, hasCacheMount, scriptOf, scripts, stageOf, subcommands } from './util';

const OLD_RELEASE = /(^|[-.])(12\.04|14\.04|precise|trusty|wheezy|jessie|7|8)([-.]|$)/;
const RECENT_RELEASE = /(^|[-.])(16\.04|18\.04|20\.04|22\.04|24\.04|xenial|bionic|focal|jammy|noble|stretch|buster|bullseye|bookworm|trixie|9|10|11|12|13)([-.]|$)/;

/**
 * The pip that runs may predate --no-cache-dir (pip 6, 2014): pip from the packages of an old
 * distribution (Ubuntu 14.04's is 1.5), or from the packages of a distribution whose release is not
 * known, and not upgraded by an earlier RUN.
 */
function pipMayBeAncient(model: DockerfileModel, stage: Stage, ins: Instruction): boolean {
  const chain: Stage[] = [stage];
  for (let s = stage; ; ) {
    const p = model.stages.find((x) => x.name !== null && x.name === s.image.toLowerCase() && x.index < s.index);
    if (!p || chain.includes(p)) break;
    chain.push(p);
    s = p;
  }
  const root = chain[chain.length - 1];
  const ref = parseImage(root.image);
  if (/(^|\/)(python|pypy)$/.test(ref.repo)) return false;
  const tag = ref.tag ?? '';
  const earlier = chain.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN' && (i.stage !== stage.index || i.index < ins.index));
  const upgraded = earlier.some((i) => {
    const s = scriptOf(model, i);
    return !!s && s.parsed.commands.some((c) => c.argv.some((w) => w.value === 'get-pip.py' || (w.value ?? '').endsWith('/get-pip.py')) || (c.argv.some((w) => w.value === 'install') && c.argv.some((w) => w.value === '-U' || w.value === '--upgrade') && c.argv.some((w) => w.value === 'pip')));
  });
  if (upgraded) return false;
  if ((ref.repo === 'ubuntu' || ref.repo === 'debian') && OLD_RELEASE.test(tag)) return true;
  const distroPip = [...earlier, ins].some((i) => {
    const s = scriptOf(model, i);
    return !!s && subcommands(s, ['apt-get', 'apt', 'yum', 'dnf', 'apk'], ['install', 'add']).some(({ cmd, sub }) => cmd.argv.slice(sub + 1).some((w) => /^(python\d?-pip|py\d?-pip|python-setuptools)$/.test(w.value ?? '')));
  });
  if (!distroPip) return false;
  return !((ref.repo === 'ubuntu' || ref.repo === 'debian') && RECENT_RELEASE.test(tag));
}

/** Index of `install` in `pip install`, `pip3.11 install`, `python -m pip install`; -1 otherwise. */
function pipInstall(c: ShellCommand): number {
  const e = effectiveIndex(c);
  const name = (c.argv[e]?.value ?? '').split('/').pop() ?? '';
  let i = -1;
  if (/^pip(\d+(\.\d+)?)?$/.test(name)) i = e + 1;
  else if (/^python(\d+(\.\d+)?)?$/.test(name) && c.argv[e + 1]?.value === '-m' && /^pip\d?$/.test(c.argv[e + 2]?.value ?? '')) i = e + 3;
  if (i < 0) return -1;
  while (i < c.argv.length && (c.argv[i].value ?? '').startsWith('-')) i++;
  return c.argv[i]?.value === 'install' ? i : -1;
}

export const pipNoCache: Rule = {
  id: 'DO-PIP-NO-CACHE',
  description: 'pip install runs with --no-cache-dir (or a cache mount on /root/.cache/pip)',
  severity: 'info',
  mirrors: ['DL3042'],
  check({ model }) {
    const out: RuleReport[] = [];
    for (const s of scripts(model)) {
      const stage = stageOf(model, s.ins);
      // Only a script with a pip install that keeps the cache is looked at further (the pip's age takes a walk over earlier RUNs).
      if (!s.parsed.commands.some((c) => pipInstall(c) >= 0 && !hasFlag(c, '--no-cache-dir'))) continue;
      if (!stage || envSet(stage, s.ins, 'PIP_NO_CACHE_DIR') || hasCacheMount(s.ins, ['/root/.cache/pip', '/root/.cache'])) continue;
      if (pipMayBeAncient(model, stage, s.ins)) {
        out.push({ line: s.ins.startLine, severity: 'info', message: "pip's cache is kept: this pip comes from the distribution's packages and may predate --no-cache-dir (pip 6); upgrade pip first" });
        continue;
      }
      const edits = [];
      for (const c of s.parsed.commands) {
        const at = pipInstall(c);
        if (at < 0 || hasFlag(c, '--no-cache-dir') || c.assigns.some((a) => a.name === 'PIP_NO_CACHE_DIR')) continue;
        const pos = afterWord(s, c, at);
        if (pos !== null) edits.push({ start: pos, end: pos, text: ' --no-cache-dir' });
      }
      if (!edits.length) continue;
      const fix = editScript(model, s, edits);
      out.push({ line: s.ins.startLine, message: 'pip install --no-cache-dir: downloaded wheels are not kept in the layer', fix: fix ? [fix] : undefined });
    }
    return out;
  },
};
