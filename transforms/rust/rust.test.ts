/**
 * The Rust transform: Cargo facts and the decisions of the rewrite, as tables of cases. Each case builds
 * a small build context in a temporary directory and runs the whole pipeline.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { BuildContext } from '../../src/stack/context';
import type { FileResult, OptimizeOptions } from '../../src/types';
import { readCargoFacts } from './facts';
import { RULES as CROSS_CUTTING } from '../common/rules';

/** The case tables test the transform's own decisions: the cross-cutting rules are off here (test/lint has theirs). */
const TRANSFORM_ONLY = CROSS_CUTTING.map((r) => r.id);

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-rust-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const MANIFEST = (name = 'app', extra = '') => `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra}\n[dependencies]\n`;
const LOCK = (...pkgs: string[]) =>
  'version = 4\n' + pkgs.map((p) => {
    const [name, source] = p.split('@');
    return `\n[[package]]\nname = "${name}"\nversion = "1.0.0"\n${source ? `source = "${source}"\n` : ''}`;
  }).join('');
const REG = 'registry+https://github.com/rust-lang/crates.io-index';
const APP = { 'Cargo.toml': MANIFEST(), 'Cargo.lock': LOCK('app'), 'src/main.rs': 'fn main() {}\n' };
const NAIVE = 'FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nEXPOSE 8080\nCMD ["./target/release/app"]\n';

function rewrite(dockerfile: string, files: Record<string, string> = APP, opts: OptimizeOptions = {}): FileResult {
  const dir = context(files);
  return optimizeText(dockerfile, path.join(dir, 'Dockerfile'), { disable: TRANSFORM_ONLY, ...opts });
}

