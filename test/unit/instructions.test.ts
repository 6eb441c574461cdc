/** The instruction arms the four transforms share (transforms/common/instructions.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { parseDockerfile } from '../../src/model/parse';
import { optimizeText } from '../../src/api';
import { RuntimeSlots, takeRuntimeInstruction } from '../../transforms/common/instructions';

const examples = path.resolve(__dirname, '../../examples');

function slots(): RuntimeSlots {
  return { user: null, entrypoint: null, cmd: null, healthcheck: null, kept: [] };
}

test('remembers USER, ENTRYPOINT, CMD and HEALTHCHECK; keeps the rest in order', () => {
  const m = parseDockerfile('FROM x\nLABEL a=b\nUSER app\nENTRYPOINT ["a"]\nCMD ["b"]\nHEALTHCHECK CMD true\nEXPOSE 80\nSTOPSIGNAL SIGINT\n');
  for (const keepHealthcheck of [true, false]) {
    const a = slots();
    for (const ins of m.stages[0].instructions) expect(takeRuntimeInstruction(ins, a, { keepHealthcheck })).toBeNull();
    expect([a.user?.keyword, a.entrypoint?.keyword, a.cmd?.keyword, a.healthcheck?.keyword]).toEqual(['USER', 'ENTRYPOINT', 'CMD', 'HEALTHCHECK']);
    expect(a.kept.map((i) => i.keyword)).toEqual(keepHealthcheck ? ['LABEL', 'HEALTHCHECK', 'EXPOSE', 'STOPSIGNAL'] : ['LABEL', 'EXPOSE', 'STOPSIGNAL']);
  }
});

test.each([
  ['SHELL ["/bin/bash", "-c"]', /SHELL at line 2 changes the shell/],
  ['ONBUILD RUN make', /ONBUILD at line 2: a base image/],
])('%s declines the rewrite with its line', (text, reason) => {
  const m = parseDockerfile(`FROM x\n${text}\n`);
  expect(takeRuntimeInstruction(m.stages[0].instructions[0], slots(), { keepHealthcheck: true })).toMatch(reason);
});

test.each(['node-express', 'go-root', 'rust-std', 'python-flask'])('%s: a SHELL line declines the multi-stage rewrite, with the reason', (name) => {
  const dir = path.join(examples, name);
  const original = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const text = original.replace(/^(FROM [^\n]*\n)/m, '$1SHELL ["/bin/bash", "-c"]\n');
  expect(text).not.toBe(original);
  const line = text.split('\n').indexOf('SHELL ["/bin/bash", "-c"]') + 1;
  const r = optimizeText(text, path.join(dir, 'Dockerfile'), { context: dir });
  expect(r.stagesAfter).toBe(r.stagesBefore);
  expect(r.output).toContain('SHELL ["/bin/bash", "-c"]');
  expect(r.findings.map((f) => f.message).join('\n')).toContain(`SHELL at line ${line} changes the shell`);
});
