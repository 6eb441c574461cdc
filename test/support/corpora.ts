/**
 * The Dockerfiles of ../shared/corpora (read in place, never copied): every file but licences, READMEs,
 * compose files and BuildKit's expected-result dumps. Empty when the corpora are absent; under CI their
 * absence is an error.
 */
import * as fs from 'fs';
import * as path from 'path';

export const corporaDir = path.resolve(__dirname, '../../../shared/corpora');

export function corpusFiles(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  if (!fs.existsSync(corporaDir)) {
    if (process.env.CI === 'true') throw new Error(`${corporaDir} is missing under CI`);
    return out;
  }
  for (const dir of fs.readdirSync(corporaDir)) {
    const d = path.join(corporaDir, dir);
    if (!fs.statSync(d).isDirectory()) continue;
    for (const rel of fs.readdirSync(d, { recursive: true, encoding: 'utf8' })) {
      const f = path.join(d, rel);
      if (/LICENSE|README|\.ya?ml$|result$/.test(rel) || !fs.statSync(f).isFile()) continue;
      out.push({ name: f, text: fs.readFileSync(f, 'utf8') });
    }
  }
  return out;
}
