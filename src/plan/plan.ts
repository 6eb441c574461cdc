/**
 * A plan is the new stage graph: stages of printed lines, plus the reasons. Planning never touches
 * text outside the model; rendering joins the preserved header and the stages.
 */
import type { DockerfileModel, Instruction } from '../model/parse';
import { joinDocument, PrintStyle } from '../model/print';
import type { Change, Finding, SideFile } from '../types';

export interface PlanStage {
  /** FROM image. */
  image: string;
  /** AS name. */
  name: string;
  platform?: string | null;
  /** Comment lines printed above FROM. */
  comments?: string[];
  lines: string[];
}

export interface Plan {
  stages: PlanStage[];
  changes: Change[];
  findings: Finding[];
  sideFiles: SideFile[];
}

export function styleOf(model: DockerfileModel): PrintStyle {
  return { escape: model.escape, eol: model.eol };
}

/** The source lines of an instruction with the comments that lead up to it (blank lines dropped). */
export function preserved(ins: Instruction): string[] {
  const comments = ins.leading.filter((l) => l.trim() !== '');
  return [...comments, ...ins.lines];
}

/**
 * Lines kept verbatim at the top: parser directives, the header (comments before the first
 * instruction) and ARGs before the first FROM with their comments.
 */
export function headerLines(model: DockerfileModel): string[] {
  const out = model.sourceLines.slice(0, model.directiveLines);
  for (const ins of model.instructions) {
    if (ins.stage >= 0) {
      // Comments above the first FROM belong to the header (a licence, a description).
      const lead = ins.leading;
      out.push(...lead);
      break;
    }
    out.push(...ins.leading, ...ins.lines);
  }
  while (out.length > model.directiveLines && out[out.length - 1].trim() === '') out.pop();
  return out;
}

export function renderPlan(model: DockerfileModel, plan: Plan): string {
  const lines = headerLines(model);
  plan.stages.forEach((s) => {
    if (lines.length > 0) lines.push('');
    if (s.comments) lines.push(...s.comments);
    const platform = s.platform ? `--platform=${s.platform} ` : '';
    lines.push(`FROM ${platform}${s.image} AS ${s.name}`);
    lines.push(...s.lines);
  });
  if (model.trailing.some((l) => l.trim() !== '')) {
    lines.push('', ...model.trailing.filter((l, i, a) => l.trim() !== '' || (i > 0 && i < a.length - 1)));
  }
  return joinDocument(lines, styleOf(model), { bom: model.bom, finalNewline: true });
}
