/**
 * Bad input through the real command line: each case exits 2 with a message naming the file (and the
 * line where there is one), and leaves every file byte-for-byte as it was, with no stray file beside it.
 * Most cases run the CLI in process; permission cases run it as a child process as `nobody` when the
 * tests run as root (root reads and writes through file modes), and the interruption cases kill a child.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { optimizeText } from '../../src/api';

const example = path.resolve(__dirname, '../../examples/node-express');
const cliChild = path.resolve(__dirname, '../support/cli-child.js');
const tsRegister = path.resolve(__dirname, '../support/ts-register.js');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(prefix = 'dzo-bad-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  tmpDirs.push(dir);
  return dir;
}

function copyExample(): string {
  const dir = tmp('dzo-bad-ex-');
  fs.cpSync(example, dir, { recursive: true });
  return dir;
}

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd });
  return { code, out, err };
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The CLI in a child process (from the sources), as nobody when we are root. */
function runChild(argv: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cliChild, ...argv], { cwd, encoding: 'utf8', timeout: 120000, ...(isRoot ? { uid: 65534, gid: 65534 } : {}) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every file below dir with its bytes, to prove nothing changed or appeared. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) out[path.relative(dir, p)] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
      else out[path.relative(dir, p)] = 'special';
    }
  };
  walk(dir);
  return out;
}

describe('bad Dockerfile content: exit 2, file:line named, nothing written even with --write', () => {
  test.each([
    ['an empty file', Buffer.from(''), /: the file is empty/, null],
    ['only blank lines', Buffer.from('\n  \n\t\n'), /: the file is empty/, null],
    ['a binary file', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]), /not a text Dockerfile/, 1],
    ['NUL bytes further down', Buffer.from('FROM node:20\nRUN echo\n\u0000\u0000\n'), /NUL byte.*not a text Dockerfile/, 3],
    ['control characters without NUL', Buffer.from('\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008'.repeat(10)), /binary content: not a text Dockerfile/, null],
    ['UTF-16 text', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('FROM node:20\n', 'utf16le')]), /UTF-16/, null],
    ['text in another encoding (Latin-1)', Buffer.from('FROM node:20\n# caf\xe9\nCMD ["node"]\n', 'latin1'), /not valid UTF-8/, 2],
    ['a JSON file passed explicitly', Buffer.from('{\n  "name": "app"\n}\n'), /:1: unknown instruction '\{'/, 1],
    ['an unknown instruction', Buffer.from('FROM node:20\nWORKDIR /app\nINSTALL npm\n'), /:3: unknown instruction 'INSTALL'/, 3],
    ['an instruction before FROM', Buffer.from('# hi\nRUN echo\nFROM node:20\n'), /:2: 'RUN' before the first FROM/, 2],
    ['no FROM at all', Buffer.from('# only\n# comments\n'), /no FROM instruction/, null],
    ['prose', Buffer.from('This project builds with make.\nRun make install.\n'), /:1: unknown instruction 'This'/, 1],
  ])('%s', async (_name, bytes, message, line) => {
    const dir = tmp();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, bytes);
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"app","dependencies":{}}');
    const before = snapshot(dir);
    for (const argv of [[file], ['--write', file], ['--json', '--write', dir], ['--check', dir]]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain(line ? `${file}:${line}: ` : `${file}: `);
      expect(snapshot(dir)).toEqual(before);
    }
  });
});

