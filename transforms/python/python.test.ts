/**
 * The Python transform: facts (requirements with includes, pyproject, lockfiles) and the decisions
 * of the rewrite, as tables of cases. Each case builds a small build context in a temporary
 * directory and runs the whole pipeline.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { parseShell } from '../../src/shell';
import { BuildContext } from '../../src/stack/context';
import type { FileResult, OptimizeOptions } from '../../src/types';
import { readPythonFacts, readRequirements, requirementName } from './facts';
import { debianOfTag, parsePipInstall, pythonRuntimeImage, unwrapRunner } from './index';
import { RULES as CROSS_CUTTING } from '../common/rules';

/** The case tables test the transform's own decisions: the cross-cutting rules are off here (test/lint has theirs). */
const TRANSFORM_ONLY = CROSS_CUTTING.map((r) => r.id);

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-python-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function rewrite(dockerfile: string, files: Record<string, string> = {}, opts: OptimizeOptions = {}): FileResult {
  const dir = context({ 'app.py': 'import flask\n', 'requirements.txt': 'flask==3.1.0\n', ...files });
  return optimizeText(dockerfile, path.join(dir, 'Dockerfile'), { disable: TRANSFORM_ONLY, ...opts });
}

/** Runs the tool on its own output, with the proposed side files in place. */
function secondRun(first: FileResult): FileResult {
  for (const sf of first.sideFiles) fs.writeFileSync(sf.path, sf.output);
  return optimizeText(first.output, first.path);
}

function stage(output: string, name: string): string {
  const parts = output.split(/(?=^FROM )/m);
  return parts.find((p) => new RegExp(`^FROM \\S+ AS ${name}$`, 'm').test(p)) ?? '';
}

const NAIVE = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nEXPOSE 8000\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n';

describe('requirements files', () => {
  test('includes are followed relative to the including file; constraints are inputs too', () => {
    const dir = context({
      'requirements.txt': '# app\nflask==3.1.0 \\\n    --hash=sha256:abc\n-r reqs/base.txt\n-c constraints.txt\n--index-url https://pypi.org/simple\n',
      'reqs/base.txt': 'gunicorn>=22\n-r ../requirements.txt\n-e .\n',
      'constraints.txt': 'werkzeug==3.1.3\n',
    });
    const tree = readRequirements(new BuildContext(dir), 'requirements.txt');
    expect(tree.files).toEqual(['requirements.txt', 'reqs/base.txt', 'constraints.txt']);
    expect(tree.requirements.map((r) => [r.name, r.pinned, r.hashed, r.local])).toEqual([
      ['flask', true, true, false],
      ['gunicorn', false, false, false],
      [null, false, false, true],
    ]);
    expect(tree.options).toEqual(['--index-url https://pypi.org/simple']);
    expect(tree.requirements[1].from).toBe('reqs/base.txt:1');
  });

  test('a missing include is reported, not invented', () => {
    const dir = context({ 'requirements.txt': '-r dev.txt\nrequests==2.32.3\n' });
    const tree = readRequirements(new BuildContext(dir), 'requirements.txt');
    expect(tree.missing).toEqual(['dev.txt']);
    expect(tree.requirements.map((r) => r.name)).toEqual(['requests']);
  });

  test.each([
    ['Flask_SQLAlchemy>=3', 'flask-sqlalchemy'],
    ['uvicorn[standard]==0.34.0', 'uvicorn'],
    ['requests ; python_version > "3.8"', 'requests'],
    ['./libs/mylib', null],
    ['git+https://github.com/x/y.git', null],
  ])('requirement name of %s is %s', (spec, name) => {
    expect(requirementName(spec)).toBe(name);
  });
});

describe('installer detection from the context', () => {
  test.each([
    [{ 'uv.lock': '', 'pyproject.toml': '[project]\nname="a"\n' }, 'uv', 'uv.lock'],
    [{ 'poetry.lock': '', 'pyproject.toml': '[tool.poetry]\nname="a"\n' }, 'poetry', 'poetry.lock'],
    [{ 'pdm.lock': '', 'pyproject.toml': '[project]\nname="a"\n' }, 'pdm', 'pdm.lock'],
    [{ Pipfile: '[packages]\nflask = "*"\n', 'Pipfile.lock': '{}' }, 'pipenv', 'Pipfile.lock'],
    [{ 'requirements-prod.txt': 'flask\n' }, 'pip', null],
    [{ 'pyproject.toml': '[project]\nname="a"\ndependencies=["fastapi"]\n[project.scripts]\nserve="a:main"\n' }, 'pip', null],
  ])('%o -> %s', (files, installer, lock) => {
    const facts = readPythonFacts(new BuildContext(context(files as Record<string, string>)));
    expect(facts.installer).toBe(installer);
    expect(facts.lockfile).toBe(lock);
  });

  test('pyproject is read as TOML: dependencies, scripts, backend', () => {
    const dir = context({ 'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "svc"\ndependencies = ["fastapi==0.115.6", "uvicorn"]\n[project.scripts]\nsvc = "svc.cli:main"\n' });
    const facts = readPythonFacts(new BuildContext(dir));
    expect(facts.pyproject).toMatchObject({ name: 'svc', dependencies: ['fastapi==0.115.6', 'uvicorn'], scripts: { svc: 'svc.cli:main' }, buildBackend: 'hatchling.build' });
  });
});

