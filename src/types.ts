/**
 * Shared types of the pipeline: files -> model -> facts -> plan -> text -> diff.
 * Everything a report (text, JSON, SARIF, markdown) prints comes from these shapes.
 */

export type Severity = 'error' | 'warning' | 'info';

export type RuntimeChoice = 'auto' | 'distroless' | 'alpine' | 'slim' | 'scratch';

export type StackName = 'node' | 'go' | 'rust' | 'python' | 'unknown';

/** The rule id of an internal failure reported as a finding: the run goes on and the bug is visible. */
export const INTERNAL_RULE = 'DO-INTERNAL';

/** Something the tool noticed: a rule id, where, and one line of why. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  /** 1-based line in the original Dockerfile, when there is one. */
  line?: number;
  message: string;
  /** true when the rewrite fixes it; false when it is only reported. */
  fixed: boolean;
}

/** One reasoned change of the rewrite (what --explain prints). */
export interface Change {
  ruleId: string;
  /** 1-based line in the original Dockerfile the change stems from, when there is one. */
  line?: number;
  message: string;
  /** Extra lines for --explain: e.g. the docker build --secret flag to use. Never secret values. */
  hints?: string[];
  /** Every 1-based original line the change rewrote, when it spans several (RUNs merged into one). */
  lines?: number[];
}

export interface OptimizeOptions {
  runtime?: RuntimeChoice;
  /** Override stack detection. */
  stack?: StackName;
  /** Build context directory; default: the Dockerfile's directory. */
  context?: string;
  /** Rule ids switched off (config file or --disable). */
  disable?: string[];
  /** Whether to propose a .dockerignore (default true). */
  dockerignore?: boolean;
}

export interface SideFile {
  path: string;
  /** null when the file does not exist yet. */
  original: string | null;
  output: string;
}

export interface FileResult {
  path: string;
  context: string;
  original: string;
  output: string;
  changed: boolean;
  stack: StackName;
  /** Stages before and after, for summaries. */
  stagesBefore: number;
  stagesAfter: number;
  /** The final stage's base image after the rewrite. */
  runtimeBase: string | null;
  changes: Change[];
  findings: Finding[];
  /** Other files the rewrite proposes (.dockerignore). */
  sideFiles: SideFile[];
  /** Set when the ecosystem transform declined: why. */
  skipped?: string;
}

/** Bad input: names the file and line; the CLI exits 2 and writes nothing. */
export class InputError extends Error {
  constructor(
    public file: string,
    public line: number | undefined,
    public reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'InputError';
  }
}
