/**
 * The Go transform: facts read from go.mod and the sources, and the decisions of the rewrite, as
 * tables of cases. Each case builds a small build context in a temporary directory and runs the
 * whole pipeline.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { BuildContext } from '../../src/stack/context';
import type { FileResult, OptimizeOptions } from '../../src/types';
import { binaryName, mergeLdflags } from './index';
import { parseGoMod, parseGoWork, readGoFacts, scanGoSource } from './facts';
import { RULES as CROSS_CUTTING } from '../common/rules';

/** The case tables test the transform's own decisions: the cross-cutting rules are off here (test/lint has theirs). */
const TRANSFORM_ONLY = CROSS_CUTTING.map((r) => r.id);

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-go-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const MAIN = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n';
const GOMOD = (go = '1.22', extra = '') => `module example.com/app\n\ngo ${go}\n${extra}`;

function rewrite(dockerfile: string, files: Record<string, string> = {}, opts: OptimizeOptions = {}): FileResult {
  const dir = context({ 'go.mod': GOMOD(), 'main.go': MAIN, ...files });
  return optimizeText(dockerfile, path.join(dir, 'Dockerfile'), { disable: TRANSFORM_ONLY, ...opts });
}

const NAIVE = 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nEXPOSE 8080\nCMD ["./server"]\n';

/** The lines of the stage named `name` (FROM line excluded). */
function stage(r: FileResult, name: string): string[] {
  const lines = r.output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('FROM ') && l.endsWith(` AS ${name}`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== '');
}

function fromOf(r: FileResult, name: string): string | undefined {
  return r.output.split('\n').find((l) => l.startsWith('FROM ') && l.endsWith(` AS ${name}`))?.replace(/^FROM (\S+) AS .*$/, '$1');
}