function stageOf(output: string, name: string): string {
  const parts = output.split(/\n(?=(?:#[^\n]*\n)*FROM )/);
  return parts.find((p) => new RegExp(`^(#[^\\n]*\\n)*FROM [^\\n]* AS ${name}$`, 'm').test(p)) ?? '';
}

describe('Cargo facts, read as TOML', () => {
  test.each([
    ['the package name for src/main.rs', { 'Cargo.toml': MANIFEST('web-app'), 'src/main.rs': '' }, ['web-app']],
    ['[[bin]] names', { 'Cargo.toml': MANIFEST('pkg', '\n[[bin]]\nname = "server"\npath = "src/main.rs"\n'), 'src/main.rs': '' }, ['server']],
    ['src/bin files and dirs', { 'Cargo.toml': MANIFEST('pkg'), 'src/main.rs': '', 'src/bin/tool.rs': '', 'src/bin/other/main.rs': '' }, ['pkg', 'other', 'tool']],
    ['autobins = false', { 'Cargo.toml': MANIFEST('pkg', 'autobins = false'), 'src/main.rs': '', 'src/bin/tool.rs': '' }, []],
    ['a library only', { 'Cargo.toml': MANIFEST('lib'), 'src/lib.rs': '' }, []],
  ])('binaries: %s', (_name, files, bins) => {
    const facts = readCargoFacts(new BuildContext(context(files)));
    expect(facts.packages[0].bins).toEqual(bins);
  });

  test('workspace members: globs expanded, exclude honoured, virtual root', () => {
    const dir = context({
      'Cargo.toml': '[workspace]\nmembers = ["crates/*", "tools/cli"]\nexclude = ["crates/old"]\n',
      'crates/a/Cargo.toml': MANIFEST('a'),
      'crates/a/src/lib.rs': '',
      'crates/b/Cargo.toml': MANIFEST('b'),
      'crates/b/src/main.rs': '',
      'crates/old/Cargo.toml': MANIFEST('old'),
      'crates/notes.txt': '',
      'tools/cli/Cargo.toml': MANIFEST('cli'),
      'tools/cli/src/main.rs': '',
    });
    const facts = readCargoFacts(new BuildContext(dir));
    expect(facts.workspace).toBe(true);
    expect(facts.packages.map((p) => [p.name, p.dir, p.bins])).toEqual([
      ['a', 'crates/a', []],
      ['b', 'crates/b', ['b']],
      ['cli', 'tools/cli', ['cli']],
    ]);
  });

  test.each([
    ['in sync', LOCK('app', `serde@${REG}`), []],
    ['a dependency missing', LOCK('app'), ["dependency 'serde' of 'app' is not in Cargo.lock"]],
    ['the package missing', LOCK(`serde@${REG}`), ["package 'app' is not in Cargo.lock"]],
  ])('lockfile %s', (_name, lock, problems) => {
    const facts = readCargoFacts(new BuildContext(context({ 'Cargo.toml': MANIFEST() + 'serde = "1"\n', 'Cargo.lock': lock, 'src/main.rs': '' })));
    expect(facts.lockProblems).toEqual(problems);
  });

  test('renamed and workspace-inherited dependencies are looked up by their real name', () => {
    const dir = context({
      'Cargo.toml': '[workspace]\nmembers = ["app"]\n[workspace.dependencies]\nj = { package = "serde_json", version = "1" }\n',
      'app/Cargo.toml': MANIFEST() + 'j = { workspace = true }\nlog2 = { package = "log", version = "0.4" }\n',
      'app/src/main.rs': '',
      'Cargo.lock': LOCK('app', `serde_json@${REG}`, `log@${REG}`),
    });
    expect(readCargoFacts(new BuildContext(dir)).lockProblems).toEqual([]);
  });

  test('native crates: -sys crates that link a system library, vendored OpenSSL, C compilation', () => {
    const facts = readCargoFacts(new BuildContext(context({ ...APP, 'Cargo.lock': LOCK('app', `openssl-sys@${REG}`, `openssl-src@${REG}`, `linux-raw-sys@${REG}`, `cc@${REG}`) })));
    expect(facts.sysCrates).toEqual(['openssl-sys']);
    expect(facts.opensslVendored).toBe(true);
    expect(facts.compilesC).toBe(true);
  });
});

describe('the binary the container runs', () => {
  test.each([
    ['relative target path', NAIVE, 'app'],
    ['absolute target path', NAIVE.replace('./target/release/app', '/app/target/release/app'), 'app'],
    ['shell form', NAIVE.replace('CMD ["./target/release/app"]', 'CMD ./target/release/app --port 8080'), 'app'],
    ['cargo install --path . and the bare name', 'FROM rust:1\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo install --path .\nCMD ["app"]\n', 'app'],
    ['a copy to /usr/local/bin', 'FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release && cp target/release/app /usr/local/bin/\nCMD ["app"]\n', 'app'],
    ['a debug build', NAIVE.replace('cargo build --release', 'cargo build').replace('release/app', 'debug/app'), 'app'],
    ['a custom profile', NAIVE.replace('--release', '--profile dist').replace('release/app', 'dist/app'), 'app'],
    ['an explicit --target', NAIVE.replace('--release', '--release --target x86_64-unknown-linux-gnu').replace('target/release', 'target/x86_64-unknown-linux-gnu/release'), 'app'],
    ['CARGO_TARGET_DIR', NAIVE.replace('COPY', 'ENV CARGO_TARGET_DIR=/build\nCOPY').replace('./target/release/app', '/build/release/app'), 'app'],
  ])('%s', (_name, dockerfile, bin) => {
    const r = rewrite(dockerfile);
    expect(r.skipped).toBeUndefined();
    expect(stageOf(r.output, 'runtime')).toMatch(new RegExp(`COPY --from=build \\S+/${bin} /usr/local/bin/${bin}\\n`));
    expect(r.output).toMatch(new RegExp(`CMD \\["/usr/local/bin/${bin}"`));
  });

  test('a binary moved out of target/ is copied from where it went, target/ not a cache mount', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release && mv target/release/app .\nCMD ["./app"]\n');
    expect(r.skipped).toBeUndefined();
    expect(r.output).not.toContain('target=/app/target');
    expect(stageOf(r.output, 'runtime')).toContain('COPY --from=build /app/app /usr/local/bin/app');
  });

  test('FROM rust:${VERSION}: the builder keeps the variable, decisions use the default', () => {
    const r = rewrite('ARG RUST_VERSION=1.80-alpine\nFROM rust:${RUST_VERSION}\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n');
    expect(r.output).toContain('FROM rust:${RUST_VERSION} AS build');
    expect(r.runtimeBase).toBe('gcr.io/distroless/static-debian13:nonroot');
    expect(rewrite('ARG V\nFROM rust:${V}\nCOPY . .\nRUN cargo build\nCMD ["/target/debug/app"]\n').skipped).toMatch(/without a default/);
  });

  test('no WORKDIR: the files go to / and are copied one by one', () => {
    const r = rewrite('FROM rust:1\nCOPY . .\nRUN cargo build --release\nCMD ["/target/release/app", "."]\n', { ...APP, 'static/a': '' });
    const rt = stageOf(r.output, 'runtime');
    expect(rt).not.toContain('COPY --from=build / /');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /static ./static');
    expect(rt).toContain('COPY --from=build /out/app /usr/local/bin/app');
  });

  test('arguments and ENTRYPOINT are kept, the path rewritten', () => {
    const r = rewrite(NAIVE.replace('CMD ["./target/release/app"]', 'ENTRYPOINT ["./target/release/app", "serve"]\nCMD ["--port", "8080"]'));
    expect(r.output).toContain('ENTRYPOINT ["/usr/local/bin/app", "serve"]\nCMD ["--port", "8080"]');
  });

  test('a plain cargo build in a workspace builds its default-members only', () => {
    const files = {
      'Cargo.toml': '[workspace]\nmembers = ["a", "b"]\ndefault-members = ["a"]\n',
      'a/Cargo.toml': MANIFEST('a'),
      'a/src/main.rs': '',
      'b/Cargo.toml': MANIFEST('b'),
      'b/src/main.rs': '',
      'Cargo.lock': LOCK('a', 'b'),
    };
    const df = (bin: string, flags = '') => `FROM rust:1\nWORKDIR /w\nCOPY . .\nRUN cargo build --release${flags}\nCMD ["./target/release/${bin}"]\n`;
    expect(rewrite(df('a'), files).skipped).toBeUndefined();
    expect(rewrite(df('b'), files).skipped).toMatch(/not a binary the cargo build produces \(a\)/);
    expect(rewrite(df('b', ' --workspace'), files).skipped).toBeUndefined();
  });

  test('cargo run compiled at every start: built once in the build stage, its arguments kept', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /app\nCOPY . .\nEXPOSE 8080\nCMD cargo run --release -- --port 8080\n');
    expect(r.skipped).toBeUndefined();
    expect(stageOf(r.output, 'build')).toContain('cargo build --release --locked');
    expect(r.output).toContain('CMD ["/usr/local/bin/app", "--port", "8080"]');
    expect(r.changes.some((c) => c.ruleId === 'RUST-CMD' && /compiled the project at every start/.test(c.message))).toBe(true);
  });

  test('cargo run after a matching cargo build uses that build; default-run picks the binary', () => {
    const files = { ...APP, 'Cargo.toml': MANIFEST('app', 'default-run = "tool"'), 'src/bin/tool.rs': '' };
    const r = rewrite('FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD ["cargo", "run", "--release"]\n', files);
    expect(r.output.match(/cargo build/g)).toHaveLength(1);
    expect(r.output).toContain('cp /app/target/release/tool /out/');
    expect(r.output).toContain('CMD ["/usr/local/bin/tool"]');
  });

  test('a workspace package chosen with -p, its [[bin]] renamed', () => {
    const files = {
      'Cargo.toml': '[workspace]\nmembers = ["lib", "srv"]\n',
      'lib/Cargo.toml': MANIFEST('lib'),
      'lib/src/lib.rs': '',
      'srv/Cargo.toml': MANIFEST('srv', '\n[[bin]]\nname = "srv-bin"\npath = "src/main.rs"\n'),
      'srv/src/main.rs': '',
      'Cargo.lock': LOCK('lib', 'srv'),
    };
    const r = rewrite('FROM rust:1\nWORKDIR /w\nCOPY . .\nRUN cargo build --release -p srv\nCMD ["./target/release/srv-bin"]\n', files);
    expect(r.output).toContain('cargo build --release -p srv --locked');
    expect(r.output).toContain('cp /w/target/release/srv-bin /out/');
    expect(r.output).toContain('COPY --from=build /out/srv-bin /usr/local/bin/srv-bin');
    expect(r.output).not.toMatch(/COPY --from=build \/w\/(lib|srv)\b/);
  });

  test.each([
    ['a name no cargo build produces', NAIVE.replace('release/app', 'release/other'), /not a binary the cargo build produces \(app, tool\)/],
    ['cargo run of a package with several binaries and no default-run', 'FROM rust:1\nWORKDIR /app\nCOPY . .\nCMD ["cargo", "run"]\n', /ambiguous: .*\(app, tool\)/],
    ['cargo run with a toolchain', 'FROM rust:1\nWORKDIR /app\nCOPY . .\nCMD ["cargo", "+nightly", "run"]\n', /selects a toolchain/],
    ['no CMD', NAIVE.replace('CMD ["./target/release/app"]\n', ''), /no CMD or ENTRYPOINT/],
    ['a CMD with a variable', NAIVE.replace('CMD ["./target/release/app"]', 'CMD ./target/release/app --port $PORT'), /not a literal command/],
  ])('declines on %s', (_name, dockerfile, reason) => {
    const r = rewrite(dockerfile, { ...APP, 'src/bin/tool.rs': '' });
    expect(r.skipped).toMatch(reason);
    expect(r.output).toBe(dockerfile);
  });
});

describe('build stage: --locked and cache mounts', () => {
  test('--locked when Cargo.lock is present, in sync and copied; registry and target cache mounts, binary copied out', () => {
    const build = stageOf(rewrite(NAIVE).output, 'build');
    expect(build).toContain('FROM rust:1.80 AS build');
    expect(build).toContain('--mount=type=cache,target=/usr/local/cargo/registry');
    expect(build).toContain('--mount=type=cache,target=/app/target');
    expect(build).toMatch(/cargo build --release --locked \\\n {4}&& mkdir -p \/out && cp \/app\/target\/release\/app \/out\//);
  });

  test.each([
    ['no lockfile', { 'Cargo.toml': MANIFEST(), 'src/main.rs': '' }, NAIVE, /no Cargo\.lock/],
    ['an out-of-date lockfile', { ...APP, 'Cargo.toml': MANIFEST() + 'serde = "1"\n' }, NAIVE, /out of date/],
    ['a lockfile that is not copied', APP, NAIVE.replace('COPY . .', 'COPY Cargo.toml ./\nCOPY src ./src'), /not copied/],
  ])('no --locked with %s, and a finding', (_name, files, dockerfile, finding) => {
    const r = rewrite(dockerfile, files);
    expect(r.skipped).toBeUndefined();
    expect(r.output).not.toContain('--locked');
    expect(r.findings.some((f) => f.ruleId === 'RUST-LOCKED' && finding.test(f.message))).toBe(true);
  });

  test('the dummy main.rs layer keeps target/ in the layers: registry mount only, steps as written', () => {
    const df = 'FROM rust:1\nWORKDIR /app\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo "fn main() {}" > src/main.rs\nRUN cargo build --release && rm -rf src\nCOPY . .\nRUN touch src/main.rs && cargo build --release\nCMD ["./target/release/app"]\n';
    const r = rewrite(df);
    expect(r.skipped).toBeUndefined();
    const build = stageOf(r.output, 'build');
    expect(build).toContain('RUN mkdir src && echo "fn main() {}" > src/main.rs');
    expect(build).not.toContain('target=/app/target');
    expect(build.match(/--mount=type=cache,target=\/usr\/local\/cargo\/registry/g)).toHaveLength(2);
    expect(stageOf(r.output, 'runtime')).toContain('COPY --from=build /app/target/release/app /usr/local/bin/app');
  });

  test('a placeholder project (cargo new) before the real build: registry mount only', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /src\nRUN USER=root cargo new --bin app\nWORKDIR /src/app\nCOPY Cargo.toml Cargo.lock ./\nRUN cargo build --release\nCOPY src ./src\nRUN cargo build --release\nCMD ["./target/release/app"]\n');
    expect(r.skipped).toBeUndefined();
    expect(r.output).toContain('RUN USER=root cargo new --bin app');
    expect(r.output).not.toContain('target=/src/app/target');
  });

  test('mkdir and mv in the build RUN, then cargo clean: the binary comes from where it was moved', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /app\nADD . /app\nRUN cargo build --release --bin app && mkdir -p /app/bin && mv /app/target/release/app /app/bin/app && cargo clean\nCMD ["/app/bin/app"]\n');
    expect(r.skipped).toBeUndefined();
    expect(stageOf(r.output, 'runtime')).toContain('COPY --from=build /app/bin/app /usr/local/bin/app');
  });

  test('cargo install --path builds in the package target/: a cache mount, the binary taken from $CARGO_HOME/bin', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo install --path .\nCMD ["app", "."]\n', { ...APP, 'static/a': '' });
    const build = stageOf(r.output, 'build');
    expect(build).toContain('--mount=type=cache,target=/usr/src/app/target');
    expect(build).not.toContain('/out');
    const rt = stageOf(r.output, 'runtime');
    expect(rt).toContain('COPY --from=build /usr/local/cargo/bin/app /usr/local/bin/app');
    // The command serves the working directory: all of it, and target/ is only a mount point there.
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /usr/src/app /usr/src/app');
  });

  test('cargo install --path of a workspace member uses the workspace target/', () => {
    const files = { 'Cargo.toml': '[workspace]\nmembers = ["cli"]\n', 'cli/Cargo.toml': MANIFEST('cli'), 'cli/src/main.rs': '', 'Cargo.lock': LOCK('cli') };
    const r = rewrite('FROM rust:1\nWORKDIR /w\nCOPY . .\nRUN cargo install --path cli\nCMD ["cli"]\n', files);
    expect(r.output).toContain('--mount=type=cache,target=/w/target');
  });

  test('tools installed from a registry stay in the build stage', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /app\nRUN cargo install cargo-chef --locked\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n');
    expect(r.skipped).toBeUndefined();
    expect(stageOf(r.output, 'build')).toContain('RUN cargo install cargo-chef --locked');
    expect(stageOf(r.output, 'runtime')).not.toContain('cargo-chef');
  });

  test.each([
    ['--features $FEATURES', undefined],
    ['--features="$FEATURES"', undefined],
    ['--bin $BIN', /shell expansion \(\$BIN\)/],
    ['$CARGO_FLAGS', /shell expansion \(\$CARGO_FLAGS\)/],
  ])('an expansion in cargo build: %s', (flags, reason) => {
    const r = rewrite(NAIVE.replace('cargo build --release', `cargo build --release ${flags}`).replace('COPY', 'ARG FEATURES\nARG BIN\nARG CARGO_FLAGS\nCOPY'));
    if (reason) expect(r.skipped).toMatch(reason);
    else {
      expect(r.skipped).toBeUndefined();
      expect(r.output).toContain(`cargo build --release ${flags} --locked`);
    }
  });

  test('a later step that reads target/ keeps it out of a cache mount', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nRUN strip target/release/app\nCMD ["./target/release/app"]\n');
    expect(r.output).not.toContain('target=/app/target');
    expect(r.output).toContain('RUN strip target/release/app');
  });

  test('a debug build is kept as it is, with a finding', () => {
    const r = rewrite(NAIVE.replace('cargo build --release', 'cargo build').replace('release/app', 'debug/app'));
    expect(r.output).toContain('cargo build --locked');
    expect(r.findings.some((f) => f.ruleId === 'RUST-PROFILE')).toBe(true);
  });

  test('git dependencies get their own cache mount', () => {
    const r = rewrite(NAIVE, { ...APP, 'Cargo.lock': LOCK('app', 'dep@git+https://example.com/dep#abc') });
    expect(r.output).toContain('--mount=type=cache,target=/usr/local/cargo/git/db');
  });
});

