/** BuildContext answers plain top-level names from its folder listing, and asks the file system for the rest. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildContext } from '../../src/stack/context';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dzo-ctx-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"a"}');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'index.js'), 'x');
  fs.symlinkSync(path.join(dir, 'missing'), path.join(dir, 'broken'));
  fs.symlinkSync(path.join(dir, 'package.json'), path.join(dir, 'linked.json'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test.each<[string, boolean]>([
  ['package.json', true],
  ['src', true],
  ['src/index.js', true],
  ['src/nope.js', false],
  ['go.mod', false],
  ['broken', false], // a link to nothing: the system is asked, and says no
  ['linked.json', true],
  ['.', true],
])('exists(%j) is %s', (rel, expected) => {
  expect(new BuildContext(dir).exists(rel)).toBe(expected);
});

test('readText reads present files, through links, and answers null for absent ones', () => {
  const ctx = new BuildContext(dir);
  expect(ctx.readText('package.json')).toBe('{"name":"a"}');
  expect(ctx.readText('linked.json')).toBe('{"name":"a"}');
  expect(ctx.readText('go.mod')).toBeNull();
  expect(ctx.readText('broken')).toBeNull();
  expect(ctx.readText('src')).toBeNull();
});

test('a new context sees a file added since the last one looked (the shared listing is keyed by the folder change time)', () => {
  expect(new BuildContext(dir).exists('go.mod')).toBe(false);
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module x\n');
  expect(new BuildContext(dir).exists('go.mod')).toBe(true);
  expect(new BuildContext(dir).hasEntry(/^go\.(mod|sum)$/)).toBe(true);
});

test('a context whose folder does not exist has nothing', () => {
  const ctx = new BuildContext(path.join(dir, 'nowhere'));
  expect(ctx.exists('package.json')).toBe(false);
  expect(ctx.entries()).toEqual([]);
  expect(ctx.readText('package.json')).toBeNull();
});
