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

/**
 * A line between instructions that JavaScript reads as blank but BuildKit does not: BuildKit's blank is
 * ASCII white space only, so a stray byte-order mark or a no-break space there starts an instruction
 * that does not exist (BuildKit refuses the file). Refused here too, naming the line.
 */
function refuseInvisibleLines(path: string, lines: string[], first: number): void {
  lines.forEach((l, i) => {
    if (!isInvisibleLine(l)) return;
    const ch = /[^ \t\r\n\v\f]/.exec(l)![0];
    throw new InputError(path, first + i + 1, `unknown instruction: the line holds only an invisible character (U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}), which BuildKit reads as one`);
  });
}

function isInvisibleLine(l: string): boolean {
  return l.trim() === '' && /[^ \t\r\n\v\f]/.test(l);
}

/** The line that gives dockerfile-ast a file's escape character when a part of it is parsed alone. */
function escapePrefixOf(escape: string): string[] {
  return escape === '\\' ? [] : [`# escape=${escape}`];
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
    // BuildKit drops a continuation escape (and blanks after it) on every line, the last one included
    // (a file may end inside a continuation), but not an escaped escape.
    if (continues(line, escape)) line = line.replace(/\r+$/, '').replace(/[ \t]+$/, '').slice(0, -escape.length);
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
  return remember(key, parseDockerfileUncached(rawText, path));
}

const PARSE_CACHE_SIZE = 6;
const parseCache = new Map<string, DockerfileModel>();

/** Keeps a model in the parse cache (the oldest of a full cache goes); returns it. */
function remember(key: string, model: DockerfileModel): DockerfileModel {
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value as string);
  parseCache.set(key, model);
  return model;
}

function parseDockerfileUncached(rawText: string, path = 'Dockerfile'): DockerfileModel {
  if (rawText.length === 0 || rawText.trim() === '') throw new InputError(path, undefined, 'the file is empty');
  if (isBinary(rawText)) throw new InputError(path, undefined, 'binary content: not a text Dockerfile');
  const { bom, text, eol, finalNewline, sourceLines } = splitText(rawText);

  // BuildKit ends lines at LF only and drops the CRs before it; dockerfile-ast also breaks at a lone CR.
  // A CR inside a line is blank space to BuildKit's word splitting, so dockerfile-ast sees a space there.
  const ast = DockerfileParser.parse(loneCrToSpace(text));
  const escape = ast.getEscapeCharacter();
  const directives: Directive[] = ast.getDirectives().map((d) => ({
    name: d.getName().toLowerCase(),
    value: d.getValue(),
    line: d.getRange().start.line,
  }));
  let directiveLines = 0;
  for (const d of directives) directiveLines = Math.max(directiveLines, d.line + 1);

  const walk: Walk = { path, sourceLines, escape, instructions: [], prevEnd: directiveLines - 1, stageIndex: -1 };
  readInstructions(walk, ast.getInstructions().map((ins) => ({ ins, off: 0 })));
  const { instructions } = walk;
  if (!instructions.some((i) => i.keyword === 'FROM')) {
    throw new InputError(path, undefined, 'no FROM instruction: this is not a Dockerfile');
  }
  const trailing = sourceLines.slice(walk.prevEnd + 1);
  refuseInvisibleLines(path, trailing, walk.prevEnd + 1);
  return { path, text: rawText, eol, bom, finalNewline, escape, directives, sourceLines, directiveLines, instructions, stages: stagesOf(instructions), trailing };
}

/** A text's byte-order mark, line terminator, final newline and lines (terminators dropped). */
function splitText(rawText: string): { bom: boolean; text: string; eol: '\n' | '\r\n'; finalNewline: boolean; sourceLines: string[] } {
  const bom = rawText.charCodeAt(0) === 0xfeff;
  const text = bom ? rawText.slice(1) : rawText;
  const crlf = (text.match(/\r\n/g) || []).length;
  const lf = (text.match(/\n/g) || []).length;
  const eol: '\n' | '\r\n' = crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
  const finalNewline = /\n$/.test(text);
  const sourceLines = text.split(/\r?\n/);
  if (finalNewline) sourceLines.pop();
  return { bom, text, eol, finalNewline, sourceLines };
}

