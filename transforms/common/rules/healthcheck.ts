/**
 * DO-HEALTHCHECK: a HEALTHCHECK that calls curl or wget must find that tool in the final image. On a
 * runtime that has neither (distroless, -slim images) the HTTP probe is rewritten to the runtime's own
 * interpreter (node -e, python -c); where the base has the tool, or the stage installs it, the check is
 * kept; where there is no interpreter either, it is reported as broken.
 */
import { parseImage } from '../../../src/model/image';
import type { DockerfileModel, Stage } from '../../../src/model/parse';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { healthTools, httpProbeOf, nodeHealthcheck, pythonHealthcheck } from '../healthcheck';
import { scriptOf, subcommands } from './util';

interface Runtime {
  tools: Set<string>;
  /** Interpreter command and its kind, when the runtime has one. */
  node?: string;
  python?: string;
}

/** What a final-stage base provides, from its image reference; null when unknown. */
export function runtimeOf(model: DockerfileModel, stage: Stage): Runtime | null {
  const parent = model.stages.find((s) => s.name !== null && s.name === stage.image.toLowerCase() && s.index < stage.index);
  if (parent) return runtimeOf(model, parent);
  if (stage.image === 'scratch') return { tools: new Set() };
  const ref = parseImage(stage.image);
  if (ref.dynamic) return null;
  const tag = ref.tag ?? '';
  if (/^gcr\.io\/distroless\/nodejs/.test(ref.repo)) return { tools: new Set(), node: '/nodejs/bin/node' };
  if (/^gcr\.io\/distroless\/python3/.test(ref.repo)) return { tools: new Set(), python: '/usr/bin/python3' };
  if (/^gcr\.io\/distroless\//.test(ref.repo)) return { tools: new Set() };
  if (ref.repo === 'node') {
    if (/alpine/.test(tag)) return { tools: new Set(['wget']), node: 'node' };
    if (/slim/.test(tag)) return { tools: new Set(), node: 'node' };
    return { tools: new Set(['curl', 'wget']), node: 'node' };
  }
  if (ref.repo === 'python') {
    if (/alpine/.test(tag)) return { tools: new Set(['wget']), python: 'python' };
    if (/slim/.test(tag)) return { tools: new Set(), python: 'python' };
    return { tools: new Set(['curl', 'wget']), python: 'python' };
  }
  if (ref.repo === 'debian' || ref.repo === 'ubuntu') return { tools: new Set() };
  if (ref.repo === 'alpine' || ref.repo === 'busybox') return { tools: new Set(['wget']) };
  return null;
}

/** Tools the stage (or a stage it is built on) installs with apt-get/apk/yum. */
function installed(model: DockerfileModel, stage: Stage): Set<string> {
  const out = new Set<string>();
  const chain: Stage[] = [stage];
  for (let s = stage; ; ) {
    const p = model.stages.find((x) => x.name !== null && x.name === s.image.toLowerCase() && x.index < s.index);
    if (!p || chain.includes(p)) break;
    chain.push(p);
    s = p;
  }
  for (const st of chain) {
    for (const ins of st.instructions) {
      const s = scriptOf(model, ins);
      if (!s) {
        if (ins.keyword === 'RUN') out.add('?');
        continue;
      }
      for (const { cmd, sub } of subcommands(s, ['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf'], ['install', 'add'])) {
        for (const w of cmd.argv.slice(sub + 1)) if (w.value) out.add(w.value.split('=')[0]);
        if (cmd.argv.slice(sub + 1).some((w) => w.value === null)) out.add('?');
      }
      // a COPY of a binary into the image could bring the tool too
    }
    for (const ins of st.instructions) if (ins.keyword === 'COPY' && /curl|wget/.test(ins.body)) out.add('?');
  }
  return out;
}

export const healthcheckTool: Rule = {
  id: 'DO-HEALTHCHECK',
  description: "a HEALTHCHECK's curl/wget exists in the final image; else the probe runs with the runtime's interpreter",
  severity: 'warning',
  mirrors: [],
  check({ model }) {
    const out: RuleReport[] = [];
    const stage = model.stages[model.stages.length - 1];
    const hc = stage.instructions.filter((i) => i.keyword === 'HEALTHCHECK').pop();
    if (!hc || /^NONE$/i.test(hc.body.trim())) return out;
    const tools = healthTools(hc).filter((t) => t === 'curl' || t === 'wget');
    if (!tools.length) return out;
    const rt = runtimeOf(model, stage);
    if (!rt) return out;
    const have = installed(model, stage);
    if (have.has('?') || tools.every((t) => rt.tools.has(t) || have.has(t))) return out;
    const missing = tools.filter((t) => !rt.tools.has(t) && !have.has(t));
    const probe = httpProbeOf(hc);
    const interp = rt.node ? 'node' : rt.python ? 'python' : null;
    if (!probe || !interp) {
      out.push({ line: hc.startLine, severity: 'warning', message: `HEALTHCHECK calls ${missing.join(' and ')}, which the final image (${stage.image}) does not have: the check always fails; ${interp ? 'it is not a plain HTTP probe, so it is not rewritten' : 'probe with a binary the image has'}` });
      return out;
    }
    const line = rt.node ? nodeHealthcheck(hc, probe, rt.node) : pythonHealthcheck(hc, probe, rt.python!);
    const comments = hc.lines.slice(1).filter((l) => l.trimStart().startsWith('#'));
    out.push({ line: hc.startLine, message: `HEALTHCHECK probes ${probe.url} with ${interp} itself: ${stage.image} has no ${missing.join(' or ')}`, fix: [{ startLine: hc.startLine, endLine: hc.endLine, lines: [...comments, line] }] });
    return out;
  },
};

