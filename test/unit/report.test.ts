/**
 * Reports: the --json report against docs/report.schema.json, SARIF against the published SARIF 2.1.0
 * schema, markdown for a PR comment, the summary table, --format / --fail-on, and inline suppressions.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { main } from '../../src/cli/main';
import { RULES } from '../../transforms/common/rules';
import { optimizeText } from '../../src/api';
import { runRules } from '../../src/rules/engine';
import type { Rule } from '../../src/rules/rule';
import { BuildContext } from '../../src/stack/context';
import { parseDockerfile } from '../../src/model/parse';
import { isSuppressed, readSuppressions } from '../../src/suppress';
import { markdownReport, mdEscape } from '../../src/report/markdown';
import { atOrAbove, progressBar, summaryTable } from '../../src/report/summary';
import type { FileResult } from '../../src/types';
import { runCli as run } from '../support/cli';

const repoRoot = path.resolve(__dirname, '../..');
const fixture = path.join(repoRoot, 'test/fixtures/monorepo');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-report-'));
  tmpDirs.push(dir);
  fs.cpSync(fixture, dir, { recursive: true });
  return dir;
}

const sarifSchema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const ownSchema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs/report.schema.json'), 'utf8'));

function validator(schema: object, draft04 = false) {
  // The published SARIF schema has a pattern that is valid only without the u flag.
  const ajv = draft04 ? new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }) : new Ajv({ allErrors: true, strict: true });
  addFormats(ajv as unknown as Ajv);
  return ajv.compile(schema);
}

describe('JSON report', () => {
  const validate = validator(ownSchema);

  test('a sweep with changes, a skip, a compose service, a workspace member and an error matches docs/report.schema.json', async () => {
    const dir = copyFixture();
    const r = await run(['--format', 'json', '--exclude', 'legacy', '.'], dir);
    const report = JSON.parse(r.out);
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    // apps/web is already multi-stage: only the cross-cutting rules change it (its .dockerignore).
    expect(report.summary).toEqual({ files: 4, changed: 3, errors: 1 });
    expect(report.errors).toEqual([{ file: 'broken/Dockerfile', line: 3, message: "unknown instruction 'RUNN'" }]);
    const api = report.files.find((f: { path: string }) => f.path === 'services/api/docker/Api.Dockerfile');
    expect(api.context).toBe('services/api');
    expect(api.discovery.services[0]).toEqual({ compose: 'docker-compose.yml', service: 'api', target: null });
    const worker = report.files.find((f: { path: string }) => f.path === 'packages/worker/Dockerfile');
    expect(worker.context).toBe('.');
    expect(worker.discovery.contextReason).toMatch(/workspace root/);
  });

  test('the schema rejects what the report must not contain', () => {
    const ok = { tool: 'dockerize-optimize', version: 1, files: [], errors: [], summary: { files: 0, changed: 0, errors: 0 } };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, summary: { files: 0, changed: 0 } })).toBe(false);
    expect(validate({ ...ok, errors: [{ file: 'x', line: 0, message: 'm' }] })).toBe(false);
    expect(validate({ ...ok, extra: 1 })).toBe(false);
  });

  test('--json and --format json are the same report; --json with another format is refused', async () => {
    const dir = copyFixture();
    const a = await run(['--json', 'services/api/docker/Api.Dockerfile', '--context', 'services/api'], dir);
    const b = await run(['--format', 'json', 'services/api/docker/Api.Dockerfile', '--context', 'services/api'], dir);
    expect(a.out).toBe(b.out);
    const c = await run(['--json', '--format', 'sarif', '.'], dir);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--json and --format disagree/);
  });
});

describe('SARIF', () => {
  const validate = validator(sarifSchema, true);

  test('a sweep validates against the SARIF 2.1.0 schema and carries rules, levels, locations and errors', async () => {
    const dir = copyFixture();
    const r = await run(['--format', 'sarif', '--exclude', 'legacy', '.'], dir);
    const log = JSON.parse(r.out);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const run0 = log.runs[0];
    expect(run0.tool.driver.name).toBe('dockerize-optimize');
    const rewrites = run0.results.filter((x: { ruleId: string }) => x.ruleId === 'DO-REWRITE');
    expect(rewrites.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0].physicalLocation.artifactLocation.uri).sort()).toEqual([
      'apps/web/Dockerfile',
      'packages/worker/Dockerfile',
      'services/api/docker/Api.Dockerfile',
    ]);
    for (const res of run0.results) expect(run0.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    expect(run0.invocations[0].executionSuccessful).toBe(false);
    const note = run0.invocations[0].toolExecutionNotifications[0];
    expect(note.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'broken/Dockerfile', uriBaseId: '%SRCROOT%' }, region: { startLine: 3 } });
  });

  test('the validator is real: a broken log fails', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });

  test('findings map severities to levels', async () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'services/api/package-lock.json'));
    const r = await run(['--format', 'sarif', 'services/api/docker/Api.Dockerfile', '--context', 'services/api'], dir);
    const log = JSON.parse(r.out);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const lockWarning = log.runs[0].results.find((x: { message: { text: string } }) => /no lockfile/.test(x.message.text));
    expect(lockWarning.level).toBe('warning');
  });
});

describe('markdown and the summary table', () => {
  test('markdown has the table, escapes cells, and one details block per file with changes', async () => {
    const dir = copyFixture();
    const r = await run(['--format', 'markdown', '--exclude', 'legacy', '.'], dir);
    expect(r.out).toMatch(/^## dockerize-optimize\n/);
    expect(r.out).toContain('| file | stack | stages | runtime base | fixed | result |');
    expect(r.out).toMatch(/\| services\/api\/docker\/Api.Dockerfile \| node \| 1 → 1 \| `gcr.io\/distroless\/nodejs20-debian13:nonroot` \|/);
    expect(r.out).toMatch(/\| broken\/Dockerfile:3 \| - \| - \| - \| 0 \| error: unknown instruction 'RUNN' \|/);
    expect(r.out.match(/<details>/g)?.length).toBeGreaterThanOrEqual(2);
    expect(mdEscape('a|b <x> `c`')).toBe('a\\|b \\<x\\> \\`c\\`');
  });

  test('the summary table lines up and counts', () => {
    const base = { original: '', output: '', context: '/r', changes: [], sideFiles: [], stagesBefore: 1, stagesAfter: 1, runtimeBase: 'node:20' };
    const results: FileResult[] = [
      { ...base, path: '/r/a/Dockerfile', stack: 'node', changed: true, stagesAfter: 2, runtimeBase: 'gcr.io/distroless/nodejs22-debian13:nonroot', findings: [{ ruleId: 'X-Y', severity: 'info', message: 'm', fixed: true }] },
      { ...base, path: '/r/b/Dockerfile', stack: 'unknown', changed: false, skipped: 'no supported stack detected', findings: [] },
    ];
    const t = summaryTable(results, [{ file: '/r/c/Dockerfile', line: 2, message: 'bad' }], '/r').split('\n');
    expect(t[0]).toMatch(/^file\s+stack\s+stages\s+runtime base\s+fixed\s+result$/);
    expect(t[2]).toMatch(/^a\/Dockerfile\s+node\s+1 -> 2\s+gcr.io\/distroless\/nodejs22-debian13:nonroot\s+1\s+changed$/);
    expect(t[3]).toMatch(/skipped: no supported stack detected$/);
    expect(t[4]).toMatch(/^c\/Dockerfile:2 .*error: bad$/);
    expect(t[2].indexOf('node')).toBe(t[0].indexOf('stack'));
    expect(t[5]).toBe('3 file(s): 1 to change, 1 skipped, 1 failed');
  });

  test('the summary goes to stderr for a sweep, stdout keeps only diffs', async () => {
    const dir = copyFixture();
    const r = await run(['--exclude', 'legacy', '--exclude', 'broken', '.'], dir);
    expect(r.err).toMatch(/^file\s+stack\s+stages/m);
    expect(r.out).not.toMatch(/^file\s+stack/m);
  });
});

describe('progress', () => {
  test('the bar redraws in place, once per percent, and clears itself', () => {
    let out = '';
    const bar = progressBar((x) => (out += x), 10);
    for (let i = 1; i <= 200; i++) bar.update(i, 200);
    bar.done();
    const frames = out.split('\r').filter(Boolean);
    expect(frames[0]).toMatch(/^\[-{10}\] 1\/200 0% /);
    expect(frames).toContainEqual(expect.stringMatching(/^\[#{5}-{5}\] 100\/200 50% /));
    expect(frames.filter((f) => f.startsWith('['))).toHaveLength(101);
    expect(frames[frames.length - 1]).toBe('\u001b[K');
  });

  test('the CLI draws it on stderr only when stderr is a terminal (or --progress)', async () => {
    const dir = copyFixture();
    const args = ['--exclude', 'legacy', '--exclude', 'broken', '.'];
    let err = '';
    await main(args, { out: () => undefined, err: (x) => (err += x), isTTY: false, errTTY: true, cwd: dir });
    expect(err).toMatch(/\r\[#+\] 3\/3 100%/);
    const quiet = await run(args, dir);
    expect(quiet.err).not.toContain('\r');
    const forced = await run(['--progress', ...args], dir);
    expect(forced.err).toMatch(/\r\[#+\] 3\/3 100%/);
  });
});

describe('--fail-on', () => {
  test.each([
    ['error', 'warning', false],
    ['warning', 'warning', true],
    ['info', 'warning', true],
    ['warning', 'error', true],
    ['info', 'info', true],
    ['error', 'info', false],
  ] as const)('fail-on %s with a %s finding -> %s', (min, sev, fails) => {
    expect(atOrAbove(sev, min)).toBe(fails);
  });

  test('exits 1 on a warning at --fail-on warning, 0 at --fail-on error; a bad level is a usage error', async () => {
    const dir = copyFixture();
    const api = ['services/api/docker/Api.Dockerfile', '--context', 'services/api'];
    fs.rmSync(path.join(dir, 'services/api/package-lock.json'));
    const warned = await run(['--fail-on', 'warning', '--format', 'json', ...api], dir);
    const findings = JSON.parse(warned.out).files[0].findings;
    expect(findings.some((f: { severity: string }) => f.severity === 'warning')).toBe(true);
    expect(warned.code).toBe(1);
    expect((await run(['--fail-on', 'error', ...api], dir)).code).toBe(0);
    expect((await run(['--fail-on', 'bogus', ...api], dir)).code).toBe(2);
  });

  test('without --fail-on findings alone never fail a dry run', async () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'services/api/package-lock.json'));
    expect((await run(['services/api/docker/Api.Dockerfile', '--context', 'services/api'], dir)).code).toBe(0);
  });
});

describe('inline suppressions', () => {
  const express = path.join(repoRoot, 'examples/node-express');
  const text = fs.readFileSync(path.join(express, 'Dockerfile'), 'utf8');

  test('reading the comments: next line covers the whole instruction, file-wide ids and all', () => {
    const m = parseDockerfile('# dockerize-optimize-disable A-B -- why\nFROM x\n# dockerize-optimize-disable-next-line C-D, E-F\nRUN a \\\n  b\nRUN c\n', 'Dockerfile');
    const s = readSuppressions(m);
    expect(isSuppressed(s, 'A-B', 99)).toBe(true);
    expect(isSuppressed(s, 'C-D', 4)).toBe(true);
    expect(isSuppressed(s, 'E-F', 5)).toBe(true);
    expect(isSuppressed(s, 'C-D', 6)).toBe(false);
    expect(isSuppressed(s, 'WHY', 4)).toBe(false);
    expect(s.fileAll).toBe(false);
    expect(readSuppressions(parseDockerfile('FROM x\n# dockerize-optimize-disable\n', 'Dockerfile')).fileAll).toBe(true);
  });

  test('a file-wide disable without ids leaves the file as it is', () => {
    const r = optimizeText('# dockerize-optimize-disable\n' + text, path.join(express, 'Dockerfile'));
    expect(r.changed).toBe(false);
    expect(r.skipped).toMatch(/disabled/);
    expect(optimizeText(text, path.join(express, 'Dockerfile')).changed).toBe(true);
  });

  test('suppressing a change of the rewrite declines the rewrite (never half-applied)', () => {
    const withComment = text.replace('RUN npm install', '# dockerize-optimize-disable-next-line NODE-FROZEN-INSTALL\nRUN npm install');
    const r = optimizeText(withComment, path.join(express, 'Dockerfile'));
    // No stage of the rewrite is applied; the cross-cutting rules still run (turned off here to see that).
    expect(r.stagesAfter).toBe(1);
    expect(r.changes.filter((c) => c.ruleId.startsWith('NODE-'))).toEqual([]);
    const rulesOff = optimizeText(withComment, path.join(express, 'Dockerfile'), { disable: RULES.map((x) => x.id) });
    expect(rulesOff.output).toBe(withComment);
    expect(r.skipped).toMatch(/NODE-FROZEN-INSTALL is disabled by a '# dockerize-optimize-disable-next-line' comment above line 12/);
  });

  test('suppressing DO-IGNORE keeps the rewrite and drops only the .dockerignore', () => {
    const r = optimizeText('# dockerize-optimize-disable DO-IGNORE\n' + text, path.join(express, 'Dockerfile'));
    expect(r.changed).toBe(true);
    expect(r.sideFiles).toEqual([]);
    expect(r.changes.map((c) => c.ruleId)).not.toContain('DO-IGNORE');
    expect(r.output.startsWith('# dockerize-optimize-disable DO-IGNORE\n')).toBe(true);
  });

  describe('rule fixes and findings in the rules engine', () => {
    const upper: Rule = {
      id: 'T-UPPER',
      description: 'test rule: flags lower-case run commands and upper-cases them',
      severity: 'warning',
      check: ({ model }) =>
        model.instructions
          .filter((i) => i.keyword === 'RUN' && /[a-z]/.test(i.body))
          .map((i) => ({ line: i.startLine, message: `lower case at ${i.startLine + 1}`, fix: [{ startLine: i.startLine, endLine: i.endLine, lines: i.lines.map((l) => l.replace(/^RUN (.*)$/, (_m, b) => `RUN ${b.toUpperCase()}`)) }] })),
    };
    const note: Rule = {
      id: 'T-NOTE',
      description: 'test rule: reports every RUN',
      severity: 'info',
      check: ({ model }) => model.instructions.filter((i) => i.keyword === 'RUN').map((i) => ({ line: i.startLine, message: `run at ${i.startLine + 1}` })),
    };
    const env = { ctx: new BuildContext(os.tmpdir()), stack: 'unknown' as const, options: {}, rewritten: false };

    test('next-line suppresses one fix and one finding; the others still apply', () => {
      const src = 'FROM x\n# dockerize-optimize-disable-next-line T-UPPER T-NOTE\nRUN echo a\nRUN echo b\n';
      const out = runRules(src, 'Dockerfile', [upper, note], env);
      expect(out.text).toBe('FROM x\n# dockerize-optimize-disable-next-line T-UPPER T-NOTE\nRUN echo a\nRUN ECHO B\n');
      expect(out.changes.map((c) => c.line)).toEqual([4]);
      expect(out.findings.map((f) => f.message)).toEqual(['run at 4']);
    });

    test('file-wide suppresses a rule everywhere', () => {
      const src = '# dockerize-optimize-disable T-UPPER\nFROM x\nRUN echo a\nRUN echo b\n';
      const out = runRules(src, 'Dockerfile', [upper, note], env);
      expect(out.text).toBe(src);
      expect(out.findings).toHaveLength(2);
    });
  });
});
