/** A markdown report for a pull-request comment: the summary table, then each file's changes and findings. */
import * as path from 'path';
import type { FileResult } from '../types';
import type { FileError } from './json';
import { summaryRows } from './summary';

/** Escape text for a markdown table cell or a list item. */
export function mdEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([`*_<>[\]])/g, '\\$1').replace(/\r?\n/g, ' ');
}

export function markdownReport(results: FileResult[], errors: FileError[], cwd = process.cwd(), opts: { written?: boolean; maxDiffLines?: number } = {}): string {
  const rows = summaryRows(results, errors, cwd);
  const changed = results.filter((r) => r.changed);
  const out: string[] = [];
  out.push('## dockerize-optimize');
  out.push('');
  out.push(`${results.length + errors.length} Dockerfile(s): ${changed.length} ${opts.written ? 'rewritten' : 'can be optimized'}, ${results.filter((r) => r.skipped).length} skipped, ${errors.length} failed.`);
  out.push('');
  out.push('| file | stack | stages | runtime base | fixed | result |');
  out.push('| --- | --- | --- | --- | ---: | --- |');
  for (const r of rows) out.push(`| ${mdEscape(r.file)} | ${r.stack} | ${r.stages.replace('->', '→')} | ${r.runtime === '-' ? '-' : '`' + r.runtime.replace(/`/g, '') + '`'} | ${r.fixed} | ${mdEscape(r.status)} |`);
  const rel = (p: string) => path.relative(cwd, p).split(path.sep).join('/') || p;
  for (const r of results) {
    if (!r.changes.length && !r.findings.length) continue;
    out.push('');
    out.push(`<details><summary>${mdEscape(rel(r.path))}: ${r.changes.length} change(s), ${r.findings.length} finding(s)</summary>`);
    out.push('');
    for (const c of r.changes) out.push(`- **${c.ruleId}**${c.line ? ` (line ${c.line})` : ''}: ${mdEscape(c.message)}`);
    for (const f of r.findings) out.push(`- ${f.severity} **${f.ruleId}**${f.line ? ` (line ${f.line})` : ''}: ${mdEscape(f.message)}${f.fixed ? ' (fixed)' : ''}`);
    out.push('');
    out.push('</details>');
  }
  return out.join('\n') + '\n';
}
