/**
 * The shell layer: the WebAssembly build of mvdan.cc/sh (dist/shparse.wasm, made by `npm run build`)
 * and the GopherJS fallback (mvdan-sh) must reduce every script to the same commands. Checked on a
 * table of tricky scripts and on every RUN script of the real-world corpora.
 */
import * as fs from 'fs';
import { isDeepStrictEqual } from 'util';
import { paramNames, paramNamesWithGopherJs, paramNamesWithWasm, parseShell, parseWithGopherJs, parseWithWasm, ParsedShell, splitTopLevel } from '../../src/shell/index';
import { wasmAvailable, wasmPath } from '../../src/shell/wasm';
import { parseDockerfile } from '../../src/model/parse';
import { corporaDir as corpora, corpusFiles } from '../support/corpora';

const viaWasm = parseWithWasm;

const hasWasm = wasmPath() !== null;
if (!hasWasm && process.env.CI === 'true') throw new Error('dist/shparse.wasm is missing: `npm run build` builds it (Go 1.24+)');
const withWasm = hasWasm ? describe : describe.skip;

type Brief = [name: string, argv: (string | null)[], next: string | null, flags?: string];
function brief(p: ParsedShell): Brief[] {
  return p.commands.map((c) => [c.name, c.argv.map((w) => w.value), c.next, [c.inPipeline && 'pipe', c.inSubshell && 'sub', c.negated && 'not'].filter(Boolean).join(',') || undefined] as Brief).map((b) => (b[3] === undefined ? (b.slice(0, 3) as Brief) : b));
}

const cases: { script: string; commands: Brief[]; complex?: boolean; ok?: boolean }[] = [
  { script: 'apt-get update && apt-get install -y curl', commands: [['apt-get', ['apt-get', 'update'], '&&'], ['apt-get', ['apt-get', 'install', '-y', 'curl'], null]] },
  { script: 'a; b & c || d', commands: [['a', ['a'], ';'], ['b', ['b'], '&'], ['c', ['c'], '||'], ['d', ['d'], null]] },
  { script: 'curl -fsSL "$URL" | tar -xz -C /opt', commands: [['curl', ['curl', '-fsSL', null], '|', 'pipe'], ['tar', ['tar', '-xz', '-C', '/opt'], null, 'pipe']] },
  { script: "echo 'a b' \"c\\\"d\" e\\ f", commands: [['echo', ['echo', 'a b', 'c"d', 'e f'], null]] },
  { script: 'NODE_ENV=production npm ci --omit=dev', commands: [['npm', ['npm', 'ci', '--omit=dev'], null]] },
  { script: '(cd /app && make) && ! grep -q x f', commands: [['cd', ['cd', '/app'], '&&', 'sub'], ['make', ['make'], '&&', 'sub'], ['grep', ['grep', '-q', 'x', 'f'], null, 'not']] },
  { script: 'if [ -f a ]; then rm a; fi', complex: true, commands: [['[', ['[', '-f', 'a', ']'], null, 'sub'], ['rm', ['rm', 'a'], null, 'sub']] },
  { script: 'cat <<EOF > f\nhi\nEOF', complex: true, commands: [['cat', ['cat'], null]] },
  { script: 'echo $(date) `id` $((1+2)) ${A:-b}', commands: [['echo', ['echo', null, null, null, null], null]] },
  { script: 'apt-get install -y \\\n    curl \\\n    git', commands: [['apt-get', ['apt-get', 'install', '-y', 'curl', 'git'], null]] },
  { script: 'echo héllo && ls ✓', commands: [['echo', ['echo', 'héllo'], '&&'], ['ls', ['ls', '✓'], null]] },
  // values that are not a piece of the source (unescaped), after multi-byte characters
  { script: 'X=é\\"y echo "é\\"x" \'ü\' ✓\\ z $É ü$B', commands: [['echo', ['echo', 'é"x', 'ü', '✓ z', '$É', null], null]] },
  { script: 'if then', ok: false, commands: [] },
  { script: 'echo "unterminated', ok: false, commands: [] },
];

