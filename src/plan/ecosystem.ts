/**
 * The contract of an ecosystem transform (transforms/<name>/): detect the stack, then either plan a
 * new stage graph or decline with a reason. Transforms never write files and never run project code.
 */
import type { DockerfileModel } from '../model/parse';
import type { BuildContext } from '../stack/context';
import type { Finding, OptimizeOptions, StackName } from '../types';
import type { Plan } from './plan';

export interface TransformInput {
  model: DockerfileModel;
  ctx: BuildContext;
  options: OptimizeOptions;
}

export type TransformResult =
  | { kind: 'rewrite'; plan: Plan; runtimeBase: string }
  | { kind: 'decline'; reason: string; findings: Finding[] };

export interface Ecosystem {
  name: StackName;
  /** Confidence 0..1 that the Dockerfile builds this stack. */
  detect(model: DockerfileModel, ctx: BuildContext): number;
  transform(input: TransformInput): TransformResult;
}

export function decline(reason: string, findings: Finding[] = []): TransformResult {
  return { kind: 'decline', reason, findings };
}
