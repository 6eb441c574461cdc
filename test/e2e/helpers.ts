/**
 * Shared by the Docker end-to-end tests: is an engine reachable, and what does a run leave behind.
 * Without an engine the suites fail when CI=true and are skipped loudly otherwise.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { dockerBinary } from '../../src/verify/docker';

export const repoRoot = path.resolve(__dirname, '../..');

export function dockerProblem(): string | null {
  try {
    const v = execFileSync(dockerBinary(), ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] });
    return v.trim() ? null : 'docker version printed no server version';
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return (e.stderr || e.message).trim().split('\n').slice(-2).join(' ');
  }
}

/**
 * `describe` when Docker answers; otherwise one failing test under CI=true, or a skipped suite with
 * a warning on stderr.
 */
export function describeWithDocker(name: string, fn: () => void): void {
  const problem = dockerProblem();
  if (!problem) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('a Docker engine is reachable (required when CI=true)', () => {
        throw new Error(`no Docker engine reachable: ${problem}`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** ${name}: SKIPPED, no Docker engine reachable: ${problem}\n*** (set CI=true to make this a failure)\n\n`);
  describe.skip(name, fn);
}

function ids(args: string[]): string[] {
  return execFileSync(dockerBinary(), args, { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Containers and images still carrying the label (key=value). */
export function leftWithLabel(label: string): { containers: string[]; images: string[] } {
  return { containers: ids(['ps', '-aq', '--filter', `label=${label}`]), images: ids(['images', '-aq', '--filter', `label=${label}`]) };
}

export function danglingImages(): string[] {
  return ids(['images', '-q', '--no-trunc', '--filter', 'dangling=true']);
}

/** Of these image ids, the ones whose label key has the value. */
export function withLabelValue(imageIds: string[], key: string, value: string): string[] {
  return imageIds.filter((id) => {
    try {
      return execFileSync(dockerBinary(), ['image', 'inspect', '-f', `{{index .Config.Labels "${key}"}}`, id], { encoding: 'utf8' }).trim() === value;
    } catch {
      return false;
    }
  });
}

export function mb(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 1e6).toFixed(1)} MB`;
}
