/**
 * What an image is: size, layers (and the largest ones), user, exposed ports, env keys, entrypoint
 * and cmd, from `docker image inspect` and `docker history`. The parsing is pure and unit tested.
 */
import { Docker } from './docker';
import { isRootUser } from '../model/user';

export interface LayerInfo {
  bytes: number;
  createdBy: string;
}

export interface ImageFacts {
  id: string;
  bytes: number;
  /** Filesystem layers (RootFS.Layers). */
  layerCount: number;
  /** The largest layers, biggest first (at most 3). */
  largestLayers: LayerInfo[];
  user: string;
  root: boolean;
  /** e.g. "3000/tcp", sorted. */
  exposedPorts: string[];
  envKeys: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  workdir: string;
}

export { isRootUser } from '../model/user';

interface RawInspect {
  Id?: string;
  Size?: number;
  RootFS?: { Layers?: string[] };
  Config?: {
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
  };
}

/** Parses `docker history --no-trunc --human=false --format '{{.Size}}\t{{.CreatedBy}}'`. */
export function parseHistory(out: string): LayerInfo[] {
  const layers: LayerInfo[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const tab = line.indexOf('\t');
    const bytes = Number(tab < 0 ? line : line.slice(0, tab));
    if (!Number.isFinite(bytes)) continue;
    layers.push({ bytes, createdBy: tab < 0 ? '' : line.slice(tab + 1).trim() });
  }
  return layers;
}

/** A history line shortened for a table: BuildKit's `|2 A=b /bin/sh -c` prefixes and `#(nop)` dropped. */
export function shortCreatedBy(s: string, max = 60): string {
  let t = s
    .replace(/\s*# buildkit$/, '')
    .replace(/^(RUN\s+)?\|\d+(\s+\S+=\S*)*\s+/, '$1')
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/^(RUN\s+)?\/bin\/sh -c /, 'RUN ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length > max) t = t.slice(0, max - 1) + '…';
  return t;
}

export function factsFromInspect(raw: RawInspect, history: LayerInfo[]): ImageFacts {
  const c = raw.Config ?? {};
  const user = c.User ?? '';
  return {
    id: raw.Id ?? '',
    bytes: raw.Size ?? 0,
    layerCount: raw.RootFS?.Layers?.length ?? 0,
    largestLayers: history
      .filter((l) => l.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3),
    user,
    root: isRootUser(user),
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    envKeys: (c.Env ?? []).map((e) => e.split('=')[0]).sort(),
    entrypoint: c.Entrypoint ?? null,
    cmd: c.Cmd ?? null,
    workdir: c.WorkingDir ?? '',
  };
}

export async function inspectImage(docker: Docker, ref: string): Promise<ImageFacts> {
  const r = await docker.exec(['image', 'inspect', ref]);
  if (r.code !== 0) throw new Error(`docker image inspect ${ref}: ${r.stderr.trim()}`);
  const raw = (JSON.parse(r.stdout) as RawInspect[])[0];
  const h = await docker.exec(['history', '--no-trunc', '--human=false', '--format', '{{.Size}}\t{{.CreatedBy}}', ref]);
  return factsFromInspect(raw, h.code === 0 ? parseHistory(h.stdout) : []);
}
