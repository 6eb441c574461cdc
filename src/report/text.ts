/** Human reports: --explain (every change with its rule id and reason) and findings. */
import * as path from 'path';
import type { FileResult } from '../types';

export function explain(r: FileResult, cwd = process.cwd()): string {
  const name = path.relative(cwd, r.path) || r.path;
  const lines: string[] = [];
  lines.push(`${name}: stack ${r.stack}, stages ${r.stagesBefore} -> ${r.stagesAfter}${r.runtimeBase ? `, runtime ${r.runtimeBase}` : ''}`);
  if (r.skipped && !r.findings.some((f) => /-DECLINED$|^STACK-UNKNOWN$/.test(f.ruleId))) lines.push(`  rewrite declined: ${r.skipped}`);
  for (const c of r.changes) {
    lines.push(`  ${c.ruleId}${c.line ? ` (line ${c.line})` : ''}: ${c.message}`);
    for (const h of c.hints ?? []) lines.push(`      ${h}`);
  }
  for (const f of r.findings) {
    lines.push(`  ${f.severity} ${f.ruleId}${f.line ? ` (line ${f.line})` : ''}: ${f.message}${f.fixed ? ' [fixed]' : ''}`);
  }
  if (!r.changed) lines.push('  no change');
  return lines.join('\n') + '\n';
}
