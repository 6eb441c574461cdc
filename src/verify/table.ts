/** The before/after table of one verify run (pure). */
import { shortCreatedBy } from './inspect';
import type { VerifyReport } from './index';

export function humanBytes(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function argv(a: string[] | null | undefined): string {
  if (!a || a.length === 0) return '-';
  return a.map((s) => (/^[\w./:@%+=,-]+$/.test(s) ? s : JSON.stringify(s))).join(' ');
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function formatTable(rows: [string, string, string][], headers: [string, string, string], max = 46): string {
  const all = [headers, ...rows].map((r) => r.map((c, i) => (i === 0 ? c : clip(c, max))) as [string, string, string]);
  const w = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 2 ? c : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(all[0]), line(w.map((n) => '-'.repeat(n))), ...all.slice(1).map(line)].join('\n');
}

function buildCell(b: { ok: boolean; seconds: number; steps: number; cachedSteps: number } | undefined): string {
  if (!b) return '-';
  if (!b.ok) return `FAILED after ${b.seconds} s`;
  return `${b.seconds} s (${b.cachedSteps}/${b.steps} steps cached)`;
}

function probeCell(p: VerifyReport['original']['probe']): string {
  if (!p) return '-';
  if (p.kind === 'http') return p.answered ? `${p.status}, ${humanBytes(p.bodyBytes)} after ${p.seconds} s` : `no answer (${clip(p.error ?? '', 30)})`;
  if (p.error) return `failed (${clip(p.error, 30)})`;
  return p.timedOut ? `still running after ${p.seconds} s` : `exit ${p.exitCode}, ${humanBytes(Buffer.byteLength(p.stdout))} stdout`;
}

export function formatVerifyTable(r: VerifyReport): string {
  const out: string[] = [];
  out.push(`${r.dockerfile}${r.runtimeBase ? `  ->  ${r.runtimeBase}` : ''}`);
  if (r.skipped) {
    out.push(`  skipped: ${r.skipped}`);
    return out.join('\n') + '\n';
  }
  const o = r.original;
  const n = r.rewritten;
  const rows: [string, string, string][] = [];
  const ratio = r.ratio !== undefined ? ` (${r.ratio}x smaller)` : '';
  rows.push(['image size', humanBytes(o.image?.bytes), o.image && n.image ? `${humanBytes(n.image.bytes)}${ratio}` : humanBytes(n.image?.bytes)]);
  rows.push(['layers', String(o.image?.layerCount ?? '-'), String(n.image?.layerCount ?? '-')]);
  const lo = o.image?.largestLayers ?? [];
  const ln = n.image?.largestLayers ?? [];
  for (let i = 0; i < Math.max(lo.length, ln.length); i++) {
    const cell = (l: { bytes: number; createdBy: string } | undefined) => (l ? `${humanBytes(l.bytes)} ${shortCreatedBy(l.createdBy, 36)}` : '');
    rows.push([i === 0 ? 'largest layers' : '', cell(lo[i]), cell(ln[i])]);
  }
  const user = (i: typeof o.image) => (i ? `${i.user || '(none)'}${i.root ? ' = root' : ''}` : '-');
  rows.push(['user', user(o.image), user(n.image)]);
  rows.push(['exposed ports', o.image ? o.image.exposedPorts.join(' ') || '-' : '-', n.image ? n.image.exposedPorts.join(' ') || '-' : '-']);
  rows.push(['env keys', o.image ? String(o.image.envKeys.length) : '-', n.image ? `${n.image.envKeys.length}${diffKeys(o.image?.envKeys, n.image.envKeys)}` : '-']);
  rows.push(['entrypoint', argv(o.image?.entrypoint), argv(n.image?.entrypoint)]);
  rows.push(['cmd', argv(o.image?.cmd), argv(n.image?.cmd)]);
  rows.push(['build', buildCell(o.build), buildCell(n.build)]);
  if (o.rebuild || n.rebuild) rows.push([`rebuild (touch ${clip(o.rebuild?.touched ?? n.rebuild?.touched ?? '', 24)})`, buildCell(o.rebuild), buildCell(n.rebuild)]);
  const probeName = r.probe.kind === 'http' ? `probe GET ${r.probe.path} :${r.probe.port ?? '?'}` : r.probe.kind === 'command' ? 'probe (command)' : 'probe';
  rows.push([probeName, probeCell(o.probe), probeCell(n.probe)]);
  out.push(
    formatTable(rows, ['', 'original', 'rewritten'])
      .split('\n')
      .map((l) => '  ' + l)
      .join('\n'),
  );
  for (const note of r.notes) out.push(`  note: ${note}`);
  if (r.ok) out.push('  result: OK');
  else for (const p of r.problems) out.push(`  FAILED: ${p}`);
  if (r.leftBehind && (r.leftBehind.containers.length || r.leftBehind.images.length)) out.push(`  warning: left behind ${r.leftBehind.containers.length} container(s), ${r.leftBehind.images.length} image(s) labelled ${r.label}`);
  return out.join('\n') + '\n';
}

function diffKeys(a: string[] | undefined, b: string[]): string {
  if (!a) return '';
  const lost = a.filter((k) => !b.includes(k));
  const added = b.filter((k) => !a.includes(k));
  const parts = [];
  if (lost.length) parts.push(`-${lost.join(',')}`);
  if (added.length) parts.push(`+${added.join(',')}`);
  return parts.length ? ` (${parts.join(' ')})` : ' (same)';
}