describe('runtime base', () => {
  const withLock = (...pkgs: string[]) => ({ ...APP, 'Cargo.lock': LOCK('app', ...pkgs.map((p) => `${p}@${REG}`)) });
  test.each([
    ['std only', APP, {}, 'gcr.io/distroless/cc-debian13:nonroot'],
    ['openssl-sys (libssl3 is in distroless cc)', withLock('openssl-sys'), {}, 'gcr.io/distroless/cc-debian13:nonroot'],
    ['pq-sys needs libpq5', withLock('pq-sys'), {}, 'debian:bookworm-slim'],
    ['requested slim', APP, { runtime: 'slim' }, 'debian:bookworm-slim'],
    ['requested scratch, std only', APP, { runtime: 'scratch' }, 'scratch'],
    ['requested scratch, vendored OpenSSL', withLock('openssl-sys', 'openssl-src'), { runtime: 'scratch' }, 'scratch'],
    ['requested scratch with system OpenSSL: not static, cc', withLock('openssl-sys'), { runtime: 'scratch' }, 'gcr.io/distroless/cc-debian13:nonroot'],
  ] as [string, Record<string, string>, OptimizeOptions, string][])('%s -> %s', (_name, files, opts, image) => {
    const r = rewrite(NAIVE, files, opts);
    expect(r.skipped).toBeUndefined();
    expect(r.runtimeBase).toBe(image);
    expect(stageOf(r.output, 'runtime')).toContain('USER 65532:65532');
  });

  test('a slim runtime installs the libraries the binary links', () => {
    const r = rewrite(NAIVE, withLock('pq-sys'));
    expect(stageOf(r.output, 'runtime')).toContain('apt-get install -y --no-install-recommends libpq5');
  });

  test.each([
    ['rust:1.80-bookworm', 'debian:bookworm-slim'],
    ['rust:1.80-slim-bullseye', 'debian:bullseye-slim'],
    ['rust:1.80', 'debian:bookworm-slim'],
    ['rust:1.90', 'debian:trixie-slim'],
    ['rust:1', 'debian:trixie-slim'],
    ['rust:latest', 'debian:trixie-slim'],
  ])('a slim runtime on the builder\'s Debian release: %s -> %s', (image, slim) => {
    expect(rewrite(NAIVE.replace('rust:1.80', image), APP, { runtime: 'slim' }).runtimeBase).toBe(slim);
  });

  test('scratch: musl target, static binary, CA certificates, musl-tools when C is compiled', () => {
    const r = rewrite(NAIVE, withLock('cc'), { runtime: 'scratch' });
    const build = stageOf(r.output, 'build');
    expect(build).toContain('rustup target add "$(uname -m)-unknown-linux-musl"');
    expect(build).toContain('apt-get install -y --no-install-recommends musl-tools');
    expect(build).toContain('cargo build --release --locked --target "$(uname -m)-unknown-linux-musl"');
    expect(build).toContain('cp /app/target/$(uname -m)-unknown-linux-musl/release/app /out/');
    const rt = stageOf(r.output, 'runtime');
    expect(rt).toContain('COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt');
    expect(r.findings.filter((f) => f.ruleId === 'RUST-MUSL-STATIC')).toEqual([]);
  });

  test('scratch with cargo install: the musl target is passed to the install', () => {
    const r = rewrite('FROM rust:1\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo install --path .\nCMD ["app"]\n', APP, { runtime: 'scratch' });
    expect(r.output).toContain('cargo install --path . --locked --target "$(uname -m)-unknown-linux-musl"');
    expect(r.output).toContain('COPY --from=build /usr/local/cargo/bin/app /usr/local/bin/app');
  });

  test('slim with system OpenSSL installs libssl and the CA bundle of the builder\'s release', () => {
    const r = rewrite(NAIVE, withLock('openssl-sys', 'pq-sys'));
    expect(r.runtimeBase).toBe('debian:bookworm-slim');
    expect(r.output).toContain('apt-get install -y --no-install-recommends libssl3 libpq5 ca-certificates');
    const t = rewrite(NAIVE.replace('rust:1.80', 'rust:1'), withLock('openssl-sys', 'pq-sys'));
    expect(t.output).toContain('libssl3t64 libpq5 ca-certificates');
  });

  test('scratch refused with system OpenSSL says why', () => {
    const r = rewrite(NAIVE, withLock('openssl-sys'), { runtime: 'scratch' });
    expect(r.findings.some((f) => f.ruleId === 'RUST-MUSL-STATIC' && /openssl-sys/.test(f.message))).toBe(true);
  });

  test('an alpine (musl) builder: static binary on distroless static; with system OpenSSL it declines', () => {
    const alpine = NAIVE.replace('rust:1.80', 'rust:1.80-alpine');
    expect(rewrite(alpine).runtimeBase).toBe('gcr.io/distroless/static-debian13:nonroot');
    expect(rewrite(alpine, withLock('openssl-sys')).skipped).toMatch(/musl build .*openssl-sys/);
  });

  test('an unknown native library declines', () => {
    expect(rewrite(NAIVE, withLock('libfoo-sys')).skipped).toMatch(/native libraries \(libfoo-sys\)/);
  });

  test('a HEALTHCHECK that runs the app binary follows it to its new path, on distroless', () => {
    const r = rewrite(NAIVE.replace('EXPOSE 8080', 'EXPOSE 8080\nHEALTHCHECK --interval=30s --timeout=3s CMD ["./target/release/app", "--health"]'));
    expect(r.runtimeBase).toBe('gcr.io/distroless/cc-debian13:nonroot');
    expect(r.output).toContain('HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/app", "--health"]');
    expect(rewrite(NAIVE.replace('EXPOSE 8080', 'EXPOSE 8080\nHEALTHCHECK CMD ./target/release/app --health || exit 1')).skipped).toMatch(/HEALTHCHECK at line \d+ runs a binary from target/);
  });

  test('a curl HEALTHCHECK moves to slim with curl installed', () => {
    const r = rewrite(NAIVE.replace('EXPOSE 8080', 'EXPOSE 8080\nHEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1'));
    expect(r.runtimeBase).toBe('debian:bookworm-slim');
    expect(r.output).toContain('apt-get install -y --no-install-recommends curl ca-certificates');
    expect(r.output).toContain('HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1');
  });
});

