/**
 * A value as `JSON.stringify(value, null, 2)` would write it, byte for byte, in chunks of about 64 KB:
 * containers down to `depth` levels are written member by member, deeper values each with one
 * JSON.stringify. A report of 10,000 files is then never one 25 MB string (plus its UTF-16 and Buffer
 * copies) held at once, and a caller can wait for a slow pipe between chunks.
 */
export function* jsonChunks(value: unknown, depth = 3): Generator<string> {
  let buf = '';
  for (const piece of pieces(value, '', depth, false)) {
    buf += piece;
    if (buf.length >= 65536) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

function* pieces(value: unknown, indent: string, depth: number, inArray: boolean): Generator<string> {
  const v = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (depth <= 0 || v === null || typeof v !== 'object') {
    const s = JSON.stringify(v, null, 2);
    // Inside an array, what JSON.stringify leaves out of an object (undefined, functions) becomes null.
    yield s === undefined ? (inArray ? 'null' : 'undefined') : reindent(s, indent);
    return;
  }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return yield '[]';
    yield '[\n';
    for (let i = 0; i < v.length; i++) {
      yield inner;
      yield* pieces(v[i], inner, depth - 1, true);
      yield i < v.length - 1 ? ',\n' : '\n';
    }
    return yield `${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
  if (entries.length === 0) return yield '{}';
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    yield `${inner}${JSON.stringify(entries[i][0])}: `;
    yield* pieces(entries[i][1], inner, depth - 1, false);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** JSON.stringify's lines after the first, indented to where the value stands (strings hold no raw newline). */
function reindent(s: string, indent: string): string {
  return indent && s.includes('\n') ? s.replace(/\n/g, `\n${indent}`) : s;
}