describe('bad paths', () => {
  test('a missing file', async () => {
    const dir = tmp();
    const r = await run([path.join(dir, 'Dockerfile')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'Dockerfile')}: cannot read: no such file or directory (ENOENT)`);
  });

  test('a directory with no Dockerfile', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'main.go'), 'package main\n');
    const before = snapshot(dir);
    const r = await run(['--write', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no Dockerfile found in ${dir}`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a 50 MB file is refused quickly, before it is read', async () => {
    const dir = tmp();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, 'FROM node:20\n');
    fs.truncateSync(file, 50 * 1024 * 1024);
    const started = Date.now();
    const r = await run(['--write', file]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: is 50.0 MB; a Dockerfile over 4 MB is not rewritten`);
    expect(fs.statSync(file).size).toBe(50 * 1024 * 1024);
    expect(fs.readdirSync(dir)).toEqual(['Dockerfile']);
  });

  test('a named pipe does not hang the tool', async () => {
    const dir = tmp();
    const fifo = path.join(dir, 'Dockerfile');
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status !== 0) return; // no mkfifo here
    const r = await run([fifo]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${fifo}: is neither a file nor a directory`);
  });

  test('symbolic link loops: named directly, and inside a searched directory', async () => {
    const dir = tmp();
    fs.symlinkSync('Dockerfile', path.join(dir, 'Dockerfile')); // points at itself
    fs.symlinkSync('b.Dockerfile', path.join(dir, 'a.Dockerfile'));
    fs.symlinkSync('a.Dockerfile', path.join(dir, 'b.Dockerfile'));
    fs.mkdirSync(path.join(dir, 'svc'));
    fs.symlinkSync('..', path.join(dir, 'svc', 'up')); // a directory cycle
    fs.symlinkSync('.', path.join(dir, 'svc', 'self'));
    const before = snapshot(dir);
    const direct = await run([path.join(dir, 'Dockerfile')]);
    expect(direct.code).toBe(2);
    expect(direct.err).toContain(`${path.join(dir, 'Dockerfile')}: cannot read: symbolic link loop (ELOOP)`);
    const started = Date.now();
    const searched = await run(['--write', dir]);
    expect(Date.now() - started).toBeLessThan(10000);
    expect(searched.code).toBe(2);
    expect(searched.err).toContain('no Dockerfile found');
    // With a real Dockerfile below the cycle, it is found once and the loops are no obstacle.
    fs.writeFileSync(path.join(dir, 'svc', 'Dockerfile'), 'FROM debian:bookworm\nCMD ["true"]\n');
    const found = await run(['--json', dir]);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.out).files.map((f: { path: string }) => f.path)).toEqual([path.join('svc', 'Dockerfile')].map((p) => expect.stringContaining(p)));
    delete before['svc/Dockerfile'];
    const after = snapshot(dir);
    delete after['svc/Dockerfile'];
    expect(after).toEqual(before);
  });

  test('an unreadable file: exit 2, named, untouched', () => {
    const dir = tmp();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, 'FROM node:20\nCMD ["node", "x.js"]\n');
    fs.chmodSync(file, 0o000);
    const r = runChild(['--write', file], dir);
    fs.chmodSync(file, 0o644);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: cannot read: permission denied (EACCES)`);
    expect(fs.readFileSync(file, 'utf8')).toBe('FROM node:20\nCMD ["node", "x.js"]\n');
    expect(fs.readdirSync(dir)).toEqual(['Dockerfile']);
  });

  test('one bad file among good ones: the bad one is reported and exit is 2', async () => {
    const dir = copyExample();
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken', 'Dockerfile'), 'FROM node:20\nBOGUS x\n');
    const r = await run(['--check', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'broken', 'Dockerfile')}:2: unknown instruction 'BOGUS'`);
    expect(r.out).toContain('AS runtime'); // the good one is still shown
  });
});