describe.each([
  ['WebAssembly', viaWasm],
  ['GopherJS', parseWithGopherJs],
] as const)('%s parser', (name, parse) => {
  if (name === 'WebAssembly' && !hasWasm) return;
  test.each(cases)('$script', ({ script, commands, complex, ok }) => {
    const p = parse(script);
    expect(p.ok).toBe(ok ?? true);
    if (p.ok) {
      expect(p.complex).toBe(complex ?? false);
      expect(brief(p)).toEqual(commands);
    } else {
      expect(p.error).toMatch(/^\d+:\d+: /);
    }
  });

  test('byte offsets and source text of a command after a multi-byte character', () => {
    const p = parse('echo ✓ && apt-get install -y x > /dev/null');
    const c = p.commands[1];
    expect(c.text).toBe('apt-get install -y x > /dev/null');
    expect(Buffer.from(p.source).subarray(c.start, c.end).toString()).toBe(c.text);
    expect(c.redirects).toEqual(['> /dev/null']);
  });
});

withWasm('the WebAssembly parser against the GopherJS one', () => {
  test('is the one in use', () => {
    expect(wasmAvailable()).toBe(true);
    expect(parseShell('true').commands[0].name).toBe('true');
  });

  test('parameter names agree', () => {
    for (const s of ['echo ${A:-$B} "$C" $((D+1)) ${#E[@]}', 'x=$(cat /run/secrets/t) && echo "$x"', 'if then', 'echo é "ü${A:-$B}" ✓$C']) {
      const a = paramNamesWithWasm(s);
      const b = paramNamesWithGopherJs(s);
      expect(a && [...a].sort()).toEqual(b && [...b].sort());
      expect(paramNames(s)).toEqual(b);
    }
  });

  test('every RUN script of the corpora reduces to the same commands (parse errors: both fail)', () => {
    const scripts = new Set<string>();
    for (const { name, text } of corpusFiles()) {
      try {
        for (const ins of parseDockerfile(text, name).instructions) if (ins.keyword === 'RUN' && !ins.json && ins.body) scripts.add(ins.body);
      } catch {
        // a file that is not a Dockerfile has no scripts
      }
    }
    for (const c of cases) scripts.add(c.script);
    // The GopherJS side takes ~2 ms a script: an even sample of 6,000 keeps this test near 12 s (all
    // 13,000-odd agree too: SHELL_DIFF_ALL=1).
    const all = [...scripts].sort();
    const step = process.env.SHELL_DIFF_ALL === '1' ? 1 : Math.max(1, Math.floor(all.length / 6000));
    const sample = all.filter((_, i) => i % step === 0);
    const differing: string[] = [];
    let failed = 0;
    for (const s of sample) {
      const a = viaWasm(s);
      const b = parseWithGopherJs(s);
      if (!a.ok && !b.ok) {
        failed++;
        continue;
      }
      if (!isDeepStrictEqual(a, b)) differing.push(s);
    }
    expect(differing).toEqual([]);
    expect(sample.length).toBeGreaterThan(fs.existsSync(corpora) ? 5000 : cases.length - 1);
    expect(failed).toBeGreaterThan(0);
  }, 300000);

  test('the parser is reused: a script after a parse error reads as it does alone', () => {
    const good = 'echo "`id`" && [[ $a =~ ^(x|y)$ ]] && cat <<EOF | tr a b\nhi\nEOF';
    const alone = parseWithGopherJs(good);
    for (const bad of ['echo `a \\`b', 'cat <<EOF\nx', '[[ $a =~ ( ]]', 'echo "$(', 'if then', 'a && (b']) {
      expect(viaWasm(bad).ok).toBe(false);
      expect(viaWasm(good)).toEqual(alone);
    }
  });

  test('splitTopLevel reads through the same layer', () => {
    expect(splitTopLevel('a && b; c')).toEqual(['a', 'b', 'c']);
    expect(splitTopLevel('a || b')).toBeNull();
  });
});
