/**
 * DO-IMAGE-TAG (DL3006, DL3007): a FROM without a tag, or with :latest, changes under you. Well-known
 * images are pinned to their current major tag with a finding (check it is the release you meant);
 * other images are reported. Stage names, ${ARG} images, digests and scratch are left alone.
 */
import { parseImage } from '../../../src/model/image';
import type { Rule, RuleReport } from '../../../src/rules/rule';

/** Current major tags of well-known images (December 2026). */
export const CURRENT_MAJOR: Record<string, string> = {
  debian: 'trixie',
  ubuntu: '24.04',
  alpine: '3',
  busybox: '1',
  node: '24',
  python: '3',
  golang: '1',
  rust: '1',
  ruby: '3',
  php: '8',
  perl: '5',
  nginx: '1',
  httpd: '2',
  'buildpack-deps': 'trixie',
  'eclipse-temurin': '21',
  maven: '3',
  gradle: '8',
  redis: '7',
  postgres: '17',
  mysql: '8',
  mongo: '8',
  haproxy: '3',
  traefik: '3',
  elixir: '1',
  erlang: '27',
  gcc: '14',
  fedora: '41',
  rockylinux: '9',
  almalinux: '9',
  amazonlinux: '2023',
  'gcr.io/distroless/static-debian13': 'nonroot',
  'gcr.io/distroless/base-debian13': 'nonroot',
  'gcr.io/distroless/cc-debian13': 'nonroot',
  'gcr.io/distroless/nodejs22-debian13': 'nonroot',
  'gcr.io/distroless/python3-debian13': 'nonroot',
};

export const imageTag: Rule = {
  id: 'DO-IMAGE-TAG',
  description: 'FROM images carry a tag that is not latest: well-known images are pinned to their current major tag',
  severity: 'warning',
  mirrors: ['DL3006', 'DL3007'],
  check({ model }) {
    const out: RuleReport[] = [];
    const names = new Set<string>();
    for (const st of model.stages) {
      const ins = st.from;
      const img = st.image;
      const isStage = names.has(img.toLowerCase());
      if (st.name) names.add(st.name);
      if (isStage || img === 'scratch' || img.includes('$') || !img) continue;
      const ref = parseImage(img);
      if (ref.digest || (ref.tag !== null && ref.tag !== 'latest')) continue;
      const pin = CURRENT_MAJOR[ref.repo];
      const what = ref.tag === 'latest' ? `'${img}' floats with every release` : `'${img}' has no tag (it means :latest)`;
      if (!pin) {
        out.push({ line: ins.startLine, severity: 'warning', message: `${what}: pin a version tag` });
        continue;
      }
      const base = ref.tag === 'latest' ? img.slice(0, img.length - ':latest'.length) : img;
      const pinned = `${base}:${pin}`;
      // The image is the first argument of FROM after its flags: replace that word on its line.
      const li = ins.lines.findIndex((l, k) => (k === 0 ? l.replace(/^\s*from\s+/i, '') : l).split(/\s+/).includes(img) || new RegExp(`(^|\\s)${escapeRe(img)}(\\s|$)`).test(l));
      if (li < 0) continue;
      const lines = ins.lines.slice();
      lines[li] = lines[li].replace(new RegExp(`(^|\\s)${escapeRe(img)}(?=\\s|$)`), (_m, pre) => pre + pinned);
      if (lines[li] === ins.lines[li]) continue;
      out.push({ line: ins.startLine, severity: 'warning', finding: true, message: `${what}: pinned to ${pinned}, its current major tag; check it is the release you want`, fix: [{ startLine: ins.startLine, endLine: ins.endLine, lines }] });
    }
    return out;
  },
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