/** Source lines [startLine..endLine] (0-based) replaced by `lines`; endLine = startLine - 1 inserts before startLine. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  lines: string[];
}

let incrementalMode: 'on' | 'off' | 'verify' = 'on';
const incrementalCounts = { incremental: 0, full: 0, mismatches: 0 };

/**
 * Incremental parsing on (the default), off, or 'verify' (each incremental model is compared with a full
 * parse of the same text and differences are counted: the tests' check that both agree).
 */
export function setIncrementalParse(mode: 'on' | 'off' | 'verify'): void {
  incrementalMode = mode;
}

/** How many edited texts were parsed incrementally and in full, and (in 'verify' mode) how many models differed. */
export function incrementalParseCounts(): { incremental: number; full: number; mismatches: number } {
  return { ...incrementalCounts };
}

/**
 * The model of `rawText`, which is `prev`'s text with `edits` applied (the rules engine's passes): only
 * the instructions the edits touch are parsed again, the others are reused with their lines moved. Where
 * a region cannot be read on its own (near the parser directives, an `# escape=` comment, a continuation
 * or heredoc that runs past the region) the whole text is parsed. Throws like parseDockerfile.
 */
export function parseEdited(prev: DockerfileModel, edits: LineEdit[], rawText: string): DockerfileModel {
  const key = `${prev.path}\u0000${rawText}`;
  const hit = parseCache.get(key);
  if (hit) return hit;
  let model = incrementalMode === 'off' ? null : incremental(prev, edits, rawText);
  if (model) {
    incrementalCounts.incremental++;
    if (incrementalMode === 'verify' && JSON.stringify(model) !== JSON.stringify(parseDockerfileUncached(rawText, prev.path))) incrementalCounts.mismatches++;
  } else {
    incrementalCounts.full++;
    model = parseDockerfileUncached(rawText, prev.path);
  }
  return remember(key, model);
}

const DIRECTIVE_LIKE = /^\s*#\s*[A-Za-z][A-Za-z0-9_-]*\s*=/;
const ESCAPE_LIKE = /^\s*#\s*escape\s*=/i;

