/**
 * The Dockerfile model: dockerfile-ast parses, this module keeps what a faithful rewrite needs —
 * exact source lines of every instruction (continuations and embedded comments included), the
 * comments and blank lines that lead up to it, parser directives, line endings, BOM, stages.
 */
import { DockerfileParser } from 'dockerfile-ast';
import './ast-speed';
import { InputError } from '../types';

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

export interface Flag {
  name: string;
  value: string | null;
}

export interface Instruction {
  /** Upper-case keyword. */
  keyword: string;
  /** Index in model.instructions. */
  index: number;
  /** 0-based first and last source line. */
  startLine: number;
  endLine: number;
  /** Exact source lines [startLine..endLine] (no line terminators). */
  lines: string[];
  /** Comment and blank lines directly above, after the previous instruction (or header). */
  leading: string[];
  /** Argument values as dockerfile-ast sees them (quotes kept, continuations joined). */
  args: string[];
  flags: Flag[];
  /**
   * The instruction's text after the keyword and its flags, with escaped newlines joined and comment
   * lines inside continuations dropped. For RUN/CMD/ENTRYPOINT in shell form: the shell script.
   */
  body: string;
  /** Exec (JSON) form array for RUN/CMD/ENTRYPOINT/SHELL, else null. */
  json: string[] | null;
  /** Stage this instruction belongs to; -1 for ARGs before the first FROM. */
  stage: number;
  /** True when the body holds a heredoc (`<<EOF`). */
  heredoc: boolean;
}

export interface Stage {
  index: number;
  from: Instruction;
  /** Image reference as written (may contain ${ARG}). */
  image: string;
  /** `AS name`, lower-cased as BuildKit does; null when unnamed. */
  name: string | null;
  platform: string | null;
  instructions: Instruction[];
}

export interface Directive {
  name: string;
  value: string;
  line: number;
}

export interface DockerfileModel {
  path: string;
  text: string;
  eol: '\n' | '\r\n';
  bom: boolean;
  /** Whether the text ends with a line terminator. */
  finalNewline: boolean;
  escape: string;
  directives: Directive[];
  /** Every source line (BOM stripped, no terminators). */
  sourceLines: string[];
  /** Number of leading lines that are parser directives. */
  directiveLines: number;
  instructions: Instruction[];
  stages: Stage[];
  /** Comment/blank lines after the last instruction. */
  trailing: string[];
}

function isBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  let control = 0;
  const n = Math.min(text.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32) || c === 0xfffd) control++;
  }
  return n > 0 && control / n > 0.05;
}

/** Joins continuation lines of an instruction's source into one logical body. */
export function joinContinuations(rawLines: string[], escape: string): string {
  const parts: string[] = [];
  for (let i = 0; i < rawLines.length; i++) {
    let line = rawLines[i];
    if (i > 0) {
      const trimmed = line.trimStart();
      // Comment lines and empty lines inside a continuation are not part of the instruction.
      if (trimmed.startsWith('#') || trimmed === '') continue;
    }
    const stripped = line.replace(/[ \t]+$/, '');
    if (i < rawLines.length - 1 && stripped.endsWith(escape)) {
      line = stripped.slice(0, -escape.length);
    }
    parts.push(line);
  }
  return parts.join('');
}

/**
 * Parses a Dockerfile into its model. The pipeline parses the same text several times (the original,
 * the rules engine's first pass, the final check), so the last few models are kept and shared:
 * a model is read-only for every consumer.
 */
export function parseDockerfile(rawText: string, path = 'Dockerfile'): DockerfileModel {
  const key = `${path}\u0000${rawText}`;
  const hit = parseCache.get(key);
  if (hit) return hit;
  const model = parseDockerfileUncached(rawText, path);
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value as string);
  parseCache.set(key, model);
  return model;
}

const PARSE_CACHE_SIZE = 6;
const parseCache = new Map<string, DockerfileModel>();

