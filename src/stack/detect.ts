/** Which ecosystem builds this Dockerfile: the manifests of the context and the Dockerfile itself. */
import type { DockerfileModel } from '../model/parse';
import type { Ecosystem } from '../plan/ecosystem';
import type { StackName } from '../types';
import type { BuildContext } from './context';

export function detectStack(model: DockerfileModel, ctx: BuildContext, ecosystems: Ecosystem[]): { stack: StackName; ecosystem: Ecosystem | null; confidence: number } {
  let best: Ecosystem | null = null;
  let score = 0;
  for (const e of ecosystems) {
    const s = e.detect(model, ctx);
    if (s > score) {
      score = s;
      best = e;
    }
  }
  if (!best || score < 0.5) return { stack: 'unknown', ecosystem: null, confidence: score };
  return { stack: best.name, ecosystem: best, confidence: score };
}
