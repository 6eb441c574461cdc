/**
 * OS package installs (apt-get, apt, apk) found in RUN commands, and the split of their packages into
 * build-only ones (compilers, headers) and what the runtime needs (the shared library a -dev package
 * stands for). The table is Debian bookworm/trixie and Alpine package names.
 */
import { ShellCommand } from '../../src/shell';

export type OsManager = 'apt' | 'apk';

export interface OsInstall {
  manager: OsManager;
  kind: 'update' | 'install' | 'clean' | 'remove' | 'other';
  packages: string[];
}

/** Compilers and build tools: builder only. */
export const BUILD_ONLY = new Set([
  'build-essential', 'gcc', 'g++', 'make', 'cmake', 'clang', 'pkg-config', 'pkgconf', 'autoconf', 'automake', 'libtool',
  'python3-dev', 'python-dev', 'musl-dev', 'linux-headers', 'libc6-dev', 'libc-dev', 'git', 'node-gyp', 'python3', 'python',
  'py3-pip', 'python3-pip', 'cargo', 'rust', 'golang', 'go', 'alpine-sdk', 'build-base', 'gfortran', 'swig', 'patch', 'file',
  'curl', 'wget', 'ca-certificates', 'gnupg', 'unzip', 'xz-utils', 'bzip2', 'dpkg-dev', 'libffi-dev', 'libssl-dev', 'openssl-dev',
]);

/**
 * -dev package -> the run-time library it stands for (Debian trixie names where they differ from
 * bookworm are noted in transforms/python/README.md). Alpine: -dev -> base package.
 */
export const DEV_TO_RUNTIME: Record<string, string> = {
  'libpq-dev': 'libpq5',
  'libjpeg-dev': 'libjpeg62-turbo',
  'libjpeg62-turbo-dev': 'libjpeg62-turbo',
  'default-libmysqlclient-dev': 'libmariadb3',
  'libmariadb-dev': 'libmariadb3',
  'libmariadb-dev-compat': 'libmariadb3',
  'libxml2-dev': 'libxml2',
  'libxslt1-dev': 'libxslt1.1',
  'libxslt-dev': 'libxslt1.1',
  'libpng-dev': 'libpng16-16',
  'libtiff-dev': 'libtiff6',
  'libtiff5-dev': 'libtiff6',
  'libwebp-dev': 'libwebp7',
  'libfreetype6-dev': 'libfreetype6',
  'libfreetype-dev': 'libfreetype6',
  'liblcms2-dev': 'liblcms2-2',
  'libopenjp2-7-dev': 'libopenjp2-7',
  'zlib1g-dev': 'zlib1g',
  'libsqlite3-dev': 'libsqlite3-0',
  'libyaml-dev': 'libyaml-0-2',
  'libgeos-dev': 'libgeos-c1v5',
  'libproj-dev': 'libproj25',
  'libgdal-dev': 'gdal-bin',
  'libmagic-dev': 'libmagic1',
  'libldap2-dev': 'libldap-2.5-0',
  'libsasl2-dev': 'libsasl2-2',
  'libcairo2-dev': 'libcairo2',
  'libpango1.0-dev': 'libpango-1.0-0',
  'libgirepository1.0-dev': 'libgirepository-1.0-1',
  'libvips-dev': 'libvips42',
  'libzmq3-dev': 'libzmq5',
  'libsnappy-dev': 'libsnappy1v5',
  'libbz2-dev': 'libbz2-1.0',
  'liblzma-dev': 'liblzma5',
  'libreadline-dev': 'libreadline8',
  'libncurses5-dev': 'libncurses6',
  'libncurses-dev': 'libncurses6',
  'libgomp1': 'libgomp1',
  'libopenblas-dev': 'libopenblas0',
  'liblapack-dev': 'liblapack3',
  'libblas-dev': 'libblas3',
  'libhdf5-dev': 'libhdf5-103-1',
  'libkrb5-dev': 'libkrb5-3',
  'libcurl4-openssl-dev': 'libcurl4',
  'unixodbc-dev': 'unixodbc',
  'freetds-dev': 'freetds-bin',
  // Alpine
  'postgresql-dev': 'libpq',
  'libpq-dev@apk': 'libpq',
  'jpeg-dev': 'libjpeg-turbo',
  'libjpeg-turbo-dev': 'libjpeg-turbo',
  'mariadb-dev': 'mariadb-connector-c',
  'mariadb-connector-c-dev': 'mariadb-connector-c',
  'libxml2-dev@apk': 'libxml2',
  'libxslt-dev@apk': 'libxslt',
  'zlib-dev': 'zlib',
  'libpng-dev@apk': 'libpng',
  'freetype-dev': 'freetype',
  'sqlite-dev': 'sqlite-libs',
  'yaml-dev': 'yaml',
};

/**
 * -dev packages whose run-time library (above) is built from the same Debian source package, so a
 * pinned `-dev=VERSION` means the library of exactly that VERSION: checked with `apt-cache show`
 * (Source and Version fields equal) in bookworm and in trixie. Not here: `default-libmysqlclient-dev`
 * (source mysql-defaults, the library is mariadb's) and `libxslt-dev` (a virtual package).
 */
