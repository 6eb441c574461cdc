/**
 * Apps none of us wrote, from the npm registry (opt-in: DZO_E2E_FOREIGN=1, needs the registry from the
 * host and from containers). Each published package is unpacked into a temp dir, given a lockfile
 * (`npm install --package-lock-only --ignore-scripts`; its publish-time `prepare`/`prepublish` hooks
 * are dropped, they need the source repository) and the naive Dockerfile people write, then verified.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { optimizeFile } from '../../src/api';
import { formatVerifyTable, runVerify } from '../../src/verify';
import { describeWithDocker, mb } from './helpers';

interface ForeignApp {
  spec: string;
  dockerfile: string;
  files?: Record<string, string>;
  verify: unknown;
  /** What the rewritten container must answer, as a check that the probe really ran the app. */
  expectOutput: RegExp;
}

const APPS: ForeignApp[] = [
  {
    spec: 'cowsay@1.6.0',
    dockerfile: 'FROM node:20\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm install\nCMD ["node", "cli.js", "-f", "tux", "verified"]\n',
    verify: { probe: { command: true }, minRatio: 5 },
    expectOutput: /< verified >/,
  },
  {
    spec: 'json-server@0.17.4',
    dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD ["node", "lib/cli/bin.js", "db.json", "--host", "0.0.0.0", "--port", "3000"]\n',
    files: { 'db.json': JSON.stringify({ posts: [{ id: 1, title: 'hello', author: 'typicode' }] }) },
    verify: { probe: { port: 3000, path: '/posts/1', expectStatus: 200 }, minRatio: 5 },
    expectOutput: /"title": "hello"/,
  },
];

const enabled = process.env.DZO_E2E_FOREIGN === '1';
if (!enabled) process.stderr.write('\n*** foreign apps from the npm registry: skipped (set DZO_E2E_FOREIGN=1 to run them)\n\n');

(enabled ? describeWithDocker : describe.skip)('verify apps none of us wrote (npm registry)', () => {
  const tmpDirs: string[] = [];
  afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  for (const app of APPS) {
    test(`${app.spec}: the rewrite builds, answers like the original, runs non-root, minRatio smaller`, async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-foreign-'));
      tmpDirs.push(tmp);
      const tgz = execFileSync('npm', ['pack', app.spec, '--silent', '--pack-destination', tmp], { encoding: 'utf8', timeout: 120000 }).trim().split('\n').pop()!;
      const dir = path.join(tmp, 'app');
      fs.mkdirSync(dir);
      execFileSync('tar', ['xzf', path.join(tmp, tgz), '-C', dir, '--strip-components=1']);
      const pkgFile = path.join(dir, 'package.json');
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
      delete pkg.scripts?.prepare;
      delete pkg.scripts?.prepublish;
      fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore', timeout: 300000 });
      fs.writeFileSync(path.join(dir, 'Dockerfile'), app.dockerfile);
      fs.writeFileSync(path.join(dir, '.dockerize-optimizerc.json'), JSON.stringify({ verify: app.verify }));
      for (const [f, text] of Object.entries(app.files ?? {})) fs.writeFileSync(path.join(dir, f), text);

      const r = optimizeFile(path.join(dir, 'Dockerfile'));
      expect(r.skipped).toBeUndefined();
      const report = await runVerify({
        dockerfile: r.path,
        context: r.context,
        rewritten: r.output,
        sideFiles: r.sideFiles.map((s) => ({ relPath: path.relative(r.context, s.path), content: s.output })),
        stack: r.stack,
        runtimeBase: r.runtimeBase,
        rebuild: false,
      });
      process.stdout.write(formatVerifyTable(report));
      // eslint-disable-next-line no-console
      console.log(`${app.spec}: original ${mb(report.original.image?.bytes)}, rewritten ${mb(report.rewritten.image?.bytes)} (${report.ratio}x smaller)`);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const p = report.rewritten.probe!;
      expect(p.kind === 'http' ? p.body : p.kind === 'command' ? p.stdout : '').toMatch(app.expectOutput);
      expect(report.rewritten.image?.root).toBe(false);
      expect(report.leftBehind).toEqual({ containers: [], images: [], dangling: [] });
    });
  }
});