describe('--write onto targets that cannot be replaced', () => {
  test('a read-only Dockerfile: exit 2, named, nothing written (not even the .dockerignore)', async () => {
    const dir = copyExample();
    const file = path.join(dir, 'Dockerfile');
    fs.chmodSync(file, 0o444);
    const before = snapshot(dir);
    const r = await run(['--write', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: not written: ${file}: is read-only`);
    expect(snapshot(dir)).toEqual(before);
    expect(fs.statSync(file).mode & 0o777).toBe(0o444);
  });

  test('a read-only side file stops the whole result: the Dockerfile is not written either', async () => {
    const dir = copyExample();
    const ignore = path.join(dir, '.dockerignore');
    fs.writeFileSync(ignore, '# mine\n');
    fs.chmodSync(ignore, 0o444);
    const before = snapshot(dir);
    const r = await run(['--write', dir]);
    if (!r.err.includes('.dockerignore')) {
      // The rewrite proposes no .dockerignore change here: nothing to prove.
      expect(r.code).toBe(0);
      return;
    }
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${ignore}: is read-only`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a folder the user cannot write to (as an unprivileged user)', () => {
    const dir = copyExample();
    const file = path.join(dir, 'Dockerfile');
    const before = snapshot(dir);
    fs.chmodSync(dir, 0o555);
    const r = runChild(['--write', file], dir);
    fs.chmodSync(dir, 0o755);
    if (!isRoot && r.code === 0) return; // a user that can write anyway (not root, owns the folder)
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: not written: `);
    expect(r.err).toMatch(/folder is not writable: permission denied \(EACCES\)/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('interruption: the old file stays whole', () => {
  /** Runs writeAtomic in a child whose fs.renameSync / fs.writeFileSync is replaced by `hook`. */
  function writeWithHook(file: string, text: string, hook: string): { code: number | null; signal: NodeJS.Signals | null; err: string } {
    const textFile = path.join(tmp(), 'new-text');
    fs.writeFileSync(textFile, text);
    const script = `
      require(${JSON.stringify(tsRegister)});
      const fs = require('fs');
      const text = fs.readFileSync(${JSON.stringify(textFile)}, 'utf8');
      ${hook}
      require(${JSON.stringify(path.resolve(__dirname, '../../src/write.ts'))}).writeAtomic(${JSON.stringify(file)}, text)
        .then(() => process.exit(0), (e) => { process.stderr.write(e.message); process.exit(3); });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 });
    if (r.error) throw r.error;
    return { code: r.status, signal: r.signal, err: r.stderr };
  }

  const OLD = 'FROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\nRUN npm install\r\nCMD ["npm", "start"]\r\n';
  const NEW = 'FROM node:20 AS deps\r\n' + 'RUN echo new\r\n'.repeat(20000);

  test('killed between writing the temporary file and the rename', () => {
    const dir = tmp();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, OLD);
    const r = writeWithHook(file, NEW, `fs.renameSync = () => process.kill(process.pid, 'SIGKILL');`);
    expect(r.signal).toBe('SIGKILL');
    expect(fs.readFileSync(file, 'utf8')).toBe(OLD);
    // The leftover temporary file is hidden: a later run does not take it for a Dockerfile.
    const left = fs.readdirSync(dir).filter((f) => f !== 'Dockerfile');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.Dockerfile\.dockerize-optimize-\d+-\d+\.tmp$/);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { discover } = require('../../src/discovery') as typeof import('../../src/discovery');
    expect(discover([dir]).map((d) => path.basename(d.file))).toEqual(['Dockerfile']);
  });

  test('killed while writing the temporary file', () => {
    const dir = tmp();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, OLD);
    const r = writeWithHook(file, NEW, `const w = fs.writeFileSync; fs.writeFileSync = (fd, t, e) => { w(fd, t.slice(0, 1000), e); process.kill(process.pid, 'SIGKILL'); };`);
    expect(r.signal).toBe('SIGKILL');
    expect(fs.readFileSync(file, 'utf8')).toBe(OLD);
  });

  test('a failing rename (for example a full disk) removes the temporary file and names the target', () => {
    const dir = tmp();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, OLD);
    const r = writeWithHook(file, NEW, `fs.renameSync = () => { const e = new Error('no space'); e.code = 'ENOSPC'; throw e; };`);
    expect(r.code).toBe(3);
    expect(r.err).toBe(`${file}: not written: no space left on the device (ENOSPC)`);
    expect(fs.readFileSync(file, 'utf8')).toBe(OLD);
    expect(fs.readdirSync(dir)).toEqual(['Dockerfile']);
  });

  test('SIGTERM to a real --write run over many projects: every Dockerfile is old or new, whole', async () => {
    const root = tmp('dzo-bad-many-');
    const expected: { file: string; old: string; new: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const dir = path.join(root, `svc${String(i).padStart(2, '0')}`);
      fs.cpSync(example, dir, { recursive: true });
      const file = path.join(dir, 'Dockerfile');
      const old = fs.readFileSync(file, 'utf8');
      expected.push({ file, old, new: optimizeText(old, file).output });
    }
    const child = spawn(process.execPath, [cliChild, '--write', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Stop it as soon as the first file has been replaced (or after a while).
    await new Promise<void>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const done = expected.some((e) => fs.readFileSync(e.file, 'utf8') !== e.old);
        if (done || Date.now() - started > 60000 || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGTERM');
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => child.on('close', resolve));
    let written = 0;
    for (const e of expected) {
      const now = fs.readFileSync(e.file, 'utf8');
      expect([e.old, e.new]).toContain(now);
      if (now === e.new) written++;
      // No temporary file is left behind after a SIGTERM.
      expect(fs.readdirSync(path.dirname(e.file)).filter((f) => /\.dockerize-optimize-\d+-\d+\.tmp$/.test(f))).toEqual([]);
    }
    expect(written).toBeGreaterThan(0);
    expect(err).not.toMatch(/internal error/);
  });
});

describe('a bug inside a transform', () => {
  test('is a DO-INTERNAL finding for that file; the run goes on and the file is not made multi-stage', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { ECOSYSTEMS } = require('../../transforms') as typeof import('../../transforms');
    const node = ECOSYSTEMS.find((e) => e.name === 'node')!;
    const spy = jest.spyOn(node, 'transform').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    try {
      const dir = copyExample();
      const file = path.join(dir, 'Dockerfile');
      const before = fs.readFileSync(file, 'utf8');
      const r = await run(['--json', '--write', '--no-dockerignore', dir]);
      expect(r.code).toBe(0);
      const f = JSON.parse(r.out).files[0];
      expect(f.stagesAfter).toBe(1);
      expect(f.findings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'DO-INTERNAL', severity: 'error', message: expect.stringContaining("the node transform failed: Cannot read properties of undefined (reading 'x')") })]));
      // Only the cross-cutting rules may have edited it: still one stage, the same base.
      expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe(before.split('\n')[0]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a reader that closes the pipe early', () => {
  test('`--check --format json | head -c 100`: the run keeps its own exit code and prints no stack', () => {
    const root = tmp('dzo-epipe-');
    // Enough services for a report of several 64 KB chunks.
    for (let i = 0; i < 150; i++) {
      const d = path.join(root, `svc${i}`);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'Dockerfile'), `FROM node:latest\nRUN apt update && apt install -y curl\nCOPY . /app\nCMD node /app/index${i}.js\n`);
    }
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cliChild}" --check --format json . | head -c 100 > /dev/null; exit \${PIPESTATUS[0]}`], { cwd: root, encoding: 'utf8', timeout: 120000 });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\(/);
    expect(r.status).toBe(1);
  });
});
