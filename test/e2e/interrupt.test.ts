/**
 * Ctrl-C during `dockerize-optimize verify`: exit 130, and nothing of the run is left (containers,
 * images, the temporary copies). Runs the built CLI (`npm test` builds first).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VERIFY_LABEL } from '../../src/verify';
import { describeWithDocker, leftWithLabel, repoRoot } from './helpers';

const cli = path.join(repoRoot, 'bin', 'dockerize-optimize.js');
const built = path.join(repoRoot, 'dist', 'src', 'verify', 'index.js');

describeWithDocker('verify interrupted', () => {
  test('SIGINT while the images are built or probed: exit 130, nothing left behind', async () => {
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
    const child = spawn(process.execPath, [cli, 'verify', 'examples/node-express'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // Interrupt once the second build has started: the first image and its run label exist by then.
      if (!sent && err.includes('building the rewritten Dockerfile')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    const m = /interrupted \(SIGINT\); removed what run ([0-9a-f]+) created/.exec(err);
    expect(m).not.toBeNull();
    const runId = m![1];
    expect(leftWithLabel(`${VERIFY_LABEL}=${runId}`)).toEqual({ containers: [], images: [] });
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`dzo-verify-${runId}-`))).toEqual([]);
  });
});