describe('pip install commands, parsed with the shell parser', () => {
  test.each([
    ['pip install --no-cache-dir -r requirements.txt', 'pip install -r requirements.txt', ['requirements.txt'], []],
    ['pip3 install --user --requirement=reqs.txt gunicorn', 'pip install --requirement=reqs.txt gunicorn', ['reqs.txt'], ['gunicorn']],
    ['python3 -m pip install --root-user-action=ignore -c c.txt .', 'pip install -c c.txt .', [], []],
    ['python -m pip install "uvicorn[standard]==0.34.0"', "pip install 'uvicorn[standard]==0.34.0'", [], ['uvicorn[standard]==0.34.0']],
    ['uv pip install --system -r requirements.txt', 'uv pip install -r requirements.txt', ['requirements.txt'], []],
    ['pip --disable-pip-version-check --timeout 60 install -r requirements.txt', 'pip install --disable-pip-version-check --timeout 60 -r requirements.txt', ['requirements.txt'], []],
    ['pip install django=="$DJANGO_VERSION" psycopg2', 'pip install django=="$DJANGO_VERSION" psycopg2', [], ['django=="$DJANGO_VERSION"', 'psycopg2']],
    ['pip install -r "$REQS" --index-url=$INDEX', 'pip install -r "$REQS" --index-url=$INDEX', ['"$REQS"'], []],
  ])('%s -> %s', (cmd, text, reqs, pkgs) => {
    const p = parsePipInstall(parseShell(cmd).commands[0]);
    expect(p?.text).toBe(text);
    expect(p?.requirements).toEqual(reqs);
    expect(p?.packages).toEqual(pkgs);
  });

  test.each([
    ['pip install .', ['.']],
    ['pip install ".[mainapp]"', ['.[mainapp]']],
    ['pip install ./libs/core dist/app-1.0-py3-none-any.whl requests', ['./libs/core', 'dist/app-1.0-py3-none-any.whl']],
    ['pip install -e . flask', []],
    ['pip install "app @ file:///src/app"', ['app @ file:///src/app']],
  ])('local targets of %s: %o', (cmd, local) => {
    expect(parsePipInstall(parseShell(cmd).commands[0])?.local).toEqual(local);
  });

  test('--target installs outside the environment and is flagged', () => {
    expect(parsePipInstall(parseShell('pip install --target /deps flask').commands[0])?.problem).toMatch(/outside/);
  });

  test('not an install', () => {
    expect(parsePipInstall(parseShell('pip freeze').commands[0])).toBeNull();
    expect(parsePipInstall(parseShell('python app.py').commands[0])).toBeNull();
  });
});

describe('installer runners in CMD', () => {
  test.each([
    [['uv', 'run', '--no-sync', 'python', 'app.py'], ['python', 'app.py']],
    [['uv', 'run', 'app.py'], ['python', 'app.py']],
    [['poetry', 'run', 'gunicorn', 'app:app'], ['gunicorn', 'app:app']],
    [['uv', 'run', '--with', 'rich', 'python', 'app.py'], 'unsafe'],
    [['uv', 'tool', 'run', 'ruff'], 'unsafe'],
    [['gunicorn', 'app:app'], null],
  ])('%o -> %o', (argv, out) => {
    expect(unwrapRunner(argv)).toEqual(out);
  });

  test.each([
    ['["/usr/local/bin/gunicorn", "app:app"]', '["/opt/venv/bin/gunicorn", "app:app"]'],
    ['["/usr/local/bin/python", "app.py"]', '["/opt/venv/bin/python", "app.py"]'],
  ])('CMD %s naming the system Python runs %s from the venv', (cmd, out) => {
    const r = rewrite(`FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ${cmd}\n`);
    expect(r.output).toContain(`CMD ${out}\n`);
  });

  test('the runtime CMD drops the runner, with a reason', () => {
    const r = rewrite('FROM python:3.12\nRUN pip install uv\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen\nCOPY . .\nCMD ["uv", "run", "python", "app.py"]\n', { 'pyproject.toml': '[project]\nname="a"\n', 'uv.lock': '' });
    expect(r.output).toMatch(/USER 10001:10001\nCMD \["python", "app.py"\]\n$/);
    expect(r.changes.find((c) => c.ruleId === 'PY-CMD')?.message).toMatch(/no installer/);
  });
});

describe('runtime image', () => {
  test.each([
    ['3.12', 'slim', 'python:3.12-slim'],
    ['3.12.1', 'slim', 'python:3.12.1-slim'],
    ['3.11-bookworm', 'slim', 'python:3.11-slim-bookworm'],
    ['3.12-slim', 'slim', 'python:3.12-slim'],
    ['latest', 'slim', 'python:slim'],
    ['3.12-alpine3.20', 'alpine', 'python:3.12-alpine3.20'],
    ['3.13', 'distroless', 'gcr.io/distroless/python3-debian13:nonroot'],
  ] as const)('python:%s (%s) -> %s', (tag, family, image) => {
    expect(pythonRuntimeImage(tag, family)).toBe(image);
  });

  test.each([
    ['3.12-bookworm', 'bookworm'],
    ['3.12-slim-trixie', 'trixie'],
    ['3.13', 'trixie'],
    ['3.12-alpine', null],
  ])('Debian of python:%s is %s', (tag, debian) => {
    expect(debianOfTag(tag)).toBe(debian);
  });
});

