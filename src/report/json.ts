/** The machine report (--json / --format json): one object, every file, every reason. */
import * as path from 'path';
import type { Discovered } from '../discovery';
import type { FileResult } from '../types';

export const REPORT_VERSION = 1;

export interface FileError {
  file: string;
  line?: number;
  message: string;
}

/** The --json report; its shape is docs/report.schema.json. `found` adds how each file was discovered. */
export function jsonReport(results: FileResult[], errors: FileError[], cwd = process.cwd(), found: Discovered[] = []) {
  const rel = (p: string) => path.relative(cwd, p).split(path.sep).join('/') || p;
  const how = new Map(found.map((d) => [path.resolve(d.file), d]));
  const discovery = (file: string) => {
    const d = how.get(path.resolve(file));
    if (!d || (!d.contextReason && !d.services?.length && !d.notes?.length)) return undefined;
    return {
      contextReason: d.contextReason ?? null,
      services: (d.services ?? []).map((s) => ({ compose: rel(s.compose), service: s.service, target: s.target ?? null })),
      notes: d.notes ?? [],
    };
  };
  return {
    tool: 'dockerize-optimize',
    version: REPORT_VERSION,
    files: results.map((r) => ({
      path: rel(r.path),
      context: path.relative(cwd, r.context).split(path.sep).join('/') || '.',
      stack: r.stack,
      changed: r.changed,
      skipped: r.skipped ?? null,
      stagesBefore: r.stagesBefore,
      stagesAfter: r.stagesAfter,
      runtimeBase: r.runtimeBase,
      changes: r.changes,
      findings: r.findings,
      output: r.output,
      sideFiles: r.sideFiles.map((s) => ({ path: rel(s.path), created: s.original === null, output: s.output })),
      ...(discovery(r.path) ? { discovery: discovery(r.path) } : {}),
    })),
    errors: errors.map((e) => ({ ...e, file: rel(e.file) })),
    summary: {
      files: results.length + errors.length,
      changed: results.filter((r) => r.changed).length,
      errors: errors.length,
    },
  };
}