describe('go.mod, go.work and sources read as data', () => {
  test.each([
    ['module example.com/x\ngo 1.22\n', { module: 'example.com/x', go: '1.22', toolchain: null, requires: [] }],
    ['module "example.com/q" // quoted\n\ngo 1.21.5\ntoolchain go1.22.3\n', { module: 'example.com/q', go: '1.21.5', toolchain: '1.22.3', requires: [] }],
    ['module m\ngo 1.22\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v0.1.0 // indirect\n)\nrequire github.com/e/f v2.0.0\n', { module: 'm', go: '1.22', toolchain: null, requires: ['github.com/a/b', 'github.com/c/d', 'github.com/e/f'] }],
  ])('%j', (text, expected) => {
    expect(parseGoMod(text)).toEqual(expected);
  });

  test('go.work use directives, single and block', () => {
    expect(parseGoWork('go 1.22\nuse ./api\nuse (\n\t./lib // shared\n\t"./tools"\n)\n')).toEqual(['api', 'lib', 'tools']);
  });

  test.each([
    ['package main\nimport "C"\nfunc main(){}', 'main', ['C']],
    ['// package fake\npackage server\nimport (\n  "fmt"\n  x "os"\n  _ "embed"\n)\nvar s = `/*`', 'server', ['fmt', 'os', 'embed']],
    ['/* import "C" */ package main\nimport . "strings"\nfunc main(){ _ = "import \\"C\\"" }', 'main', ['strings']],
  ])('package clause and imports of %j', (src, pkg, imports) => {
    const s = scanGoSource(src);
    expect(s.pkg).toBe(pkg);
    expect(s.imports).toEqual(imports);
  });

  test('string literals and //go:embed patterns', () => {
    const s = scanGoSource('package main\nimport "embed"\n//go:embed static/* "web files" all:assets\nvar fs embed.FS\nfunc main(){ open("templates/index.html"); r := \'"\'; _ = r }\n');
    expect(s.embeds).toEqual(['static/*', 'web files', 'assets']);
    expect(s.strings).toContain('templates/index.html');
  });

  test('facts: main packages, cgo files and cgo modules, vendor', () => {
    const dir = context({
      'go.mod': GOMOD('1.22', 'require github.com/mattn/go-sqlite3 v1.14.22\n'),
      'cmd/api/main.go': MAIN,
      'cmd/worker/main.go': MAIN,
      'internal/db/db.go': 'package db\n\n// #include <stdio.h>\nimport "C"\n',
      'internal/db/db_test.go': 'package main\n',
      'vendor/modules.txt': '# github.com/mattn/go-sqlite3 v1.14.22\n',
      'vendor/github.com/x/main.go': MAIN,
    });
    const f = readGoFacts(new BuildContext(dir));
    expect(f.mainPackages).toEqual(['cmd/api', 'cmd/worker']);
    expect(f.cgoFiles).toEqual(['internal/db/db.go']);
    expect(f.cgoModules).toEqual(['github.com/mattn/go-sqlite3']);
    expect(f.vendor).toBe(true);
  });

  test.each([
    ['.', 'example.com/app', 'app'],
    ['./', 'example.com/app/v2', 'app'],
    ['./cmd/server', 'example.com/app', 'server'],
    ['./cmd/server/', null, 'server'],
    ['main.go', 'example.com/app', 'main'],
    ['github.com/x/tool/cmd/migrate@v4.1.0', null, 'migrate'],
    ['github.com/x/tool/v3@latest', null, 'tool'],
  ])('binary name of %s in %s is %s', (pkg, mod, name) => {
    expect(binaryName(pkg, mod)).toBe(name);
  });

  test.each([
    [null, '"-s -w"'],
    [{ text: '"-X main.version=$VERSION"', literal: null }, '"-s -w -X main.version=$VERSION"'],
    [{ text: "'-w -X main.v=1'", literal: '-w -X main.v=1' }, '"-s -w -X main.v=1"'],
    [{ text: '"-s -w"', literal: '-s -w' }, '"-s -w"'],
    [{ text: '-X=main.v=1', literal: '-X=main.v=1' }, '"-s -w -X=main.v=1"'],
  ])('ldflags %j merged into %s', (value, out) => {
    expect(mergeLdflags(value)).toBe(out);
  });
});