describe('files beside the binary', () => {
  const files = { ...APP, 'static/index.html': '<h1>hi</h1>', 'config.toml': 'a = 1', 'tests/it.rs': '', 'README.md': '#', 'benches/b.rs': '', 'build.rs': '' };
  test('assets kept, sources and tooling files left out', () => {
    const r = rewrite(NAIVE, files);
    const rt = stageOf(r.output, 'runtime');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /app/static ./static');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /app/config.toml ./config.toml');
    for (const e of ['src', 'tests', 'README.md', 'benches', 'build.rs', 'Cargo.toml']) expect(rt).not.toContain(`/app/${e} `);
  });

  test('a path the command names is kept even when it looks build-only', () => {
    const rt = stageOf(rewrite(NAIVE.replace('"./target/release/app"', '"./target/release/app", "--dir", "tests"'), files).output, 'runtime');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /app/tests ./tests');
  });

  test('a command that names the working directory keeps everything', () => {
    const rt = stageOf(rewrite(NAIVE.replace('"./target/release/app"', '"./target/release/app", "."'), files).output, 'runtime');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /app /app');
  });

  test('entries the .dockerignore drops are not copied into the runtime', () => {
    const rt = stageOf(rewrite(NAIVE, { ...files, '.dockerignore': 'target\n.git\nconfig.toml\n' }).output, 'runtime');
    expect(rt).not.toContain('config.toml');
    expect(rt).toContain('./static');
  });

  test.each([
    ['COPY static ./static', 'COPY --from=build --chown=65532:65532 /app/static ./static'],
    ['COPY static/ /app/', 'COPY --from=build --chown=65532:65532 /app/index.html ./index.html'],
    ['COPY conf.toml /etc/app/app.toml', 'COPY --from=build --chown=65532:65532 /etc/app/app.toml /etc/app/app.toml'],
    ['COPY *.toml ./', 'COPY --from=build --chown=65532:65532 /app/conf.toml ./conf.toml'],
  ])('where copied files land (Docker semantics): %s', (copy, expected) => {
    const files = { ...APP, 'static/index.html': '', 'conf.toml': '' };
    const r = rewrite(`FROM rust:1\nWORKDIR /app\nCOPY Cargo.toml Cargo.lock ./\nCOPY src ./src\n${copy}\nRUN cargo build --release\nCMD ["./target/release/app"]\n`, files);
    expect(r.skipped).toBeUndefined();
    const rt = stageOf(r.output, 'runtime');
    expect(rt).toContain(expected);
    expect(rt).not.toMatch(/Cargo\.toml|\/src\b/);
  });

  test('COPY before WORKDIR: the files are found where they were copied', () => {
    const r = rewrite('FROM rust:1\nCOPY . /code\nWORKDIR /code\nRUN cargo build --release\nCMD ["./target/release/app"]\n', { ...APP, 'static/a': '' });
    expect(r.skipped).toBeUndefined();
    const rt = stageOf(r.output, 'runtime');
    expect(rt).toContain('WORKDIR /code');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /code/static ./static');
    expect(r.output).toContain('--mount=type=cache,target=/code/target');
  });

  test('workspace crate directories: sources left out, other files in them kept', () => {
    const ws = {
      'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\n',
      'crates/web/Cargo.toml': MANIFEST('web'),
      'crates/web/src/main.rs': '',
      'crates/web/templates/a.html': '',
      'Cargo.lock': LOCK('web'),
    };
    const rt = stageOf(rewrite('FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/web"]\n', ws).output, 'runtime');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /app/crates/web/templates ./crates/web/templates');
    expect(rt).not.toContain('crates/web/src');
  });
});