function parseDockerfileUncached(rawText: string, path = 'Dockerfile'): DockerfileModel {
  if (rawText.length === 0 || rawText.trim() === '') throw new InputError(path, undefined, 'the file is empty');
  if (isBinary(rawText)) throw new InputError(path, undefined, 'the file is binary, not a Dockerfile');
  const bom = rawText.charCodeAt(0) === 0xfeff;
  const text = bom ? rawText.slice(1) : rawText;
  const crlf = (text.match(/\r\n/g) || []).length;
  const lf = (text.match(/\n/g) || []).length;
  const eol: '\n' | '\r\n' = crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
  const finalNewline = /\n$/.test(text);
  const sourceLines = text.split(/\r?\n/);
  if (finalNewline) sourceLines.pop();

  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter();
  const directives: Directive[] = ast.getDirectives().map((d) => ({
    name: d.getName().toLowerCase(),
    value: d.getValue(),
    line: d.getRange().start.line,
  }));
  let directiveLines = 0;
  for (const d of directives) directiveLines = Math.max(directiveLines, d.line + 1);

  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  let prevEnd = directiveLines - 1;
  let stageIndex = -1;
  for (const ins of ast.getInstructions()) {
    const range = ins.getRange();
    const keyword = ins.getKeyword().toUpperCase();
    const startLine = range.start.line;
    let endLine = range.end.line;
    // dockerfile-ast ends a range at the last argument; a trailing escape on the last line is ours too.
    while (endLine + 1 < sourceLines.length && sourceLines[endLine].replace(/[ \t]+$/, '').endsWith(escape) && !isComment(sourceLines[endLine])) {
      const next = sourceLines[endLine + 1];
      if (next === undefined) break;
      endLine++;
    }
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      throw new InputError(path, startLine + 1, `unknown instruction '${ins.getKeyword()}'`);
    }
    const leading = sourceLines.slice(prevEnd + 1, startLine);
    const lines = sourceLines.slice(startLine, endLine + 1);
    const flags: Flag[] = [];
    const getFlags = (ins as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags;
    if (typeof getFlags === 'function') {
      for (const f of getFlags.call(ins)) flags.push({ name: f.getName(), value: f.getValue() });
    }
    // getArguments() re-scans the instruction's text on every call: once per instruction.
    const argList = ins.getArguments();
    const args = argList.map((a) => a.getValue());
    const body = computeBody({ getArguments: () => argList, getRange: () => range }, sourceLines, escape);
    let json: string[] | null = null;
    if (['RUN', 'CMD', 'ENTRYPOINT', 'SHELL'].includes(keyword)) json = parseJsonForm(body);
    if (keyword === 'FROM') stageIndex++;
    const model: Instruction = {
      keyword,
      index: instructions.length,
      startLine,
      endLine,
      lines,
      leading,
      args,
      flags,
      body,
      json,
      stage: stageIndex,
      heredoc: /<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?/.test(lines[0]) && ['RUN', 'COPY', 'ADD'].includes(keyword),
    };
    instructions.push(model);
    if (keyword === 'FROM') {
      const a = args;
      const asIdx = a.findIndex((x) => x.toUpperCase() === 'AS');
      const platform = flags.find((f) => f.name === 'platform')?.value ?? null;
      stages.push({
        index: stageIndex,
        from: model,
        image: a[0] ?? '',
        name: asIdx >= 0 && a[asIdx + 1] ? a[asIdx + 1].toLowerCase() : null,
        platform,
        instructions: [],
      });
    } else if (stageIndex >= 0) {
      stages[stageIndex].instructions.push(model);
    } else if (keyword !== 'ARG') {
      throw new InputError(path, startLine + 1, `'${keyword}' before the first FROM (only ARG may come before FROM)`);
    }
    prevEnd = endLine;
  }
  if (stages.length === 0) {
    throw new InputError(path, undefined, 'no FROM instruction: this is not a Dockerfile');
  }
  const trailing = sourceLines.slice(prevEnd + 1);
  return { path, text: rawText, eol, bom, finalNewline, escape, directives, sourceLines, directiveLines, instructions, stages, trailing };
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith('#');
}

function computeBody(ins: { getArguments(): { getRange(): { start: { line: number; character: number } } }[]; getRange(): { start: { line: number; character: number }; end: { line: number; character: number } } }, sourceLines: string[], escape: string): string {
  const argsList = ins.getArguments();
  if (argsList.length === 0) return '';
  const start = argsList[0].getRange().start;
  const end = ins.getRange().end;
  const raw: string[] = [];
  for (let l = start.line; l <= end.line; l++) {
    let line = sourceLines[l] ?? '';
    if (l === start.line) line = line.slice(start.character);
    raw.push(line);
  }
  return joinContinuations(raw, escape).trim();
}

/** Parses the exec (JSON array of strings) form; null when the text is shell form or invalid JSON. */
export function parseJsonForm(body: string): string[] | null {
  const t = body.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    /* shell form that happens to start with '[' */
  }
  return null;
}

/** Value of a flag such as COPY --from=x; undefined when absent. */
export function flagOf(ins: Instruction, name: string): string | null | undefined {
  const f = ins.flags.find((x) => x.name === name);
  return f ? f.value : undefined;
}
