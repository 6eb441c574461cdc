/** The end-of-run summary table, the stderr progress bar, and severity ordering for --fail-on. */
import * as path from 'path';
import type { FileResult, Severity } from '../types';
import type { FileError } from './json';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Whether severity `s` is at or above `min` (error > warning > info). */
export function atOrAbove(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}

export interface SummaryRow {
  file: string;
  stack: string;
  stages: string;
  runtime: string;
  fixed: number;
  status: string;
}

export function summaryRows(results: FileResult[], errors: FileError[], cwd = process.cwd()): SummaryRow[] {
  const rel = (p: string) => path.relative(cwd, p).split(path.sep).join('/') || p;
  const rows: SummaryRow[] = results.map((r) => ({
    file: rel(r.path),
    stack: r.stack,
    stages: `${r.stagesBefore} -> ${r.stagesAfter}`,
    runtime: r.runtimeBase ?? '-',
    fixed: r.findings.filter((f) => f.fixed).length,
    status: r.skipped ? `skipped: ${r.skipped}` : r.changed ? 'changed' : 'unchanged',
  }));
  for (const e of errors) rows.push({ file: rel(e.file) + (e.line ? `:${e.line}` : ''), stack: '-', stages: '-', runtime: '-', fixed: 0, status: `error: ${e.message}` });
  return rows.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** A plain-text table (one line per file), then the totals. */
export function summaryTable(results: FileResult[], errors: FileError[], cwd = process.cwd(), maxStatus = 80): string {
  const rows = summaryRows(results, errors, cwd);
  const head = ['file', 'stack', 'stages', 'runtime base', 'fixed', 'result'];
  const cells = rows.map((r) => [r.file, r.stack, r.stages, r.runtime, String(r.fixed), r.status.length > maxStatus ? r.status.slice(0, maxStatus - 1) + '…' : r.status]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  const changed = results.filter((r) => r.changed).length;
  const skipped = results.filter((r) => r.skipped).length;
  out.push(`${results.length + errors.length} file(s): ${changed} to change, ${skipped} skipped, ${errors.length} failed`);
  return out.join('\n') + '\n';
}

/** A one-line progress bar redrawn in place (stderr, terminals only). */
export function progressBar(write: (s: string) => void, width = 30) {
  let last = -1;
  const started = Date.now();
  return {
    update(done: number, total: number) {
      const pct = Math.floor((done / total) * 100);
      if (pct === last && done !== total) return;
      last = pct;
      const fill = Math.round((done / total) * width);
      const secs = (Date.now() - started) / 1000;
      write(`\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${total} ${pct}% ${secs.toFixed(1)}s`);
    },
    done() {
      if (last >= 0) write('\r\u001b[K');
    },
  };
}
