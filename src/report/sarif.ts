/**
 * SARIF 2.1.0 for code scanning: one run, a rule descriptor per rule id seen, one result per finding
 * (level from its severity), one note per file the rewrite would change, and every file that could
 * not be read as a tool execution notification. Locations are relative to the working directory.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { FileResult, Severity } from '../types';
import type { FileError } from './json';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const REWRITE_RULE = 'DO-REWRITE';
const INFO_URI = 'https://www.npmjs.com/package/dockerize-optimize';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** Known one-line descriptions: the cross-cutting rules' own, when they load. */
function ruleDescriptions(): Map<string, string> {
  const out = new Map<string, string>([[REWRITE_RULE, 'The Dockerfile can be rewritten into a production multi-stage build']]);
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { RULES } = require('../../transforms/common/rules') as typeof import('../../transforms/common/rules');
    for (const r of RULES) out.set(r.id, r.description);
  } catch {
    /* descriptions fall back to the first message */
  }
  return out;
}

export function sarifReport(results: FileResult[], errors: FileError[], cwd = process.cwd(), version = '0.0.0') {
  const location = (file: string, line?: number) => {
    const rel = path.relative(cwd, path.resolve(cwd, file));
    const inside = rel && !rel.startsWith('..') && !path.isAbsolute(rel);
    const artifactLocation = inside
      ? { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' }
      : { uri: pathToFileURL(path.resolve(cwd, file)).href };
    return { physicalLocation: { artifactLocation, ...(line && line > 0 ? { region: { startLine: line } } : {}) } };
  };
  const known = ruleDescriptions();
  const rules: { id: string; shortDescription: { text: string }; helpUri?: string }[] = [];
  const index = new Map<string, number>();
  const ruleIndex = (id: string, firstMessage: string) => {
    let i = index.get(id);
    if (i === undefined) {
      i = rules.length;
      index.set(id, i);
      rules.push({ id, shortDescription: { text: known.get(id) ?? firstMessage } });
    }
    return i;
  };
  const sarifResults = [];
  for (const r of results) {
    if (r.changed) {
      const msg = `${r.stack === 'unknown' ? 'fixes' : `${r.stack}: stages ${r.stagesBefore} -> ${r.stagesAfter}${r.runtimeBase ? `, runtime ${r.runtimeBase}` : ''}`}; ${r.changes.length} change(s): ${[...new Set(r.changes.map((c) => c.ruleId))].join(', ')}`;
      sarifResults.push({
        ruleId: REWRITE_RULE,
        ruleIndex: ruleIndex(REWRITE_RULE, msg),
        level: 'note' as const,
        message: { text: `dockerize-optimize would rewrite this file (${msg})` },
        locations: [location(r.path, 1)],
        properties: { changes: r.changes.map((c) => ({ ruleId: c.ruleId, line: c.line ?? null, message: c.message })) },
      });
    }
    for (const f of r.findings) {
      sarifResults.push({
        ruleId: f.ruleId,
        ruleIndex: ruleIndex(f.ruleId, f.message),
        level: LEVEL[f.severity],
        message: { text: f.message + (f.fixed ? ' (fixed by the rewrite)' : '') },
        locations: [location(r.path, f.line)],
        properties: { fixed: f.fixed },
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver: { name: 'dockerize-optimize', version, informationUri: INFO_URI, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
        invocations: [
          {
            executionSuccessful: errors.length === 0,
            toolExecutionNotifications: errors.map((e) => ({ level: 'error' as const, message: { text: e.message }, locations: [location(e.file, e.line)] })),
          },
        ],
        results: sarifResults,
      },
    ],
  };
}