describe('faithfulness', () => {
  const df = [
    '# Service image',
    'ARG RUST_VERSION=1.80',
    'FROM rust:1.80',
    'LABEL org.opencontainers.image.title="app"',
    'ARG FEATURES',
    'ENV RUST_LOG=info',
    'WORKDIR /app',
    '# sources',
    'COPY . .',
    '# release build',
    'RUN cargo build --release',
    'EXPOSE 8080',
    'STOPSIGNAL SIGINT',
    'USER nobody',
    '# start',
    'CMD ["./target/release/app"]',
    '',
  ].join('\n');

  test('comments, ARG, ENV, LABEL, EXPOSE, STOPSIGNAL kept; the build keeps its ARG/ENV', () => {
    const r = rewrite(df);
    expect(r.output.startsWith('# Service image\nARG RUST_VERSION=1.80\n')).toBe(true);
    const build = stageOf(r.output, 'build');
    expect(build).toContain('ARG FEATURES\nENV RUST_LOG=info');
    expect(build).toContain('# release build\nRUN --mount');
    const rt = stageOf(r.output, 'runtime');
    for (const l of ['LABEL org.opencontainers.image.title="app"', 'ARG FEATURES', 'ENV RUST_LOG=info', 'EXPOSE 8080', 'STOPSIGNAL SIGINT', '# start']) expect(rt).toContain(l);
    expect(r.changes.some((c) => c.ruleId === 'RUST-NONROOT' && /instead of 'nobody'/.test(c.message))).toBe(true);
  });

  test('CRLF line endings are kept', () => {
    const r = rewrite(df.replace(/\n/g, '\r\n'));
    expect(r.output).toContain('\r\n');
    expect(r.output.replace(/\r\n/g, '')).not.toContain('\n');
  });

  test.each([
    ['default', {}],
    ['scratch', { runtime: 'scratch' }],
    ['slim', { runtime: 'slim' }],
  ] as [string, OptimizeOptions][])('a second run changes nothing (%s)', (_name, opts) => {
    const dir = context({ ...APP, 'static/x': '' });
    const first = optimizeText(df, path.join(dir, 'Dockerfile'), opts);
    for (const sf of first.sideFiles) fs.writeFileSync(sf.path, sf.output);
    const again = optimizeText(first.output, path.join(dir, 'Dockerfile'), opts);
    expect(again.changed).toBe(false);
    expect(again.stack).toBe('rust');
  });

  test('never a syntax directive', () => {
    expect(rewrite(NAIVE).output).not.toMatch(/^# *syntax=/m);
  });
});

describe('declines', () => {
  test.each([
    ['no cargo build', 'FROM rust:1\nWORKDIR /app\nCOPY . .\nCMD ["./target/release/app"]\n', /no cargo build/],
    ['a RUN after the build whose effect is unknown', NAIVE.replace('EXPOSE', 'RUN ./target/release/app --migrate\nEXPOSE'), /not a build step/],
    ['cd inside RUN', NAIVE.replace('cargo build --release', 'cd /app && cargo build --release'), /'cd'/],
    ['a CMD that runs a tool installed from a registry', 'FROM rust:1\nCOPY . .\nRUN cargo install ripgrep && cargo build --release\nCMD ["ripgrep"]\n', /runs a tool installed with 'cargo install ripgrep'/],
    ['cargo install without --path (the old form)', 'FROM rust:1\nCOPY . .\nRUN cargo install\nCMD ["app"]\n', /not the project/],
    ['files written after the build', NAIVE.replace('EXPOSE', 'RUN mkdir -p /data && touch /data/db\nEXPOSE'), /changes files after the build/],
    ['ADD of a URL', NAIVE.replace('COPY . .', 'COPY . .\nADD https://example.com/x.tar.gz /x'), /fetches a URL/],
  ])('%s', (_name, dockerfile, reason) => {
    const r = rewrite(dockerfile);
    expect(r.skipped).toMatch(reason);
    expect(r.output).toBe(dockerfile);
    expect(r.findings.some((f) => f.ruleId === 'RUST-DECLINED')).toBe(true);
  });

  test('an invalid Cargo.toml names the file and line', () => {
    const r = rewrite(NAIVE, { ...APP, 'Cargo.toml': '[package]\nname = "app"\nversion = \n' });
    expect(r.skipped).toMatch(/^Cargo\.toml:\d+ is not valid TOML/);
  });

  test('a multi-stage file is left alone', () => {
    const df = 'FROM rust:1 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nFROM gcr.io/distroless/cc-debian13:nonroot\nCOPY --from=build /app/target/release/app /app\nCMD ["/app"]\n';
    const r = rewrite(df);
    expect(r.stack).toBe('rust');
    expect(r.skipped).toBe('already multi-stage');
    expect(r.output).toBe(df);
  });

  test('detection: Cargo.toml and cargo in RUN on another base image', () => {
    const r = rewrite('FROM debian:bookworm\nRUN apt-get update && apt-get install -y cargo\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n');
    expect(r.stack).toBe('rust');
    expect(r.skipped).toMatch(/not an official rust image/);
  });
});

describe('the runtime user owns the folder and files where the original ran as root', () => {
  const files = { ...APP, 'static/index.html': '<h1>hi</h1>' };
  const lines = (r: FileResult) => stageOf(r.output, 'runtime').split('\n');
  test.each<[string, string, OptimizeOptions, string[], string[]]>([
    ['no USER: 65532 comes before WORKDIR and gets the copied files, not the binary', NAIVE, {}, ['USER 65532:65532', 'WORKDIR /app', 'COPY --from=build /out/app /usr/local/bin/app', 'COPY --from=build --chown=65532:65532 /app/static ./static'], []],
    ['a named non-root original could not write root files: none are given, the user stays at the end', NAIVE.replace('CMD', 'USER app\nCMD'), {}, ['WORKDIR /app', 'COPY --from=build /app/static ./static', 'USER 65532:65532'], ['--chown']],
    ['slim: the packages are installed as root first', NAIVE.replace('EXPOSE 8080', 'EXPOSE 8080\nHEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1'), {}, ['RUN apt-get update', 'USER 65532:65532', 'WORKDIR /app'], []],
  ])('%s', (_name, dockerfile, opts, inOrder, absent) => {
    const rt = lines(rewrite(dockerfile, files, opts));
    const at = inOrder.map((l) => rt.findIndex((x) => x.startsWith(l)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((x, y) => x - y));
    for (const a of absent) expect(rt.join('\n')).not.toContain(a);
  });
});