describe('the build stage', () => {
  test('go.mod/go.sum and go mod download in their own cached layer before the sources', () => {
    const r = rewrite(NAIVE, { 'go.sum': '' });
    const b = stage(r, 'build');
    const copyMods = b.indexOf('COPY go.mod go.sum ./');
    const download = b.indexOf('RUN --mount=type=cache,target=/go/pkg/mod go mod download');
    const copyAll = b.indexOf('COPY . .');
    expect(copyMods).toBeGreaterThan(-1);
    expect(download).toBeGreaterThan(copyMods);
    expect(copyAll).toBeGreaterThan(download);
    expect(b.join('\n')).toContain('--mount=type=cache,target=/root/.cache/go-build');
    expect(b.join('\n')).toContain('CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o server .');
  });

  test('an original go mod download and manifest copy are replaced, not repeated', () => {
    const r = rewrite('FROM golang:1.22\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n', { 'go.sum': '' });
    const b = stage(r, 'build').join('\n');
    expect(b.match(/go mod download/g)).toHaveLength(1);
    expect(b.match(/COPY go\.mod go\.sum/g)).toHaveLength(1);
  });

  test("Docker's guide layout: COPY *.go, go build without a package, CGO_ENABLED=0 prefix kept", () => {
    const r = rewrite('FROM golang:1.22\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY *.go ./\nRUN CGO_ENABLED=0 GOOS=linux go build -o /docker-gs-ping\nEXPOSE 8080\nCMD ["/docker-gs-ping"]\n', { 'go.sum': '' });
    const b = stage(r, 'build');
    expect(b.filter((l) => l.startsWith('COPY'))).toEqual(['COPY go.mod go.sum ./', 'COPY *.go ./']);
    expect(b.join('\n')).toContain('CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o /docker-gs-ping');
    expect(b.join('\n')).not.toContain('CGO_ENABLED=0 CGO_ENABLED=0');
    const rt = stage(r, 'runtime');
    expect(rt).toContain('COPY --from=build /docker-gs-ping /docker-gs-ping');
    expect(rt.join('\n')).not.toMatch(/\.go\b/);
  });

  test('the original flags survive: tags, ldflags -X with its ARG carried into the builder', () => {
    const r = rewrite('FROM golang:1.22\nARG VERSION=dev\nWORKDIR /app\nCOPY . .\nRUN GOOS=linux go build -tags netgo,osusergo -ldflags="-X main.version=${VERSION}" -o /bin/app ./cmd/app\nCMD ["/bin/app"]\n', { 'cmd/app/main.go': MAIN });
    const b = stage(r, 'build');
    expect(b).toContain('ARG VERSION=dev');
    const run = b.join('\n');
    expect(run).toContain('CGO_ENABLED=0 GOOS=linux go build -trimpath -tags netgo,osusergo -ldflags "-s -w -X main.version=${VERSION}" -o /bin/app ./cmd/app');
    expect(stage(r, 'runtime')).toContain('COPY --from=build /bin/app /bin/app');
  });

  test('vendor/: no download layer, -mod=vendor', () => {
    const r = rewrite(NAIVE, { 'vendor/modules.txt': '' });
    const b = stage(r, 'build').join('\n');
    expect(b).not.toContain('go mod download');
    expect(b).toContain('go build -trimpath -mod=vendor');
  });

  test('go.work: the workspace and its modules\' manifests are copied before the download', () => {
    const dir = context({ 'go.work': 'go 1.22\nuse (\n\t./api\n\t./lib\n)\n', 'api/go.mod': 'module example.com/api\ngo 1.22\n', 'api/go.sum': '', 'lib/go.mod': 'module example.com/lib\ngo 1.22\n', 'api/main.go': MAIN, 'lib/lib.go': 'package lib\n' });
    const r = optimizeText('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./api\nCMD ["/out/api"]\n', path.join(dir, 'Dockerfile'));
    const b = stage(r, 'build');
    expect(b).toContain('COPY go.work ./');
    expect(b).toContain('COPY api/go.mod api/go.sum ./api/');
    expect(b).toContain('COPY lib/go.mod ./lib/');
    expect(b.indexOf('COPY lib/go.mod ./lib/')).toBeLessThan(b.findIndex((l) => l.includes('go mod download')));
    const bumped = optimizeText('FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./api\nCMD ["/out/api"]\n', path.join(dir, 'Dockerfile'));
    expect(fromOf(bumped, 'build')).toBe('golang:1.22');
  });

  test('a module in a subdirectory copied into WORKDIR (COPY backend/ .)', () => {
    const dir = context({ 'backend/go.mod': GOMOD('1.22'), 'backend/go.sum': '', 'backend/main.go': 'package main\nfunc main(){ _ = "templates/*.html" }\n', 'backend/templates/index.html': '', 'frontend/package.json': '{}' });
    const r = optimizeText('FROM golang:1.22\nWORKDIR /app\nCOPY backend/ .\nRUN go build -o server .\nCMD ["./server"]\n', path.join(dir, 'Dockerfile'));
    expect(r.skipped).toBeUndefined();
    const b = stage(r, 'build');
    expect(b).toContain('COPY backend/go.mod backend/go.sum ./');
    expect(b.indexOf('COPY backend/go.mod backend/go.sum ./')).toBeLessThan(b.indexOf('COPY backend/ .'));
    const rt = stage(r, 'runtime');
    expect(rt).toContain('COPY --from=build --chown=65532:65532 /app/templates /app/templates');
    expect(rt.join('\n')).not.toContain('frontend');
  });

  test.each([
    ['golang:1.22', '1.22', 'golang:1.22'],
    ['golang:1.23', '1.21', 'golang:1.23'],
    ['golang:1.21', '1.22', 'golang:1.22'],
    ['golang:1.21-bookworm', '1.23.4', 'golang:1.23-bookworm'],
    ['golang:1.21-alpine', '1.22', 'golang:1.22-alpine'],
    ['golang:latest', '1.22', 'golang:latest'],
    ['golang:1', '1.21', 'golang:1'],
  ])('builder for %s with go.mod go %s is %s', (from, go, builder) => {
    const r = rewrite(NAIVE.replace('golang:1.22', from), { 'go.mod': GOMOD(go) });
    expect(fromOf(r, 'build')).toBe(builder);
  });

  test('a toolchain line decides the builder minor', () => {
    const r = rewrite(NAIVE.replace('golang:1.22', 'golang:1.21'), { 'go.mod': GOMOD('1.21', 'toolchain go1.23.2\n') });
    expect(fromOf(r, 'build')).toBe('golang:1.23');
    expect(r.changes.some((c) => c.ruleId === 'GO-BUILDER')).toBe(true);
  });
});

