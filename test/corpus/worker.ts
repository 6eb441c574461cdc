/**
 * Child process of corpus.test.ts: runs the pipeline over a list of Dockerfiles (twice: on the file,
 * then on its own output) and prints one JSON line per file. Outputs that differ from the input are
 * written to outDir for the BuildKit check. Usage: node -r ts-register.js worker.ts JOBFILE
 */
import * as fs from 'fs';
import * as path from 'path';
import { optimizeText } from '../../src/api';
import { parseDockerfile } from '../../src/model/parse';
import { InputError } from '../../src/types';

export interface Job {
  outDir: string;
  files: { file: string; context: string; id: number }[];
}

export interface WorkerOutcome {
  file: string;
  refused?: string;
  crash?: string;
  changed?: boolean;
  stagesBefore?: number;
  stagesAfter?: number;
  /** Changes that name no line (their instruction cannot be told). */
  unlocatedChanges?: number;
  /** Lines (1-based, of the input) that changes point at. */
  changeLines?: number[];
  skipped?: string;
  secondDiffers?: boolean;
  secondCrash?: string;
  outputParseError?: string;
  /** Written when the output differs from the input. */
  outputFile?: string;
  /** DO-INTERNAL findings and failed rules: bugs the pipeline caught (first or second run). */
  internal?: string[];
  /** Model instruction split: keyword@line for each instruction of the input. */
  split?: string;
}

/** Findings that report a bug caught inside the pipeline. */
export function internalOf(findings: { ruleId: string; message: string }[]): string[] {
  return findings.filter((f) => f.ruleId === 'DO-INTERNAL' || /^rule failed and was skipped/.test(f.message)).map((f) => `${f.ruleId}: ${f.message}`);
}

function stackOf(err: unknown): string {
  return (err as Error).stack?.split('\n').slice(0, 4).join(' | ') ?? String(err);
}

export function runJob(job: Job, emit: (o: WorkerOutcome) => void): void {
  for (const { file, context, id } of job.files) {
    const o: WorkerOutcome = { file };
    const text = fs.readFileSync(file, 'utf8');
    try {
      const model = parseDockerfile(text, file);
      o.split = model.instructions.map((i) => `${i.keyword.toLowerCase()}@${i.startLine + 1}`).join(' ');
    } catch {
      /* refused below */
    }
    let output: string;
    try {
      const r = optimizeText(text, file, { context });
      output = r.output;
      o.changed = r.changed;
      o.stagesBefore = r.stagesBefore;
      o.stagesAfter = r.stagesAfter;
      o.changeLines = r.changes.map((c) => c.line).filter((l): l is number => l !== undefined);
      o.unlocatedChanges = r.changes.filter((c) => c.line === undefined && !c.ruleId.endsWith('IGNORE')).length;
      o.skipped = r.skipped;
      o.internal = internalOf(r.findings);
    } catch (err) {
      if (err instanceof InputError) o.refused = err.message;
      else o.crash = stackOf(err);
      emit(o);
      continue;
    }
    try {
      parseDockerfile(output, file);
    } catch (err) {
      o.outputParseError = (err as Error).message;
    }
    try {
      const again = optimizeText(output, file, { context });
      o.secondDiffers = again.output !== output;
      o.internal = [...(o.internal ?? []), ...internalOf(again.findings).map((m) => `second run: ${m}`)];
    } catch (err) {
      o.secondCrash = stackOf(err);
    }
    if (output !== text) {
      o.outputFile = path.join(job.outDir, `${id}.Dockerfile`);
      fs.writeFileSync(o.outputFile, output);
    }
    emit(o);
  }
}

if (require.main === module) {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Job;
  runJob(job, (o) => process.stdout.write(JSON.stringify(o) + '\n'));
}