/** parseEdited's region parse; null where only a full parse can tell (it then gives the answer, or the error). */
function incremental(prev: DockerfileModel, edits: LineEdit[], rawText: string): DockerfileModel | null {
  const old = prev.instructions;
  if (edits.length === 0 || old.length === 0 || rawText.trim() === '' || isBinary(rawText)) return null;
  const { bom, eol, finalNewline, sourceLines } = splitText(rawText);
  if (bom !== prev.bom || eol !== prev.eol || finalNewline !== prev.finalNewline) return null;
  // The instruction whose span (its leading lines, then its own) holds a line; old.length: the trailing lines.
  const ownerOf = (line: number): number => {
    let lo = 0;
    let hi = old.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (old[mid].endLine >= line) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let first = Infinity;
  let last = -1;
  let delta = 0;
  let nearHeader = false;
  for (const e of edits) {
    if (e.lines.some((l) => l.includes('\n') || l.endsWith('\r'))) return null;
    if (e.startLine < prev.directiveLines) return null;
    if (e.startLine <= prev.directiveLines) nearHeader = true;
    first = Math.min(first, ownerOf(e.startLine));
    last = Math.max(last, e.endLine >= e.startLine ? ownerOf(e.endLine) : ownerOf(e.startLine));
    delta += e.lines.length - (e.endLine - e.startLine + 1);
  }
  if (sourceLines.length !== prev.sourceLines.length + delta) return null;
  // A comment written where the parser directives end could become one.
  if (nearHeader) {
    for (let l = prev.directiveLines; l < sourceLines.length && (sourceLines[l].trim() === '' || isComment(sourceLines[l])); l++) {
      if (DIRECTIVE_LIKE.test(sourceLines[l])) return null;
    }
  }
  const start = first === 0 ? prev.directiveLines : old[first - 1].endLine + 1;
  const end = (last === old.length ? prev.sourceLines.length - 1 : old[last].endLine) + delta;
  for (let l = start; l <= end; l++) if (ESCAPE_LIKE.test(sourceLines[l])) return null;
  const walk: Walk = {
    path: prev.path,
    sourceLines,
    escape: prev.escape,
    instructions: old.slice(0, first),
    prevEnd: start - 1,
    stageIndex: first > 0 ? old[first - 1].stage : -1,
  };
  try {
    if (end >= start) readInstructions(walk, reparse(sourceLines, start, end, escapePrefixOf(prev.escape)));
  } catch {
    return null;
  }
  // The region must end where it ended before: a continuation or heredoc running on is the full parse's.
  if (walk.prevEnd > end) return null;
  const { instructions } = walk;
  let trailing = prev.trailing;
  if (last === old.length) {
    trailing = sourceLines.slice(walk.prevEnd + 1);
    if (trailing.some(isInvisibleLine)) return null;
  } else {
    const shift = walk.stageIndex - old[last].stage;
    for (let j = last + 1; j < old.length; j++) {
      const o = old[j];
      const stage = o.stage + shift;
      if (stage < 0 && o.keyword !== 'ARG') return null;
      const moved: Instruction = { ...o, index: instructions.length, startLine: o.startLine + delta, endLine: o.endLine + delta, stage };
      if (j === last + 1) {
        moved.leading = sourceLines.slice(walk.prevEnd + 1, moved.startLine);
        if (moved.leading.some(isInvisibleLine)) return null;
      }
      instructions.push(moved);
    }
  }
  if (!instructions.some((i) => i.keyword === 'FROM')) return null;
  return { path: prev.path, text: rawText, eol, bom, finalNewline, escape: prev.escape, directives: prev.directives, sourceLines, directiveLines: prev.directiveLines, instructions, stages: stagesOf(instructions), trailing };
}

/** The state of a walk over the file's instructions: what is read so far and where it ended. */
interface Walk {
  path: string;
  sourceLines: string[];
  escape: string;
  instructions: Instruction[];
  /** Last source line read (the end of the last instruction, or the line before the first one). */
  prevEnd: number;
  /** Stage of the last instruction read (-1 before the first FROM). */
  stageIndex: number;
}

/** Turns dockerfile-ast's instructions (each with the line offset of the text it was parsed from) into the model's, appending to the walk. */
function readInstructions(walk: Walk, queue: { ins: AstInstruction; off: number }[]): void {
  const { path, sourceLines, escape, instructions } = walk;
  const escapePrefix = escapePrefixOf(escape);
  // Where dockerfile-ast joins lines that BuildKit keeps apart (a line ending in an escaped escape,
  // `C:\\`), the joined lines are parsed again on their own, so instruction boundaries are BuildKit's.
  while (queue.length > 0) {
    const { ins, off } = queue.shift()!;
    const range = ins.getRange();
    const keyword = ins.getKeyword().toUpperCase();
    const startLine = range.start.line + off;
    // A range may end on the empty line after a final line terminator.
    let endLine = Math.min(range.end.line + off, sourceLines.length - 1);
    // dockerfile-ast ends a range at the last argument; a trailing escape on the last line is ours too.
    while (endLine + 1 < sourceLines.length && continues(sourceLines[endLine], escape) && !isComment(sourceLines[endLine])) {
      const next = sourceLines[endLine + 1];
      if (next === undefined) break;
      endLine++;
    }
    const split = endLine > startLine && !/<<-?/.test(sourceLines[startLine]) ? logicalEnd(sourceLines, startLine, endLine, escape) : endLine;
    if (split < endLine && sourceLines.slice(split + 1, endLine + 1).some((l) => l.trim() !== '' && !isComment(l))) {
      const head = reparse(sourceLines, startLine, split, escapePrefix);
      const tail = reparse(sourceLines, split + 1, endLine, escapePrefix);
      queue.unshift(...head.slice(0, 1), ...tail);
      continue;
    }
    // Heredocs as BuildKit reads them (dockerfile-ast misses some: `3<<EOF`, `<<EOF` on a continuation line).
    let hasHeredoc = false;
    if (HEREDOC_KEYWORDS.has(keyword)) {
      const logical = logicalEnd(sourceLines, startLine, sourceLines.length - 1, escape);
      const hd = heredocEnd(sourceLines, startLine, logical, escape);
      if (hd === -1) throw new InputError(path, startLine + 1, 'unterminated heredoc');
      if (hd !== null) {
        hasHeredoc = true;
        const rest: typeof queue = [];
        if (hd < endLine) rest.push(...reparse(sourceLines, hd + 1, endLine, escapePrefix));
        while (queue.length > 0 && queue[0].ins.getRange().start.line + queue[0].off <= hd) {
          const q = queue.shift()!;
          const qEnd = Math.min(q.ins.getRange().end.line + q.off, sourceLines.length - 1);
          if (qEnd > hd) rest.push(...reparse(sourceLines, hd + 1, qEnd, escapePrefix));
        }
        queue.unshift(...rest);
        endLine = hd;
      }
    }
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      refuseInvisibleLines(path, [sourceLines[startLine]], startLine);
      throw new InputError(path, startLine + 1, `unknown instruction '${sourceLines[startLine].trim().split(/\s+/)[0]}'`);
    }
    const leading = sourceLines.slice(walk.prevEnd + 1, startLine);
    refuseInvisibleLines(path, leading, walk.prevEnd + 1);
    const lines = sourceLines.slice(startLine, endLine + 1);
    const flags: Flag[] = [];
    const getFlags = (ins as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags;
    if (typeof getFlags === 'function') {
      for (const f of getFlags.call(ins)) flags.push({ name: f.getName(), value: f.getValue() });
    }
    const astArgs = ins.getArguments();
    const args = astArgs.map((a) => a.getValue());
    const body = computeBody(astArgs, ins.getRange().end.line + off, off, sourceLines, escape);
    let json: string[] | null = null;
    if (['RUN', 'CMD', 'ENTRYPOINT', 'SHELL'].includes(keyword)) json = parseJsonForm(body);
    if (keyword === 'FROM') walk.stageIndex++;
    else if (walk.stageIndex < 0 && keyword !== 'ARG') {
      throw new InputError(path, startLine + 1, `'${keyword}' before the first FROM (only ARG may come before FROM)`);
    }
    instructions.push({
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
      stage: walk.stageIndex,
      heredoc: hasHeredoc || (/<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?/.test(lines[0]) && HEREDOC_KEYWORDS.has(keyword)),
    });
    walk.prevEnd = endLine;
  }
}

/** The stages of a list of instructions (each instruction knows its stage). */
function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const a = ins.args;
      const asIdx = a.findIndex((x) => x.toUpperCase() === 'AS');
      stages.push({
        index: ins.stage,
        from: ins,
        image: a[0] ?? '',
        name: asIdx >= 0 && a[asIdx + 1] ? a[asIdx + 1].toLowerCase() : null,
        platform: flagOf(ins, 'platform') ?? null,
        instructions: [],
      });
    } else if (ins.stage >= 0) {
      stages[ins.stage].instructions.push(ins);
    }
  }
  return stages;
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith('#');
}

