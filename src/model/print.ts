/**
 * Printing new instructions in the Dockerfile's own dialect (escape character), and the text of a
 * whole document from lines. Preserved instructions are printed from their exact source lines.
 */

export interface PrintStyle {
  escape: string;
  eol: '\n' | '\r\n';
}

/** JSON (exec) form with BuildKit-compatible escaping. */
export function jsonForm(argv: string[]): string {
  return '[' + argv.map((a) => JSON.stringify(a)).join(', ') + ']';
}

/**
 * A RUN (or any instruction) whose body is a chain of shell commands; long chains are broken after
 * `&&` with the Dockerfile's escape character, flags such as --mount on their own lines.
 */
export function runLines(flags: string[], commands: string[], style: PrintStyle): string[] {
  const e = style.escape;
  const head = ['RUN', ...flags].join(' ');
  const oneLine = `${head} ${commands.join(' && ')}`;
  if (oneLine.length <= 100 && flags.length <= 1) return [oneLine];
  const out: string[] = [];
  if (flags.length === 0) {
    out.push(`RUN ${commands[0]}${commands.length > 1 ? ` ${e}` : ''}`);
  } else {
    out.push(`RUN ${flags[0]} ${e}`);
    for (const f of flags.slice(1)) out.push(`    ${f} ${e}`);
    out.push(`    ${commands[0]}${commands.length > 1 ? ` ${e}` : ''}`);
  }
  for (let i = 1; i < commands.length; i++) {
    out.push(`    && ${commands[i]}${i < commands.length - 1 ? ` ${e}` : ''}`);
  }
  return out;
}

export function joinDocument(lines: string[], style: PrintStyle, opts: { bom: boolean; finalNewline: boolean }): string {
  let text = lines.join(style.eol);
  if (opts.finalNewline) text += style.eol;
  return (opts.bom ? '\ufeff' : '') + text;
}
