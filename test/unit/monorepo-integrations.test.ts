/**
 * The ready-made integrations stay true to the tool: the pre-commit hooks select exactly the file
 * names discovery treats as Dockerfiles, and every command line of the GitHub Actions example is
 * accepted by the CLI and gives the documented exit codes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { isDockerfileName } from '../../src/discovery';
import * as api from '../../src/api';
import { main } from '../../src/cli/main';

const repoRoot = path.resolve(__dirname, '../..');

const names = [
  'Dockerfile', 'Dockerfile.prod', 'Dockerfile.dev.local', 'api.Dockerfile', 'web.dockerfile', 'Containerfile', 'Containerfile.ci',
  'Dockerfile.md', 'Dockerfile.orig', 'Dockerfile.j2', 'Dockerfile.template', '.dockerignore', 'Dockerfile.dockerignore', 'README.md',
  'dockerfile', 'MyDockerfile', 'Dockerfiles', 'docker-compose.yml', 'Dockerfile.bak',
];

describe('.pre-commit-hooks.yaml', () => {
  const hooks = YAML.parse(fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; files: string; exclude: string; language: string }[];

  test('defines a check hook and a fix hook running the CLI', () => {
    expect(hooks.map((h) => [h.id, h.entry, h.language])).toEqual([
      ['dockerize-optimize', 'dockerize-optimize --check', 'node'],
      ['dockerize-optimize-fix', 'dockerize-optimize --write', 'node'],
    ]);
  });

  test.each(names)('%s: selected by the hooks exactly when discovery calls it a Dockerfile', (name) => {
    for (const h of hooks) {
      for (const p of [name, `services/api/${name}`]) {
        const selected = new RegExp(h.files).test(p) && !new RegExp(h.exclude).test(p);
        expect(selected).toBe(isDockerfileName(name));
      }
    }
  });
});

describe('docs/integrations/github-actions.yml', () => {
  const wf = YAML.parse(fs.readFileSync(path.join(repoRoot, 'docs/integrations/github-actions.yml'), 'utf8'));
  const steps = wf.jobs.dockerfiles.steps as { name?: string; run?: string }[];
  const commands = steps
    .filter((s) => s.run)
    .map((s) => {
      const m = /dockerize-optimize@latest ((?:[^|>&]|--)+?)\s*(?:>|\|\||$)/.exec(s.run!);
      return { name: s.name!, args: m![1].trim().split(/\s+/) };
    });

  test('has the SARIF, markdown and gate steps', () => {
    expect(commands.map((c) => c.name)).toEqual(['Report (SARIF for code scanning)', 'Summary (markdown)', 'Gate']);
    expect(steps.some((s) => /upload-sarif/.test(JSON.stringify(s)))).toBe(true);
  });

  test('every command line is accepted and behaves as the comments say', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-gha-'));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-gha-home-'));
    const was = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = home;
    const spy = jest.spyOn(api, 'optimizeFile');
    try {
      fs.cpSync(path.join(repoRoot, 'examples/node-express'), dir, { recursive: true });
      const codes: Record<string, number> = {};
      let out = '';
      for (const c of commands) {
        out = '';
        codes[c.name] = await main(c.args, { out: (s) => (out += s), err: () => undefined, isTTY: false, cwd: dir });
        if (c.name.startsWith('Report')) expect(JSON.parse(out).version).toBe('2.1.0');
        if (c.name.startsWith('Summary')) expect(out).toMatch(/^## dockerize-optimize/);
      }
      // A naive Dockerfile: the report steps succeed, the gate fails.
      expect(codes).toEqual({ 'Report (SARIF for code scanning)': 0, 'Summary (markdown)': 0, Gate: 1 });
      // With --cache, the Dockerfile was planned by the first step only; the cache the job keeps is there.
      expect(commands.every((c) => c.args.includes('--cache'))).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(fs.readdirSync(path.join(home, 'dockerize-optimize'))).toHaveLength(1);
      const cacheStep = steps.find((s) => /actions\/cache@/.test(JSON.stringify(s))) as { with?: { path?: string } } | undefined;
      expect(cacheStep?.with?.path).toBe('~/.cache/dockerize-optimize');
    } finally {
      spy.mockRestore();
      if (was === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = was;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('cold start', () => {
  const distMain = path.join(repoRoot, 'dist/src/cli/main.js');
  const built = fs.existsSync(distMain);
  if (!built && process.env.CI === 'true') test('dist is built under CI', () => expect(built).toBe(true));
  (built ? test : test.skip)('--help loads none of the pipeline (parser, shell, transforms, ts-morph)', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { execFileSync } = require('child_process') as typeof import('child_process');
    const script = `require(${JSON.stringify(distMain)}).main(['--help'], { out() {}, err() {}, isTTY: false, cwd: process.cwd() }).then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    expect(loaded.some((p) => /node_modules[\\/]yargs[\\/]/.test(p))).toBe(true);
    const heavy = loaded.filter((p) => /node_modules[\\/](ts-morph|typescript|dockerfile-ast|mvdan-sh|yaml|smol-toml|fast-glob|cosmiconfig|diff)[\\/]|dist[\\/](transforms|src[\\/](api|model|shell|plan|rules|discovery|sweep))/.test(p));
    expect(heavy).toEqual([]);
  });
});
