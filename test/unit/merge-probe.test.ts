/**
 * DO-MERGE-RUNS asks whether `<script> && true` still runs `true` (a trailing comment would swallow
 * it). endsPlain answers from the script's own parse where it can; it must never answer where the
 * parser with the probe appended would say otherwise.
 */
import { endsPlain, takesAndTrue } from '../../transforms/common/rules/merge-runs';
import { parseShell } from '../../src/shell';
import { parseDockerfile } from '../../src/model/parse';
import { corpusFiles } from '../support/corpora';

const script = (text: string) => ({ text, parsed: parseShell(text) });

describe('endsPlain', () => {
  test.each<[string, true | null, boolean]>([
    ['apt-get update && apt-get install -y curl', true, true],
    ['make | tee log', true, true],
    ['echo "a # not a comment"', true, true],
    ['echo a   ', true, true],
    ['echo a # done', null, false],
    ['echo a;', null, false],
    ['echo a &', null, false],
    ['! grep x f', null, true],
    ['(cd /x && make)', null, true],
    ['if true; then echo a; fi', null, true],
    ['echo a; # end', null, false],
  ])('%j -> %s (probe: %s)', (text, fast, probe) => {
    const s = script(text);
    expect(endsPlain(s)).toBe(fast);
    expect(takesAndTrue(text, s.parsed.commands.length)).toBe(probe);
  });

  const corpus = corpusFiles();
  (corpus.length ? test : test.skip)('agrees with the probe on every corpus RUN script it answers', () => {
    const seen = new Set<string>();
    let answered = 0;
    const wrong: string[] = [];
    for (const f of corpus) {
      let m;
      try {
        m = parseDockerfile(f.text, f.name);
      } catch {
        continue;
      }
      for (const ins of m.instructions) {
        if (ins.keyword !== 'RUN' || ins.json || ins.heredoc || !ins.body || seen.has(ins.body)) continue;
        seen.add(ins.body);
        const s = script(ins.body);
        if (endsPlain(s) === null) continue;
        answered++;
        if (!takesAndTrue(s.text, s.parsed.commands.length)) wrong.push(s.text);
      }
    }
    expect(wrong).toEqual([]);
    expect(answered).toBeGreaterThan(seen.size / 2);
  }, 120000);
});