describe('which program runs and how', () => {
  test.each([
    ['CMD ["./server"] with WORKDIR', NAIVE, 'CMD ["/app/server"]', '/app/server'],
    ['shell-form CMD', NAIVE.replace('CMD ["./server"]', 'CMD ./server --port 8080'), 'CMD ["/app/server", "--port", "8080"]', '/app/server'],
    ['go install found through PATH', 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install .\nCMD ["app"]\n', 'CMD ["/go/bin/app"]', '/go/bin/app'],
    ['go install of cmd/<name> with ENTRYPOINT', 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/api\nENTRYPOINT ["api"]\nCMD ["--verbose"]\n', 'ENTRYPOINT ["/go/bin/api"]', '/go/bin/api'],
    ['go build without -o names the binary after the module', 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build\nCMD ["./app"]\n', 'CMD ["/app/app"]', '/app/app'],
    ['-o into a directory', 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o bin/ ./cmd/...\nCMD ["bin/api"]\n', 'CMD ["/app/bin/api"]', '/app/bin/api'],
    ['go run becomes a build', 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD ["go", "run", ".", "-addr", ":8080"]\n', 'CMD ["/usr/local/bin/app", "-addr", ":8080"]', '/usr/local/bin/app'],
  ])('%s', (_n, dockerfile, cmd, binary) => {
    const r = rewrite(dockerfile, { 'cmd/api/main.go': MAIN });
    expect(r.stagesAfter).toBe(2);
    const rt = stage(r, 'runtime');
    expect(rt).toContain(cmd);
    expect(rt).toContain(`COPY --from=build ${binary} ${binary}`);
    expect(rt).toContain('USER 65532:65532');
  });

  test.each([
    ['mv into a PATH directory', 'RUN go build -o app . && mv app /usr/local/bin/\nCMD ["app"]', '/usr/local/bin/app'],
    ['cp to a file, chmod in a later RUN', 'RUN go build -o app .\nRUN cp app /srv/server\nRUN chmod +x /srv/server\nCMD ["/srv/server"]', '/srv/server'],
  ])('the binary is followed through %s', (_n, tail, binary) => {
    const r = rewrite(`FROM golang:1.22\nWORKDIR /app\nCOPY . .\n${tail}\n`);
    expect(r.skipped).toBeUndefined();
    const rt = stage(r, 'runtime');
    expect(rt).toContain(`COPY --from=build ${binary} ${binary}`);
    expect(rt[rt.length - 1]).toBe(`CMD ["${binary}"]`);
    expect(stage(r, 'build').join('\n')).toMatch(/(mv|cp) app/);
  });

  test('a FROM tag set by an ARG with a default before FROM is read through the default and kept as written', () => {
    const r = rewrite('ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n');
    expect(r.output.startsWith('ARG GO_VERSION=1.22\n')).toBe(true);
    expect(fromOf(r, 'build')).toBe('golang:${GO_VERSION}');
    const bumped = rewrite('ARG GO_VERSION=1.21\nFROM golang:${GO_VERSION}\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n', { 'go.mod': GOMOD('1.23') });
    expect(fromOf(bumped, 'build')).toBe('golang:1.23');
  });

  test('ENTRYPOINT keeps the original CMD as its arguments', () => {
    const r = rewrite('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/api\nENTRYPOINT ["api"]\nCMD ["--verbose"]\n', { 'cmd/api/main.go': MAIN });
    expect(stage(r, 'runtime').slice(-2)).toEqual(['ENTRYPOINT ["/go/bin/api"]', 'CMD ["--verbose"]']);
  });

  test('tools installed with go install stay in the builder', () => {
    const r = rewrite('FROM golang:1.22\nWORKDIR /app\nRUN go install github.com/swaggo/swag/cmd/swag@v1.16.3\nCOPY . .\nRUN swag init && go build -o server .\nCMD ["./server"]\n');
    const rt = stage(r, 'runtime').join('\n');
    expect(rt).not.toContain('swag');
    expect(stage(r, 'build').join('\n')).toContain('swag init');
  });

  test.each([
    ['no CMD', 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\n', /no CMD/],
    ['CMD that needs a shell', NAIVE.replace('CMD ["./server"]', 'CMD ./server --port $PORT'), /needs a shell/],
    ['CMD of something not built', NAIVE.replace('CMD ["./server"]', 'CMD ["./other"]'), /no go build/],
    ['RUN after the build', NAIVE.replace('EXPOSE', 'RUN mkdir /data\nEXPOSE'), /after the build/],
    ['mv of something else after the build', NAIVE.replace('EXPOSE', 'RUN mv config /etc/app\nEXPOSE'), /after the build/],
    ['FROM set by an ARG without a default', 'ARG GO_IMAGE\nFROM ${GO_IMAGE}\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n', /without a default/],
    ['mkdir before the build', NAIVE.replace('COPY . .', 'RUN mkdir -p /data\nCOPY . .'), /file system/],
    ['HEALTHCHECK with curl', NAIVE + 'HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\n', /HEALTHCHECK/],
    ['already multi-stage', 'FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nFROM scratch\nCOPY --from=build /app/server /server\nCMD ["/server"]\n', /already multi-stage/],
    ['not the golang image', 'FROM debian:bookworm\nRUN apt-get install -y golang\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n', /not an official golang image/],
  ])('declines: %s', (_n, dockerfile, reason) => {
    const r = rewrite(dockerfile);
    expect(r.skipped).toMatch(reason);
    expect(r.output).toBe(dockerfile);
    expect(r.findings.some((f) => f.ruleId === 'GO-DECLINED')).toBe(true);
  });

  test.each([
    ['COPY --from=build /app/server /server\nCMD ["/server"]', ['GO-CA-CERTS', 'GO-NONROOT']],
    ['COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app/server /server\nUSER 65532:65532\nCMD ["/server"]', []],
  ])('an existing scratch stage is kept and checked for CA roots and a non-root user (%#)', (tail, rules) => {
    const df = `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nFROM scratch\n${tail}\n`;
    const r = rewrite(df);
    expect(r.output).toBe(df);
    expect(r.findings.filter((f) => f.ruleId !== 'GO-DECLINED').map((f) => f.ruleId)).toEqual(rules);
  });

  test('HEALTHCHECK running the binary itself is kept, by absolute path', () => {
    const r = rewrite(NAIVE + 'HEALTHCHECK --interval=30s CMD ["./server", "-health"]\n');
    expect(stage(r, 'runtime')).toContain('HEALTHCHECK --interval=30s CMD ["/app/server", "-health"]');
  });
});

describe('runtime base', () => {
  test.each<[string, Record<string, string>, OptimizeOptions, string]>([
    ['static by default', {}, {}, 'gcr.io/distroless/static-debian13:nonroot'],
    ['import "C" -> distroless base', { 'c.go': 'package main\n// #include <stdlib.h>\nimport "C"\n' }, {}, 'gcr.io/distroless/base-debian13:nonroot'],
    ['go-sqlite3 -> distroless base', { 'go.mod': GOMOD('1.22', 'require github.com/mattn/go-sqlite3 v1.14.22\n') }, {}, 'gcr.io/distroless/base-debian13:nonroot'],
    ['cgo never goes to scratch', { 'go.mod': GOMOD('1.22', 'require github.com/mattn/go-sqlite3 v1.14.22\n') }, { runtime: 'scratch' }, 'gcr.io/distroless/base-debian13:nonroot'],
    ['--runtime scratch', {}, { runtime: 'scratch' }, 'scratch'],
    ['--runtime alpine', {}, { runtime: 'alpine' }, 'alpine:3.21'],
    ['--runtime slim', {}, { runtime: 'slim' }, 'debian:bookworm-slim'],
  ])('%s', (_n, files, opts, image) => {
    const r = rewrite(NAIVE, files, opts);
    expect(r.runtimeBase).toBe(image);
    expect(fromOf(r, 'runtime')).toBe(image);
  });

  test('cgo build keeps cgo on and says why', () => {
    const r = rewrite(NAIVE, { 'go.mod': GOMOD('1.22', 'require github.com/mattn/go-sqlite3 v1.14.22\n') });
    expect(stage(r, 'build').join('\n')).toContain('CGO_ENABLED=1 go build');
    expect(r.changes.find((c) => c.ruleId === 'GO-CGO')?.message).toMatch(/go-sqlite3/);
  });

  test('cgo on an alpine builder with a C compiler stays on musl', () => {
    const r = rewrite('FROM golang:1.22-alpine\nRUN apk add --no-cache gcc musl-dev\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n', { 'go.mod': GOMOD('1.22', 'require github.com/mattn/go-sqlite3 v1.14.22\n') });
    expect(r.runtimeBase).toMatch(/^alpine:/);
    expect(stage(r, 'build').join('\n')).toContain('apk add --no-cache gcc musl-dev');
  });

  test('an explicit CGO_ENABLED=0 wins over detected cgo', () => {
    const r = rewrite(NAIVE.replace('WORKDIR', 'ENV CGO_ENABLED=0\nWORKDIR'), { 'go.mod': GOMOD('1.22', 'require github.com/mattn/go-sqlite3 v1.14.22\n') });
    expect(r.runtimeBase).toBe('gcr.io/distroless/static-debian13:nonroot');
    expect(r.findings.some((f) => f.ruleId === 'GO-CGO')).toBe(true);
  });

  test('scratch gets CA roots, zoneinfo and a numeric non-root user', () => {
    const rt = stage(rewrite(NAIVE, {}, { runtime: 'scratch' }), 'runtime');
    expect(rt).toContain('COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt');
    expect(rt).toContain('COPY --from=build /usr/local/go/lib/time/zoneinfo.zip /zoneinfo.zip');
    expect(rt).toContain('ENV ZONEINFO=/zoneinfo.zip');
    expect(rt).toContain('USER 65532:65532');
  });

  test('run-time OS packages put the runtime on Debian slim with them installed', () => {
    const r = rewrite(NAIVE.replace('WORKDIR', 'RUN apt-get update && apt-get install -y ffmpeg\nWORKDIR'));
    expect(r.runtimeBase).toBe('debian:bookworm-slim');
    expect(stage(r, 'runtime').join('\n')).toContain('apt-get install -y --no-install-recommends ffmpeg');
  });

  test('ca-certificates and tzdata installs need nothing more in distroless', () => {
    const r = rewrite(NAIVE.replace('WORKDIR', 'RUN apt-get update && apt-get install -y ca-certificates tzdata\nWORKDIR'));
    expect(r.runtimeBase).toBe('gcr.io/distroless/static-debian13:nonroot');
  });
});

describe('files the program reads at run time', () => {
  const SERVE = (lit: string) => `package main\n\nimport "net/http"\n\nfunc main() { http.Handle("/", http.FileServer(http.Dir("${lit}"))); http.ListenAndServe(":8080", nil) }\n`;

  test.each<[string, Record<string, string>, string[], string[]]>([
    ['a directory the code names', { 'main.go': SERVE('./public/assets'), 'public/assets/a.css': '' }, ['public'], []],
    ['a config file named without extension (viper style)', { 'main.go': SERVE('settings'), 'settings.yaml': 'a: 1\n' }, ['settings.yaml'], []],
    ['embedded directories are not copied', { 'main.go': 'package main\nimport "embed"\n//go:embed templates\nvar t embed.FS\nfunc main(){ _ = "templates/index.html" }\n', 'templates/index.html': '' }, [], ['templates']],
    ['a Go package directory is not copied for a bare word equal to its name', { 'main.go': SERVE('version'), 'version/version.go': 'package version\n', 'version/VERSION': '1.0\n' }, [], ['version']],
    ['but a path into it is', { 'main.go': SERVE('web/static'), 'web/web.go': 'package web\n', 'web/static/app.css': '' }, ['web'], []],
    ['likely names are copied when nothing tells', { 'migrations/001.sql': '' }, ['migrations'], []],
    ['Go-only packages, docs and tooling are left out', { 'internal/x/x.go': 'package x\n', 'README.md': '', 'Makefile': '', 'scripts/dev.sh': '' }, [], []],
  ])('%s', (_n, files, copied, notCopied) => {
    const r = rewrite(NAIVE, files);
    const rt = stage(r, 'runtime');
    for (const c of copied) expect(rt).toContain(`COPY --from=build --chown=65532:65532 /app/${c} /app/${c}`);
    for (const c of notCopied) expect(rt.join('\n')).not.toContain(`/app/${c}`);
    for (const c of ['internal', 'README.md', 'Makefile', 'scripts', 'main.go', 'go.mod']) expect(rt.join('\n')).not.toContain(`/app/${c}`);
  });

  test('a likely-but-unreferenced copy is reported', () => {
    const r = rewrite(NAIVE, { 'migrations/001.sql': '' });
    expect(r.findings.find((f) => f.ruleId === 'GO-RUNTIME-FILES')?.message).toMatch(/could not tell.*migrations/);
  });

  test('a file named in CMD arguments is copied', () => {
    const r = rewrite(NAIVE.replace('CMD ["./server"]', 'CMD ["./server", "-config", "app.conf.d/main"]'), { 'app.conf.d/main': 'x' });
    expect(stage(r, 'runtime')).toContain('COPY --from=build --chown=65532:65532 /app/app.conf.d /app/app.conf.d');
  });

  test('what .dockerignore excludes is never copied from the build', () => {
    const r = rewrite(NAIVE, { '.dockerignore': 'static\n', 'static/x.css': '' });
    expect(stage(r, 'runtime').join('\n')).not.toContain('/app/static');
  });
});

describe('faithfulness and idempotence', () => {
  test('LABEL, ENV, EXPOSE, STOPSIGNAL, VOLUME and comments are kept in the runtime', () => {
    const df = 'FROM golang:1.22\nLABEL a="b"\nENV APP_MODE=prod\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nEXPOSE 8080\nSTOPSIGNAL SIGINT\nVOLUME /data\n# start it\nCMD ["./server"]\n';
    const rt = stage(rewrite(df), 'runtime');
    for (const l of ['LABEL a="b"', 'ENV APP_MODE=prod', 'EXPOSE 8080', 'STOPSIGNAL SIGINT', 'VOLUME /data', '# start it']) expect(rt).toContain(l);
  });

  test('CRLF line endings are kept', () => {
    const r = rewrite(NAIVE.replace(/\n/g, '\r\n'));
    expect(r.output).toContain('\r\n');
    expect(r.output.replace(/\r\n/g, '')).not.toContain('\n');
  });

  test('a second run on the output changes nothing', () => {
    const dir = context({ 'go.mod': GOMOD(), 'main.go': MAIN, '.dockerignore': '.git\n' });
    const first = optimizeText(NAIVE, path.join(dir, 'Dockerfile'));
    const second = optimizeText(first.output, path.join(dir, 'Dockerfile'));
    expect(second.output).toBe(first.output);
    expect(second.stack).toBe('go');
  });

  test('a non-root original user that does not exist in distroless becomes 65532; a numeric one is kept', () => {
    const named = rewrite(NAIVE.replace('CMD', 'RUN useradd app\nUSER app\nCMD'));
    expect(stage(named, 'runtime')).toContain('USER 65532:65532');
    expect(named.output).not.toContain('useradd');
    const early = rewrite(NAIVE.replace('WORKDIR', 'RUN useradd -m app\nWORKDIR').replace('CMD', 'USER app\nCMD'));
    expect(stage(early, 'runtime')).toContain('USER 65532:65532');
    expect(early.changes.some((c) => /instead of 'app'/.test(c.message))).toBe(true);
    const numeric = rewrite(NAIVE.replace('CMD', 'USER 1000:1000\nCMD'));
    expect(stage(numeric, 'runtime')).toContain('USER 1000:1000');
  });

  // The original ran as root and could write its folder and files; the rewrite's user must too.
  const WITH_ASSETS = NAIVE.replace('CMD', '# templates/ is read at start-up\nCMD');
  const assets = { 'templates/index.html': '<p>hi</p>', 'main.go': 'package main\nfunc main() { _ = "templates/index.html" }\n' };
  test.each<[string, string, string[], string[]]>([
    ['root original (no USER): 65532 comes before WORKDIR and gets the copied files, not the binary', WITH_ASSETS, ['USER 65532:65532', 'WORKDIR /app', 'COPY --from=build /app/server /app/server', 'COPY --from=build --chown=65532:65532 /app/templates /app/templates'], []],
    ['USER root is the same', WITH_ASSETS.replace('CMD', 'USER root\nCMD'), ['USER 65532:65532', 'WORKDIR /app', 'COPY --from=build --chown=65532:65532 /app/templates /app/templates'], []],
    ['a numeric non-root original keeps its user at the end and root-owned files', WITH_ASSETS.replace('CMD', 'USER 1000\nCMD'), ['WORKDIR /app', 'COPY --from=build /app/templates /app/templates', 'USER 1000'], ['--chown']],
    ['a named non-root original (not in distroless) could not write root files either: none are given', WITH_ASSETS.replace('CMD', 'USER app\nCMD').replace('WORKDIR', 'RUN useradd app\nWORKDIR'), ['WORKDIR /app', 'COPY --from=build /app/templates /app/templates', 'USER 65532:65532'], ['--chown']],
    ['run-time packages (Debian slim) are installed as root before the user and the folder', WITH_ASSETS.replace('WORKDIR', 'RUN apt-get update && apt-get install -y ffmpeg\nWORKDIR'), ['RUN apt-get update \\', 'USER 65532:65532', 'WORKDIR /app'], []],
  ])('%s', (_name, dockerfile, inOrder, absent) => {
    const rt = stage(rewrite(dockerfile, assets), 'runtime');
    const at = inOrder.map((l) => rt.findIndex((x) => x.startsWith(l)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((x, y) => x - y));
    for (const a of absent) expect(rt.join('\n')).not.toContain(a);
  });
});