export const SAME_SOURCE = new Set([
  'libpq-dev', 'libjpeg-dev', 'libjpeg62-turbo-dev', 'libmariadb-dev', 'libmariadb-dev-compat', 'libxml2-dev', 'libxslt1-dev',
  'libpng-dev', 'libtiff-dev', 'libtiff5-dev', 'libwebp-dev', 'libfreetype6-dev', 'libfreetype-dev', 'liblcms2-dev', 'libopenjp2-7-dev',
  'zlib1g-dev', 'libsqlite3-dev', 'libyaml-dev', 'libgeos-dev', 'libproj-dev', 'libgdal-dev', 'libmagic-dev', 'libldap2-dev', 'libsasl2-dev',
  'libcairo2-dev', 'libpango1.0-dev', 'libgirepository1.0-dev', 'libvips-dev', 'libzmq3-dev', 'libsnappy-dev', 'libbz2-dev', 'liblzma-dev',
  'libreadline-dev', 'libncurses5-dev', 'libncurses-dev', 'libgomp1', 'libopenblas-dev', 'liblapack-dev', 'libblas-dev', 'libhdf5-dev',
  'libkrb5-dev', 'libcurl4-openssl-dev', 'unixodbc-dev', 'freetds-dev',
]);

/** A package name without its version pin (`libpq-dev=15.5-0+deb12u1` -> `libpq-dev`). */
export function packageName(spec: string): string {
  return spec.replace(/[=:].*$/, '');
}

/** Whether an apt/apk package argument carries a version pin, as hadolint (DL3008, DL3018) reads it. */
export function isPinned(spec: string): boolean {
  return spec.includes('=') || spec.endsWith('.deb');
}

export function runtimeLibFor(manager: OsManager, pkg: string): string | null | undefined {
  const name = pkg.replace(/[=:].*$/, '');
  if (manager === 'apk' && DEV_TO_RUNTIME[`${name}@apk`]) return DEV_TO_RUNTIME[`${name}@apk`];
  if (DEV_TO_RUNTIME[name] !== undefined) return DEV_TO_RUNTIME[name];
  if (BUILD_ONLY.has(name)) return null;
  if (name.endsWith('-dev')) return undefined; // unknown -dev: caller keeps it with a finding
  return undefined;
}

/**
 * Splits packages: `build` stay in the builder; `runtime` are installed in the runtime (libraries a
 * -dev stands for, and packages the table does not know, kept to be safe); `unknown` lists those
 * kept without knowing; `libs` lists the libraries the table derived. With `pinLibs` (a runtime on
 * the builder's Debian release), a library is pinned like its -dev when both come from the same
 * Debian source package.
 */
export function classifyOsPackages(manager: OsManager, packages: string[], opts: { pinLibs?: boolean } = {}): { build: string[]; runtime: string[]; unknown: string[]; libs: string[] } {
  const build: string[] = [];
  const runtime: string[] = [];
  const unknown: string[] = [];
  const libs: string[] = [];
  for (const p of packages) {
    const lib = runtimeLibFor(manager, p);
    const name = p.replace(/[=:].*$/, '');
    if (lib === null) build.push(p);
    else if (lib) {
      build.push(p);
      // apt: a pinned -dev of the same source package pins its library to the same version.
      const pin = opts.pinLibs && manager === 'apt' && SAME_SOURCE.has(name) && /^[^=]+=[^=]+$/.test(p) ? p.slice(p.indexOf('=')) : '';
      runtime.push(lib + pin);
      libs.push(lib + pin);
    } else {
      runtime.push(p);
      if (!name.startsWith('lib') || name.endsWith('-dev')) unknown.push(p);
    }
  }
  return { build, runtime, unknown, libs };
}

/** apt-get/apt/apk commands, looking through sudo. */
export function osInstallOf(c: ShellCommand): OsInstall | null {
  const argv = c.argv.map((w) => w.value ?? w.text);
  let i = 0;
  while (argv[i] === 'sudo' || argv[i] === 'env' || argv[i] === 'DEBIAN_FRONTEND=noninteractive') i++;
  const tool = (argv[i] ?? '').split('/').pop();
  const rest = argv.slice(i + 1);
  const words = rest.filter((w) => !w.startsWith('-'));
  if (tool === 'apt-get' || tool === 'apt' || tool === 'aptitude') {
    const verb = words[0];
    const withValue = new Set(['-o', '-t', '--target-release', '-c']);
    const pkgs: string[] = [];
    for (let k = 0; k < rest.length; k++) {
      const w = rest[k];
      if (withValue.has(w)) {
        k++;
        continue;
      }
      if (!w.startsWith('-')) pkgs.push(w);
    }
    pkgs.shift();
    if (verb === 'update') return { manager: 'apt', kind: 'update', packages: [] };
    if (verb === 'install') return { manager: 'apt', kind: 'install', packages: pkgs };
    if (verb === 'clean' || verb === 'autoclean' || verb === 'autoremove') return { manager: 'apt', kind: 'clean', packages: [] };
    if (verb === 'remove' || verb === 'purge') return { manager: 'apt', kind: 'remove', packages: pkgs };
    return { manager: 'apt', kind: 'other', packages: [] };
  }
  if (tool === 'apk') {
    const verb = words[0];
    const withValue = new Set(['-t', '--virtual', '-X', '--repository']);
    const pkgs: string[] = [];
    for (let k = 0; k < rest.length; k++) {
      const w = rest[k];
      if (withValue.has(w)) {
        k++;
        continue;
      }
      if (!w.startsWith('-')) pkgs.push(w);
    }
    pkgs.shift();
    if (verb === 'add') return { manager: 'apk', kind: 'install', packages: pkgs };
    if (verb === 'update') return { manager: 'apk', kind: 'update', packages: [] };
    if (verb === 'del') return { manager: 'apk', kind: 'remove', packages: pkgs };
    if (verb === 'cache') return { manager: 'apk', kind: 'clean', packages: [] };
    return { manager: 'apk', kind: 'other', packages: [] };
  }
  // rm -rf /var/lib/apt/lists/* and friends belong to the install.
  if (tool === 'rm' && rest.some((w) => /^\/var\/(lib\/apt\/lists|cache\/(apt|apk))/.test(w))) return { manager: 'apt', kind: 'clean', packages: [] };
  return null;
}