function computeBody(argsList: { getRange(): { start: { line: number; character: number } } }[], endLine: number, off: number, sourceLines: string[], escape: string): string {
  if (argsList.length === 0) return '';
  const start = argsList[0].getRange().start;
  const raw: string[] = [];
  for (let l = start.line + off; l <= endLine; l++) {
    let line = sourceLines[l] ?? '';
    if (l === start.line + off) line = line.slice(start.character);
    raw.push(line);
  }
  return joinContinuations(raw, escape).trim();
}

/** BuildKit's line continuation: the escape as last non-blank character, unless escaped itself. */
export function continues(line: string, escape: string): boolean {
  return (escape === '`' ? CONTINUES_BACKTICK : CONTINUES_BACKSLASH).test(line.replace(/\r+$/, ''));
}

const CONTINUES_BACKSLASH = /([^\\])\\[ \t]*$|^\\[ \t]*$/;
const CONTINUES_BACKTICK = /([^`])`[ \t]*$|^`[ \t]*$/;

/**
 * The last line of the instruction starting at `start`, as BuildKit's scanner finds it: comment and
 * empty lines inside a continuation are skipped; a line that does not continue ends it.
 */
export function logicalEnd(sourceLines: string[], start: number, max: number, escape: string): number {
  if (!continues(sourceLines[start].trimStart(), escape)) return start;
  for (let l = start + 1; l <= max; l++) {
    const line = sourceLines[l];
    if (isComment(line) || line.trim() === '') continue;
    if (!continues(line, escape)) return l;
  }
  return max;
}

function loneCrToSpace(text: string): string {
  // CRs that end a line are dropped (same columns before them); one inside a line becomes a space.
  return text.includes('\r') ? text.replace(/\r+(?=\n)/g, '').replace(/\r+$/, '').replace(/\r/g, ' ') : text;
}

const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/** Words of a line as BuildKit's lexer splits them with raw quotes: blanks outside quotes separate. */
function rawWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      cur += c;
      if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else if (c === quote) quote = '';
    } else if (c === ' ' || c === '\t') {
      if (cur) words.push(cur);
      cur = '';
    } else {
      cur += c;
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"' || c === "'") quote = c;
    }
  }
  if (cur) words.push(cur);
  return words;
}

/** Heredoc names of an instruction's logical line (BuildKit's `^(\d*)<<(-?)\s*([^<]*)$` per word). */
export function heredocNames(logicalLine: string): { name: string; chomp: boolean }[] {
  if (!logicalLine.includes('<<')) return [];
  const words = rawWords(logicalLine);
  let i = 1;
  while (i < words.length && words[i].startsWith('--')) i++;
  if (parseJsonForm(words.slice(i).join(' ')) !== null) return [];
  const out: { name: string; chomp: boolean }[] = [];
  for (const w of words.slice(1)) {
    const m = /^(\d*)<<(-?)([^<]*)$/.exec(w);
    if (!m || m[3] === '') continue;
    const name = m[3].replace(/\\(.)/g, '$1').replace(/["']/g, '');
    if (name) out.push({ name, chomp: m[2] === '-' });
  }
  return out;
}

/** Last line of the instruction's heredoc bodies; null without heredocs, -1 when one is not terminated. */
function heredocEnd(sourceLines: string[], start: number, logical: number, escape: string): number | null {
  const names = heredocNames(joinContinuations(sourceLines.slice(start, logical + 1), escape));
  if (names.length === 0) return null;
  let l = logical;
  for (const h of names) {
    let found = false;
    for (l = l + 1; l < sourceLines.length; l++) {
      let cand = sourceLines[l].replace(/\r+$/, '');
      if (h.chomp) cand = cand.replace(/^\t+/, '');
      if (cand === h.name) {
        found = true;
        break;
      }
    }
    if (!found) return -1;
  }
  return l;
}

type AstInstruction = ReturnType<ReturnType<typeof DockerfileParser.parse>['getInstructions']>[number];

/** dockerfile-ast's instructions of source lines [from..to] alone (under the file's escape directive). */
function reparse(sourceLines: string[], from: number, to: number, escapePrefix: string[]): { ins: AstInstruction; off: number }[] {
  const doc = DockerfileParser.parse(loneCrToSpace([...escapePrefix, ...sourceLines.slice(from, to + 1)].join('\n')));
  return doc.getInstructions().map((ins) => ({ ins, off: from - escapePrefix.length }));
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