describe('the rewrite', () => {
  test('naive requirements app: venv builder, slim runtime, requirements before sources, cache mount', () => {
    const r = rewrite(NAIVE);
    expect(r.stack).toBe('python');
    expect(r.stagesAfter).toBe(2);
    const b = stage(r.output, 'builder');
    const rt = stage(r.output, 'runtime');
    expect(b).toMatch(/^FROM python:3\.12 AS builder$/m);
    expect(b).toContain('RUN python -m venv /opt/venv');
    expect(b.indexOf('COPY requirements.txt ./')).toBeLessThan(b.indexOf('pip install -r requirements.txt'));
    expect(b).toContain('RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt');
    expect(r.output).not.toContain('--no-cache-dir');
    expect(b).not.toContain('COPY . .'); // nothing of the sources is needed to install
    expect(rt).toMatch(/^FROM python:3\.12-slim AS runtime$/m);
    expect(rt).toContain('COPY --from=builder /opt/venv /opt/venv');
    expect(rt).toContain('COPY --chown=10001:10001 . .');
    expect(rt).toContain('ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"');
    expect(rt).toMatch(/useradd --system --uid 10001 .*--create-home/);
    expect(rt).toMatch(/USER 10001:10001\nCMD \["gunicorn", "-b", "0.0.0.0:8000", "app:app"\]\n$/);
    expect(r.changes.map((c) => c.ruleId)).toEqual(expect.arrayContaining(['PY-STAGES', 'PY-RUNTIME', 'PY-VENV', 'PY-CACHE-MOUNT', 'PY-CACHE-ORDER', 'PY-NONROOT', 'PY-ENV']));
  });

  test('requirements with an include: both files copied before the install', () => {
    const r = rewrite(NAIVE, { 'requirements.txt': 'flask==3.1.0\n-r requirements/base.txt\n', 'requirements/base.txt': 'gunicorn==23.0.0\n' });
    const b = stage(r.output, 'builder');
    expect(b).toContain('COPY requirements.txt ./requirements.txt\nCOPY requirements/base.txt ./requirements/base.txt\n');
  });

  test('COPY . /app before WORKDIR /app: copies keep their absolute destinations', () => {
    const r = rewrite('FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    const b = stage(r.output, 'builder');
    expect(b).toContain('WORKDIR /app\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt');
    expect(stage(r.output, 'runtime')).toMatch(/WORKDIR \/app\n[\s\S]*COPY --chown=10001:10001 \. \/app\n/);
  });

  test('requirements copied elsewhere are copied where the install reads them', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /srv\nCOPY requirements.txt /tmp/req.txt\nRUN pip install -r /tmp/req.txt\nCOPY . .\nCMD ["python", "app.py"]\n');
    expect(stage(r.output, 'builder')).toContain('COPY requirements.txt /tmp/req.txt\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r /tmp/req.txt');
  });

  test('a relative COPY under an earlier WORKDIR is made absolute in the runtime', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /deps\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nWORKDIR /app\nCOPY ["app.py", "./"]\nCMD ["python", "app.py"]\n');
    const rt = stage(r.output, 'runtime');
    expect(rt).toContain('COPY --chown=10001:10001 requirements.txt /deps/');
    expect(rt).toContain('COPY --chown=10001:10001 ["app.py", "./"]');
    expect(rt).toMatch(/WORKDIR \/app\n/);
    expect(stage(r.output, 'builder')).toContain('WORKDIR /deps\nCOPY requirements.txt ./\n');
  });

  test('unpinned requirements are reported', () => {
    const r = rewrite(NAIVE, { 'requirements.txt': 'flask\ngunicorn==23.0.0\n' });
    expect(r.findings.find((f) => f.ruleId === 'PY-FROZEN-INSTALL')?.message).toMatch(/1 requirement\(s\) not pinned.*flask/);
  });

  test('pip install . needs the sources: the runtime takes the app directory from the builder', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /code\nCOPY . .\nRUN pip install --upgrade pip && pip install .\nCMD ["serve"]\n', { 'pyproject.toml': '[project]\nname="a"\ndependencies=["fastapi"]\n' });
    const b = stage(r.output, 'builder');
    expect(b).toMatch(/pip install --upgrade pip\n[\s\S]*WORKDIR \/code\nCOPY pyproject.toml .\/\nRUN --mount=type=cache,target=\/root\/.cache\/pip pip install fastapi\nCOPY \. \.\nRUN --mount=type=cache,target=\/root\/.cache\/pip pip install \.\n/);
    expect(stage(r.output, 'runtime')).toContain('COPY --from=builder --chown=10001:10001 /code /code');
  });

  test.each([
    ['static dependencies and an extra, with the index option', '[project]\nname="svc"\ndependencies=["flask>=3", \'greenlet<3; python_version<"3.12"\']\n[project.optional-dependencies]\nserver=["gunicorn", "svc[extra2]"]\n', 'RUN pip install --index-url https://pypi.example/simple ".[server]"', "pip install --index-url https://pypi.example/simple 'flask>=3' 'greenlet<3; python_version<\"3.12\"' gunicorn\n"],
    ['dynamic dependencies', '[project]\nname="svc"\ndynamic=["dependencies"]\n', 'RUN pip install .', null],
    ['an editable install', '[project]\nname="svc"\ndependencies=["flask"]\n', 'RUN pip install -e .', null],
  ])('pyproject with %s: declared dependencies first when they are static', (_n, pyproject, run, first) => {
    const r = rewrite(`FROM python:3.12\nWORKDIR /app\nCOPY . .\n${run}\nCMD ["svc"]\n`, { 'pyproject.toml': pyproject });
    const b = stage(r.output, 'builder').replace(/ \\\n\s+/g, ' ');
    if (first) expect(b).toContain(`COPY pyproject.toml ./\nRUN --mount=type=cache,target=/root/.cache/pip ${first}COPY . .\n`);
    else expect(b).not.toContain('COPY pyproject.toml');
  });

  test.each([
    ['gcc libpq-dev', ['libpq5'], ['gcc', 'libpq-dev']],
    ['build-essential libjpeg-dev zlib1g-dev', ['libjpeg62-turbo', 'zlib1g'], ['build-essential']],
    ['default-libmysqlclient-dev pkg-config', ['libmariadb3'], ['pkg-config']],
    ['libxml2-dev libxslt1-dev', ['libxml2', 'libxslt1.1'], ['libxml2-dev']],
  ])('apt %s: the runtime gets %o, not the build packages', (pkgs, runtime, notInRuntime) => {
    const r = rewrite(`FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y ${pkgs}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n`);
    const b = stage(r.output, 'builder');
    const rt = stage(r.output, 'runtime');
    expect(b).toContain(`apt-get install -y ${pkgs}`);
    const rtInstall = /apt-get install -y --no-install-recommends ([^\\\n]*)/.exec(rt)?.[1].trim().split(' ') ?? [];
    expect(rtInstall).toEqual(runtime);
    for (const p of notInRuntime) expect(rtInstall).not.toContain(p);
    expect(rt).toMatch(/^FROM python:3\.12-slim-bookworm AS runtime$/m);
  });

  test('removing the build packages after the install is moot: nothing of it reaches the runtime', () => {
    const r = rewrite('FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && apt-get purge -y gcc && apt-get autoremove -y\nCMD ["python", "app.py"]\n');
    expect(r.output).not.toMatch(/purge|autoremove/);
    expect(stage(r.output, 'runtime')).toContain('libpq5');
  });

  test('an unknown OS package stays in the runtime with a finding', () => {
    const r = rewrite('FROM python:3.12\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg gcc\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    expect(stage(r.output, 'runtime')).toContain('apt-get install -y --no-install-recommends ffmpeg');
    expect(stage(r.output, 'runtime')).not.toMatch(/install[^\n]*gcc/);
    expect(r.findings.find((f) => f.ruleId === 'PY-OS-PACKAGES')?.message).toMatch(/ffmpeg/);
  });

  test.each([
    ['import subprocess\nsubprocess.run(["git", "pull"])\n', true],
    ['print("no programs")\n', false],
  ])('git installed by the original stays in the runtime only when the app runs programs (%#)', (src, kept) => {
    const r = rewrite('FROM python:3.12\nRUN apt-get update && apt-get install -y git gcc\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', { 'app.py': src });
    const rtInstall = /apt-get install -y --no-install-recommends ([^\\\n]*)/.exec(stage(r.output, 'runtime'))?.[1] ?? '';
    expect(rtInstall.includes('git')).toBe(kept);
    expect(rtInstall.includes('gcc')).toBe(false);
  });

  test('psycopg2 built on the full image without any apt install still gets libpq5 at run time', () => {
    const r = rewrite(NAIVE, { 'requirements.txt': 'psycopg2==2.9.10\n' });
    expect(stage(r.output, 'runtime')).toContain('apt-get install -y --no-install-recommends libpq5');
    expect(r.changes.find((c) => c.ruleId === 'PY-OS-PACKAGES')?.message).toMatch(/psycopg2 is compiled against libpq5/);
  });

  test('Debian 13 names where they differ from bookworm', () => {
    const r = rewrite('FROM python:3.12-trixie\nRUN apt-get update && apt-get install -y libldap2-dev libpng-dev\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    expect(stage(r.output, 'runtime')).toContain('libldap2 libpng16-16t64');
  });

  test('alpine stays alpine (musl wheels), with apk', () => {
    const r = rewrite('FROM python:3.12-alpine\nRUN apk add --no-cache gcc musl-dev postgresql-dev\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    const rt = stage(r.output, 'runtime');
    expect(rt).toMatch(/^FROM python:3\.12-alpine AS runtime$/m);
    expect(rt).toContain('apk add --no-cache libpq');
    expect(rt).toContain('adduser -S -D -u 10001 -G app');
  });

  test('--runtime alpine on a glibc builder is refused with a finding', () => {
    const r = rewrite(NAIVE, {}, { runtime: 'alpine' });
    expect(r.runtimeBase).toBe('python:3.12-slim');
    expect(r.findings.some((f) => /musl/.test(f.message))).toBe(true);
  });

  describe('distroless', () => {
    test('Python 3.13 on Debian 13 without OS packages: distroless, venv from Debian python3, exec entrypoint', () => {
      const r = rewrite('FROM python:3.13\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n');
      expect(r.runtimeBase).toBe('gcr.io/distroless/python3-debian13:nonroot');
      const b = stage(r.output, 'builder');
      expect(b).toMatch(/^FROM debian:trixie-slim AS builder$/m);
      expect(b).toContain('apt-get install -y --no-install-recommends python3 python3-venv');
      expect(b).toContain('RUN python3 -m venv /opt/venv');
      const rt = stage(r.output, 'runtime');
      expect(rt).toContain('COPY --chown=65532:65532 . .');
      expect(rt).toContain('USER 65532:65532');
      expect(rt).toContain('ENTRYPOINT []\nCMD ["/opt/venv/bin/gunicorn", "-b", "0.0.0.0:8000", "app:app"]');
      expect(rt).not.toMatch(/^RUN /m);
    });

    test('an ENTRYPOINT keeps its CMD arguments separate', () => {
      const r = rewrite('FROM python:3.13\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nENTRYPOINT ["python", "cli.py"]\nCMD ["--help"]\n');
      expect(r.output).toMatch(/ENTRYPOINT \["\/opt\/venv\/bin\/python", "cli.py"\]\nCMD \["--help"\]\n$/);
    });

    test.each([
      ['an older Python', 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'],
      ['Debian 12', 'FROM python:3.13-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'],
      ['run-time OS packages', 'FROM python:3.13\nRUN apt-get update && apt-get install -y libpq-dev\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'],
      ['a shell CMD', 'FROM python:3.13\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python app.py && echo done\n'],
    ])('not with %s', (_why, df) => {
      expect(rewrite(df).runtimeBase).toMatch(/^python:3\.1[23].*slim/);
    });
  });

  test('a curl HEALTHCHECK becomes a urllib probe (slim has no curl)', () => {
    const r = rewrite(NAIVE.replace('EXPOSE', 'HEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1\nEXPOSE'));
    expect(stage(r.output, 'runtime')).toMatch(/HEALTHCHECK --interval=30s CMD \["python", "-c", "import sys, urllib.request/);
  });

  test("the original's non-root user is kept", () => {
    const r = rewrite('FROM python:3.12\nRUN useradd -m appuser\nWORKDIR /app\nCOPY --chown=appuser . .\nRUN pip install -r requirements.txt\nUSER appuser\nCMD ["python", "app.py"]\n');
    const rt = stage(r.output, 'runtime');
    expect(rt).toContain('RUN useradd -m appuser');
    expect(rt).toContain('COPY --chown=appuser . .');
    expect(rt.indexOf('RUN useradd -m appuser')).toBeLessThan(rt.indexOf('COPY --chown=appuser'));
    expect(rt).toMatch(/USER appuser\nCMD/);
    expect(rt).not.toContain('10001');
  });

  test('a VOLUME directory is owned by the app user', () => {
    const r = rewrite(NAIVE.replace('EXPOSE', 'VOLUME /data\nEXPOSE'));
    expect(stage(r.output, 'runtime')).toContain('mkdir -p /app /data');
  });

  test('collectstatic after the copy runs in the builder; the runtime takes the built directory', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN python manage.py collectstatic --noinput\nCMD ["gunicorn", "site.wsgi"]\n', { 'manage.py': '' });
    expect(stage(r.output, 'builder')).toContain('RUN python manage.py collectstatic --noinput');
    expect(stage(r.output, 'runtime')).toContain('COPY --from=builder --chown=10001:10001 /app /app');
  });

  test('python setup.py install is a project install into the venv, after the sources', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN python setup.py install\nCMD ["tool"]\n', { 'setup.py': 'from setuptools import setup\nsetup(name="tool")\n' });
    expect(stage(r.output, 'builder')).toMatch(/COPY \. \.\nRUN --mount=type=cache,target=\/root\/.cache\/pip python setup.py install\n/);
    expect(stage(r.output, 'runtime')).toContain('COPY --from=builder --chown=10001:10001 /app /app');
  });

  test('a tool image without COPY: the venv only', () => {
    const r = rewrite('FROM python:3.12\nRUN pip install httpie==3.2.4\nENTRYPOINT ["http"]\n');
    const rt = stage(r.output, 'runtime');
    expect(rt).toContain('COPY --from=builder /opt/venv /opt/venv');
    expect(rt).not.toMatch(/^COPY (?!--from)/m);
    expect(rt).toMatch(/USER 10001:10001\nENTRYPOINT \["http"\]\n$/);
  });

  test("the original's own venv path is kept", () => {
    const r = rewrite('FROM python:3.12\nRUN python -m venv /venv\nENV PATH="/venv/bin:$PATH"\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    expect(r.output).toContain('COPY --from=builder /venv /venv');
    expect(stage(r.output, 'runtime')).toContain('ENV PATH="/venv/bin:$PATH"');
  });

  test('poetry with a lock: production group into the venv, installer outside it', () => {
    const r = rewrite('FROM python:3.12\nRUN pip install poetry==1.8.5\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry config virtualenvs.create false && poetry install --no-root\nCOPY . .\nCMD ["python", "app.py"]\n', {
      'pyproject.toml': '[tool.poetry]\nname="a"\n[tool.poetry.dependencies]\npython="^3.12"\nflask="^3"\n',
      'poetry.lock': '# lock\n',
    });
    const b = stage(r.output, 'builder');
    expect(b.indexOf('pip install poetry==1.8.5')).toBeLessThan(b.indexOf('python -m venv'));
    expect(b).toContain('COPY pyproject.toml poetry.lock ./');
    expect(b).toContain('poetry install --only main --no-interaction --no-ansi --no-root');
    expect(b).toContain('--mount=type=cache,target=/root/.cache/pypoetry');
  });

  test('uv sync with uv.lock: frozen, into the venv path', () => {
    const r = rewrite('FROM python:3.12\nRUN pip install uv\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --no-install-project\nCOPY . .\nCMD ["python", "app.py"]\n', {
      'pyproject.toml': '[project]\nname="a"\ndependencies=["flask"]\n',
      'uv.lock': 'version = 1\n',
    });
    expect(stage(r.output, 'builder')).toContain('UV_PROJECT_ENVIRONMENT=/opt/venv UV_LINK_MODE=copy uv sync --frozen --no-dev --no-install-project');
  });

  test('pipenv with Pipfile.lock: the lock exported with hashes and installed into the venv', () => {
    const r = rewrite('FROM python:3.12\nRUN pip install pipenv\nWORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pipenv install --system --deploy --dev\nCOPY . .\nCMD ["python", "app.py"]\n', { Pipfile: '[packages]\nflask = "==3.1.0"\n', 'Pipfile.lock': '{}' });
    const b = stage(r.output, 'builder').replace(/ \\\n\s+/g, ' ');
    expect(b.indexOf('RUN pip install pipenv')).toBeLessThan(b.indexOf('python -m venv'));
    expect(b).toContain('COPY Pipfile Pipfile.lock ./\nRUN --mount=type=cache,target=/root/.cache/pip pipenv requirements --hash > /tmp/pipfile-requirements.txt && pip install --require-hashes -r /tmp/pipfile-requirements.txt\n');
    expect(r.findings.some((f) => /dev-packages/.test(f.message))).toBe(true);
  });

  test.each([
    ['pipenv without a lock', 'FROM python:3.12\nRUN pip install pipenv\nWORKDIR /app\nCOPY . .\nRUN pipenv install --system\nCMD ["python", "app.py"]\n', /without Pipfile.lock/],
    ['pdm', 'FROM python:3.12\nRUN pip install pdm\nWORKDIR /app\nCOPY . .\nRUN pdm install --prod\nCMD ["python", "app.py"]\n', /pdm installs are not rewritten/],
    ['a pipe before the install', 'FROM python:3.12\nRUN curl -sSL https://install.python-poetry.org | python3 -\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', /pipes or groups/],
    ['cd in RUN', 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && cd src && python setup.py build\nCMD ["python", "app.py"]\n', /'cd'/],
    ['a script that may write outside the app', 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN python -m nltk.downloader punkt\nCMD ["python", "app.py"]\n', /may write files outside the app directory/],
    ['pip --target', 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --target /deps -r requirements.txt\nCMD ["python", "app.py"]\n', /outside the environment/],
    ['ADD of a URL', 'FROM python:3.12\nWORKDIR /app\nADD https://example.com/x.tar.gz /app/\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', /fetches a URL/],
    ['an ARG base', 'ARG V=3.12\nFROM python:${V}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n', /build argument/],
  ])('declines %s with the reason', (_n, df, reason) => {
    const r = rewrite(df);
    expect(r.skipped).toMatch(reason);
    expect(r.output).toBe(df);
    expect(r.findings.some((f) => f.ruleId === 'PYTHON-DECLINED')).toBe(true);
  });

  describe('a standard-library app', () => {
    const CLI = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["python", "cli.py"]\n';
    test('gets the hygiene only: slim of the same version, non-root, env; one stage', () => {
      const r = rewrite(CLI, { 'app.py': 'print(1)\n', 'requirements.txt': '' });
      expect(r.stagesAfter).toBe(1);
      expect(r.runtimeBase).toBe('python:3.12-slim');
      expect(r.output).toContain('COPY --chown=10001:10001 . .');
      expect(r.output).toContain('USER 10001:10001');
      expect(r.changes[0].ruleId).toBe('PY-HYGIENE');
      expect(secondRun(r).changed).toBe(false);
    });

    test('that runs other programs keeps its base (slim may lack them)', () => {
      const r = rewrite(CLI, { 'app.py': 'import subprocess\nsubprocess.run(["git", "status"])\n', 'requirements.txt': '' });
      expect(r.runtimeBase).toBe('python:3.12');
      expect(r.output).toContain('USER 10001:10001');
      expect(r.findings.some((f) => /runs other programs/.test(f.message))).toBe(true);
      expect(secondRun(r).changed).toBe(false);
    });
  });

  describe('faithful to what it does not rewrite', () => {
    const FULL = [
      '# escape=\\',
      '# Service image',
      'ARG APP_VERSION=1.0',
      'FROM python:3.12',
      'ARG BUILD_DATE',
      'LABEL org.opencontainers.image.version="${APP_VERSION}"',
      'ENV APP_MODE=prod \\',
      '    LOG_LEVEL=info',
      'WORKDIR /srv',
      '# deps first',
      'COPY requirements.txt .',
      'RUN pip install -r requirements.txt',
      'COPY . .',
      'EXPOSE 8000/tcp',
      'STOPSIGNAL SIGINT',
      'CMD ["python", "app.py"]',
      '',
    ].join('\n');
    test('directives, header comments, ARG, ENV, LABEL, EXPOSE, STOPSIGNAL kept verbatim', () => {
      const r = rewrite(FULL);
      expect(r.output.startsWith('# escape=\\\n# Service image\nARG APP_VERSION=1.0\n')).toBe(true);
      const rt = stage(r.output, 'runtime');
      for (const l of ['ARG BUILD_DATE', 'LABEL org.opencontainers.image.version="${APP_VERSION}"', 'ENV APP_MODE=prod \\\n    LOG_LEVEL=info', 'EXPOSE 8000/tcp', 'STOPSIGNAL SIGINT']) expect(rt).toContain(l);
      expect(stage(r.output, 'builder')).toContain('ARG BUILD_DATE\nENV APP_MODE=prod');
    });

    test('CRLF line endings are kept', () => {
      const r = rewrite(FULL.replace(/\n/g, '\r\n'));
      expect(r.output.split('\r\n').length).toBeGreaterThan(20);
      expect(r.output.replace(/\r\n/g, '')).not.toContain('\n');
    });

    test('a second run changes nothing', () => {
      const r = rewrite(FULL);
      expect(r.changed).toBe(true);
      const again = secondRun(r);
      expect(again.output).toBe(r.output);
      expect(again.changed).toBe(false);
    });
  });
});

describe('the dev -> runtime table names real Debian packages', () => {
  const { DEV_TO_RUNTIME } = jest.requireActual('../common/ospackages') as typeof import('../common/ospackages');
  const { SOURCE_BUILT_LIBS } = jest.requireActual('./facts') as typeof import('./facts');
  const { TRIXIE_NAMES } = jest.requireActual('./index') as typeof import('./index');
  const recorded = fs.readFileSync(path.join(__dirname, 'debian-runtime-packages.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const apkOnly = new Set(['postgresql-dev', 'jpeg-dev', 'libjpeg-turbo-dev', 'mariadb-dev', 'mariadb-connector-c-dev', 'zlib-dev', 'freetype-dev', 'sqlite-dev', 'yaml-dev']);
  const aptRuntime = [...new Set([
    ...Object.entries(DEV_TO_RUNTIME).filter(([k]) => !k.includes('@apk') && !apkOnly.has(k)).map(([, v]) => v),
    ...Object.values(SOURCE_BUILT_LIBS).flatMap((x) => x.apt),
  ])];

  test.each(aptRuntime)('%s exists in bookworm, and under its trixie name in trixie (recorded check)', (name) => {
    expect(recorded).toContain(`bookworm ${name}`);
    expect(recorded).toContain(`trixie ${TRIXIE_NAMES[name] ?? name}`);
  });

  const hostIsBookworm = (() => {
    try {
      return /VERSION_CODENAME=bookworm/.test(fs.readFileSync('/etc/os-release', 'utf8')) && fs.existsSync('/usr/bin/apt-cache');
    } catch {
      return false;
    }
  })();
  (hostIsBookworm ? test : test.skip)('live: apt-cache on a bookworm host knows every name', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { spawnSync } = require('child_process') as typeof import('child_process');
    const out = spawnSync('apt-cache', ['show', '--no-all-versions', ...aptRuntime], { encoding: 'utf8' }).stdout ?? '';
    const found = new Set([...out.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
    expect(aptRuntime.filter((n) => !found.has(n))).toEqual([]);
  });
});

describe('instruction case', () => {
  test('a lowercase copy gets the same --chown in the runtime as an uppercase one', () => {
    const upper = rewrite('FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n');
    const lower = rewrite('FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\ncopy . .\nCMD ["python", "app.py"]\n');
    expect(stage(upper.output, 'runtime')).toMatch(/^COPY --chown=10001:10001 \. \.$/m);
    expect(stage(lower.output, 'runtime')).toMatch(/^copy --chown=10001:10001 \. \.$/m);
  });
});

/**
 * Follows a runtime stage as Docker would for directories: WORKDIR and COPY make them, `mkdir -p`
 * makes them, `mkdir` without -p fails on one that exists. Returns the directories such a mkdir
 * would fail on, and where each RUN ran.
 */
function followDirs(stageText: string, contextDir: string): { failing: string[]; ranIn: Record<string, string> } {
  const made = new Set(['/']);
  const mk = (d: string) => {
    for (let p = d; !made.has(p); p = path.posix.dirname(p)) made.add(p);
  };
  const failing: string[] = [];
  const ranIn: Record<string, string> = {};
  let cwd = '/';
  const instructions = stageText.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  for (const ins of instructions) {
    const [kw, ...rest] = ins.trim().split(/\s+/);
    if (/^workdir$/i.test(kw)) {
      cwd = path.posix.resolve(cwd, rest.join(' '));
      mk(cwd);
    } else if (/^copy$/i.test(kw)) {
      const operands = rest.filter((w) => !w.startsWith('--'));
      const dest = path.posix.resolve(cwd, operands[operands.length - 1]);
      const fromBuilder = rest.some((w) => w.startsWith('--from='));
      const intoDir = fromBuilder || operands.length > 2 || /\/$|^\.$/.test(operands[operands.length - 1]);
      mk(intoDir ? dest : path.posix.dirname(dest));
      for (const src of fromBuilder ? [] : operands.slice(0, -1)) {
        const abs = path.join(contextDir, src);
        if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) continue;
        mk(dest);
        const walk = (rel: string) => {
          for (const e of fs.readdirSync(path.join(abs, rel), { withFileTypes: true })) {
            if (!e.isDirectory()) continue;
            mk(path.posix.join(dest, rel, e.name));
            walk(path.posix.join(rel, e.name));
          }
        };
        walk('.');
      }
    } else if (/^run$/i.test(kw)) {
      const body = rest.join(' ');
      ranIn[body] = cwd;
      for (const c of parseShell(body).commands) {
        const argv = c.argv.map((w) => w.value ?? w.text);
        if (argv[0] !== 'mkdir') continue;
        const parents = argv.some((w) => /^-[a-z]*p/.test(w) || w === '--parents');
        for (const d of argv.slice(1).filter((w) => !w.startsWith('-')).map((w) => path.posix.resolve(cwd, w))) {
          if (made.has(d) && !parents) failing.push(d);
          mk(d);
        }
      }
    }
  }
  return { failing, ranIn };
}

describe('RUNs kept for the runtime, and WORKDIR', () => {
  const APP = { 'app/app.py': 'import flask\n', 'app/templates/index.html': '<p>hi</p>\n' };
  test.each([
    ['mkdir of the WORKDIR before it (the app user RUN makes it first)', 'FROM python:3.7-slim\nRUN pip install --upgrade pip\n## make a local directory\nRUN mkdir /app\nWORKDIR /app\nCOPY ./app /app\nRUN pip install Flask\nRUN pip install gunicorn\nCMD gunicorn app:app\n', /^## make a local directory\nWORKDIR \/app$/m],
    ['mkdir of two directories, one the WORKDIR', 'FROM python:3.12\nRUN mkdir /pip /code\nWORKDIR /code\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', /^RUN mkdir \/pip\nWORKDIR \/code$/m],
    ['mkdir of a directory a later COPY brings (copies come first in the runtime)', 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN mkdir /app/templates && touch /app/templates/.keep\nCOPY ./app .\nCMD ["python", "app.py"]\n', /^RUN touch \/app\/templates\/\.keep$/m],
    ["the original's own user and mkdir: kept before its WORKDIR", 'FROM python:3.12\nRUN useradd -m web && mkdir /srv/web && chown web /srv/web\nWORKDIR /srv/web\nCOPY . .\nRUN pip install -r requirements.txt\nUSER web\nCMD ["python", "app.py"]\n', /^RUN useradd -m web && mkdir \/srv\/web && chown web \/srv\/web\nWORKDIR \/srv\/web$/m],
    ['a relative path under an earlier WORKDIR', 'FROM python:3.12\nWORKDIR /data\nRUN mkdir cache\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', /^WORKDIR \/data\nRUN mkdir cache\nWORKDIR \/app$/m],
  ])('%s: no mkdir fails, each RUN runs where it ran', (_name, dockerfile, shape) => {
    const r = rewrite(dockerfile, APP);
    expect(r.skipped).toBeUndefined();
    const rt = stage(r.output, 'runtime');
    expect(rt).toMatch(shape);
    const dirs = followDirs(rt, path.dirname(r.path));
    expect(dirs.failing).toEqual([]);
    // the last WORKDIR is the one CMD runs in
    expect([...rt.matchAll(/^WORKDIR (\S+)$/gm)].pop()?.[1]).toBe([...dockerfile.matchAll(/^WORKDIR (\S+)$/gm)].pop()?.[1]);
    if (dockerfile.includes('RUN mkdir cache')) expect(dirs.ranIn['mkdir cache']).toBe('/data');
  });

  test('a standard-library app (hygiene only): a mkdir of a VOLUME the app user RUN makes is dropped', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /app\nRUN mkdir /data && touch /data/.keep\nVOLUME /data\nCOPY . .\nCMD ["python", "app.py"]\n', { 'app.py': 'print("hi")\n', 'requirements.txt': '' });
    expect(r.changes[0].ruleId).toBe('PY-RUNTIME-RUNS');
    const rt = stage(r.output, 'runtime');
    expect(rt).toMatch(/^RUN touch \/data\/\.keep$/m);
    expect(followDirs(rt, path.dirname(r.path)).failing).toEqual([]);
  });

  test('a dropped mkdir is a change with its reason', () => {
    const r = rewrite('FROM python:3.12\nRUN mkdir /app\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    expect(stage(r.output, 'runtime')).not.toMatch(/^RUN mkdir \/app$/m);
    expect(r.changes.find((c) => c.ruleId === 'PY-RUNTIME-RUNS' && /dropped/.test(c.message))).toMatchObject({ line: 2, message: expect.stringMatching(/'mkdir \/app' dropped: the RUN that creates the app user made it/) });
  });

  test('a mkdir with a mode on such a directory is declined, not changed', () => {
    const r = rewrite('FROM python:3.12\nRUN mkdir -m 700 /app\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    expect(r.skipped).toMatch(/RUN at line 2 runs 'mkdir -m 700 \/app'/);
  });

  test('RUNs after the last WORKDIR keep the one WORKDIR at the top of the runtime', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN mkdir -p logs\nCMD ["python", "app.py"]\n');
    const rt = stage(r.output, 'runtime');
    expect(rt.match(/^WORKDIR /gm)).toHaveLength(1);
    expect(r.changes.some((c) => c.ruleId === 'PY-RUNTIME-RUNS')).toBe(false);
  });
});

describe('run-time libraries and linter pins', () => {
  const rtInstall = (r: FileResult) => stage(r.output, 'runtime').match(/(?:^#.*\n)*RUN apt-get update[^\n]*\n[^\n]*apt-get install[^\n]*/m)?.[0] ?? '';

  test('psycopg2 on slim without a -dev package: no run-time library claimed, a warning instead', () => {
    const r = rewrite('FROM python:3.7-slim\nWORKDIR /app\nCOPY . .\nRUN pip install psycopg2\nCMD ["python", "app.py"]\n');
    expect(stage(r.output, 'runtime')).not.toMatch(/apt-get|libpq5/);
    expect(r.findings.find((f) => f.ruleId === 'PY-OS-PACKAGES')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/psycopg2 builds from source against libpq5, and neither python:3\.7-slim nor the Dockerfile installs a -dev package/) });
  });

  test('mysqlclient on slim with a -dev package the table does not know: that package stays, no library invented, no warning', () => {
    const r = rewrite('FROM python:2.7-slim\nRUN apt-get update && apt-get install -y gcc libmysqlclient-dev --no-install-recommends && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . .\nRUN pip install mysqlclient\nCMD ["python", "app.py"]\n');
    expect(rtInstall(r)).toMatch(/--no-install-recommends libmysqlclient-dev( \\)?$/m);
    expect(stage(r.output, 'runtime')).not.toContain('libmariadb3');
    expect(r.findings.some((f) => /builds from source/.test(f.message))).toBe(false);
  });

  test('psycopg2 on slim with libpq-dev installed: libpq5 from the table', () => {
    const r = rewrite('FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev\nWORKDIR /app\nCOPY . .\nRUN pip install psycopg2\nCMD ["python", "app.py"]\n');
    expect(rtInstall(r)).toContain('install -y --no-install-recommends libpq5');
  });

  test.each([
    // [case, dockerfile, runtime packages, ignore pragma]
    ['nothing installed with apt, psycopg2 built on the full image', 'FROM python:3.12-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install psycopg2==2.9.10\nCMD ["python", "app.py"]\n', 'libpq5', true],
    ['a pinned -dev of the same source pins its library', 'FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 libpq-dev=15.5-0+deb12u1\nWORKDIR /app\nCOPY . .\nRUN pip install psycopg2==2.9.10\nCMD ["python", "app.py"]\n', 'libpq5=15.5-0+deb12u1', false],
    ['trixie: pinned under its Debian 13 name', 'FROM python:3.12-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends libpng-dev=1.6.48-1+deb13u6\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', 'libpng16-16t64=1.6.48-1+deb13u6', false],
    ['a pinned -dev of another source: its library is not pinned', 'FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends default-libmysqlclient-dev=1.1.0\nWORKDIR /app\nCOPY . .\nRUN pip install mysqlclient==2.2.7\nCMD ["python", "app.py"]\n', 'libmariadb3', true],
    ['an unpinned -dev in the original: the builder has that finding anyway', 'FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends libpq-dev\nWORKDIR /app\nCOPY . .\nRUN pip install psycopg2==2.9.10\nCMD ["python", "app.py"]\n', 'libpq5', false],
  ])('%s', (_name, dockerfile, packages, pragma) => {
    const r = rewrite(dockerfile);
    const block = rtInstall(r);
    expect(block).toMatch(new RegExp(`--no-install-recommends ${packages.replace(/[.+]/g, '\\$&')}(\\s|$)`));
    const lines = block.split('\n');
    const ignoreAt = lines.findIndex((l) => l === '# hadolint ignore=DL3008');
    if (pragma) {
      // directly above the RUN, with the reason one line above it
      expect(lines[ignoreAt + 1]).toMatch(/^RUN apt-get update/);
      expect(lines[ignoreAt - 1]).toMatch(/^# .*unpinned on purpose, it matches the Debian release of the base image the builder compiled against$/);
      expect(r.changes.find((c) => c.ruleId === 'PY-OS-PACKAGES' && /run-time OS packages/.test(c.message))?.message).toMatch(/not pinned: it follows the Debian release of the base image/);
    } else {
      expect(ignoreAt).toBe(-1);
    }
  });

  describe('same-source pins are recorded checks', () => {
    const { DEV_TO_RUNTIME, SAME_SOURCE } = jest.requireActual('../common/ospackages') as typeof import('../common/ospackages');
    const { TRIXIE_NAMES } = jest.requireActual('./index') as typeof import('./index');
    const rows = fs.readFileSync(path.join(__dirname, 'debian-same-source.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' '));
    const row = (release: string, dev: string) => rows.find((x) => x[0] === release && x[1] === dev);
    const same = (x: string[] | undefined) => !!x && x[2] !== '-' && x[2] === x[5] && x[3] === x[6];
    const apt = Object.keys(DEV_TO_RUNTIME).filter((k) => !k.includes('@') && row('bookworm', k));

    test.each([...SAME_SOURCE])('%s: its library has the same source and version in bookworm, and in trixie where it exists', (dev) => {
      expect(row('bookworm', dev)?.[4]).toBe(DEV_TO_RUNTIME[dev]);
      expect(same(row('bookworm', dev))).toBe(true);
      const t = row('trixie', dev);
      expect(t?.[4]).toBe(TRIXIE_NAMES[DEV_TO_RUNTIME[dev]] ?? DEV_TO_RUNTIME[dev]);
      expect(t?.[2] === '-' || same(t)).toBe(true);
    });

    test('every other pair differs in source or version somewhere', () => {
      const others = apt.filter((k) => !SAME_SOURCE.has(k));
      expect(others.sort()).toEqual(['default-libmysqlclient-dev', 'libxslt-dev']);
      for (const k of others) expect(same(row('bookworm', k)) && same(row('trixie', k))).toBe(false);
    });
  });
});

describe('comments', () => {
  test('the comment of a RUN that only upgrades pip stays above the upgrade', () => {
    const r = rewrite('FROM python:3.12\n# Upgrade pip\nRUN pip install --upgrade pip\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n');
    expect(stage(r.output, 'builder')).toMatch(/^# Upgrade pip\nRUN --mount=type=cache,target=\/root\/.cache\/pip pip install --upgrade pip$/m);
  });
});

describe('where the venv goes', () => {
  test('not inside the app directory the runtime takes from the builder (WORKDIR /opt)', () => {
    const r = rewrite('FROM python:3.12\nWORKDIR /opt\nCOPY . /opt/\nRUN pip install .\nCMD ["app"]\n', { 'pyproject.toml': '[project]\nname = "app"\nversion = "1"\n' });
    const rt = stage(r.output, 'runtime');
    expect(rt).toContain('COPY --from=builder /venv /venv');
    expect(rt).toContain('COPY --from=builder --chown=10001:10001 /opt /opt');
    expect(stage(r.output, 'builder')).toContain('RUN python -m venv /venv');
    expect(r.changes.find((c) => c.ruleId === 'PY-VENV')?.message).toMatch(/not \/opt\/venv: that is inside the app directory \/opt/);
  });
});
