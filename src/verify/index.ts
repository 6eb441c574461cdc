/**
 * verify: build the original and the rewritten Dockerfile, run both, probe them and compare.
 * (Being written: this first cut only reports that verification is not implemented yet.)
 */
export interface VerifyInput {
  dockerfile: string;
  context: string;
  rewritten: string;
  sideFiles: { relPath: string; content: string }[];
}

export interface VerifyReport {
  dockerfile: string;
  ok: boolean;
  problems: string[];
}

export async function runVerify(input: VerifyInput): Promise<VerifyReport> {
  return { dockerfile: input.dockerfile, ok: false, problems: ['verify is not implemented yet'] };
}

export function formatVerifyTable(report: VerifyReport): string {
  return `${report.dockerfile}: ${report.ok ? 'ok' : report.problems.join('; ')}`;
}
