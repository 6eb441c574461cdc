/**
 * Runs a rule's table of cases through the real engine (src/rules/engine runRules), in the shape of
 * ESLint's RuleTester: `valid` inputs must produce no report of the rule, `invalid` ones must produce
 * exactly `output` (null: reported, not fixed) and the listed rule ids. Each case may bring build
 * context files (written to a temporary directory).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runRules, RulesOutcome } from '../../../src/rules/engine';
import type { Rule } from '../../../src/rules/rule';
import { BuildContext } from '../../../src/stack/context';
import type { StackName } from '../../../src/types';

export interface ValidCase {
  code: string;
  files?: Record<string, string>;
  stack?: StackName;
  name?: string;
}

export interface InvalidCase extends ValidCase {
  /** The fixed Dockerfile; null when the rule only reports. */
  output: string | null;
  /** Rule ids of the changes and findings expected (sorted, duplicates kept out). */
  ids?: string[];
  /** Substrings that must appear in some change/finding message or hint. */
  messages?: string[];
  /** Substrings that must appear in no message or hint (secret values). */
  notInMessages?: string[];
  /** Expected side files (path relative to the context -> content). */
  sideFiles?: Record<string, string>;
}

export interface RuleCases {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

export function runCase(rules: Rule[], c: ValidCase): RulesOutcome {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'do-rule-'));
  try {
    for (const [rel, content] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    return runRules(c.code, path.join(dir, 'Dockerfile'), rules, { ctx: new BuildContext(dir), stack: c.stack ?? 'unknown', options: {}, rewritten: false });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function idsOf(o: RulesOutcome): string[] {
  return [...new Set([...o.changes.map((c) => c.ruleId), ...o.findings.map((f) => f.ruleId)])].sort();
}

/** Registers jest tests for a rule's cases. `others` run alongside (for rules whose fixes combine). */
export function ruleTester(rule: Rule, cases: RuleCases, others: Rule[] = []): void {
  const rules = [rule, ...others];
  describe(`${rule.id}`, () => {
    cases.valid.forEach((v, i) => {
      const c = typeof v === 'string' ? { code: v } : v;
      test(`valid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
        const o = runCase(rules, c);
        const mine = [...o.changes, ...o.findings].filter((x) => x.ruleId === rule.id);
        expect(mine.map((m) => m.message)).toEqual([]);
        expect(o.text).toBe(c.code);
      });
    });
    cases.invalid.forEach((c, i) => {
      test(`invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
        const o = runCase(rules, c);
        expect(idsOf(o)).toEqual(c.ids ?? [rule.id]);
        expect(o.text).toBe(c.output ?? c.code);
        const texts = [...o.changes.flatMap((x) => [x.message, ...(x.hints ?? [])]), ...o.findings.map((f) => f.message)];
        for (const m of c.messages ?? []) expect(texts.join('\n')).toContain(m);
        for (const m of c.notInMessages ?? []) expect(texts.join('\n')).not.toContain(m);
        if (c.sideFiles) {
          const got: Record<string, string> = {};
          for (const sf of o.sideFiles) got[path.basename(sf.path)] = sf.output;
          expect(got).toEqual(c.sideFiles);
        }
        // A fixed output is a fixed point: the rules have nothing more to change in it.
        if (c.output !== null) {
          const again = runCase(rules, { ...c, code: o.text });
          expect(again.text).toBe(o.text);
        }
      });
    });
  });
}
