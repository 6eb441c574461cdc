/** Image references: registry/repository:tag@digest, and what a tag tells about distro and libc. */

export interface ImageRef {
  /** As written. */
  raw: string;
  /** Repository without registry for Docker Hub official images (`node`, `golang`), else full path. */
  repo: string;
  tag: string | null;
  digest: string | null;
  /** Contains ${ARG} references: unknowable until build time. */
  dynamic: boolean;
}

export function parseImage(raw: string): ImageRef {
  const dynamic = raw.includes('$');
  let rest = raw;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let repo = rest;
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'library/', 'docker.io/']) {
    if (repo.startsWith(prefix)) {
      repo = repo.slice(prefix.length);
      break;
    }
  }
  return { raw, repo, tag, digest, dynamic };
}

export type Libc = 'glibc' | 'musl' | 'none' | 'unknown';

export function libcOfTag(tag: string | null): Libc {
  if (!tag) return 'glibc';
  if (/alpine/.test(tag)) return 'musl';
  return 'glibc';
}

/** The leading version of a tag: `20.11.1-slim` -> `20.11.1`; `lts`, `latest` -> null. */
export function tagVersion(tag: string | null): string | null {
  if (!tag) return null;
  const m = /^v?(\d+(?:\.\d+)*)/.exec(tag);
  return m ? m[1] : null;
}

/** The variant suffix of a tag: `20-bookworm-slim` -> `bookworm-slim`; `20` -> ''. */
export function tagVariant(tag: string | null): string {
  if (!tag) return '';
  const v = tagVersion(tag);
  const rest = v ? tag.slice(tag.indexOf(v) + v.length) : tag;
  return rest.replace(/^-/, '');
}

export function isFloatingTag(tag: string | null): boolean {
  return tag === null || /^(latest|lts|current|stable|slim|alpine)(-|$)/.test(tag);
}
