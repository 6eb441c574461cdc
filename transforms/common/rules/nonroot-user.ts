/**
 * DO-NONROOT-USER (DL3002): the final stage runs as a non-root user. Reported, not fixed, on files the
 * ecosystem transforms did not rewrite: which paths the app writes to, and which ports below 1024 it
 * binds, are not knowable from the Dockerfile, and a USER added blindly can break it. A USER given by
 * name on a base without /etc/passwd (scratch, distroless) is reported too: it needs a numeric id.
 */
import { parseImage } from '../../../src/model/image';
import type { Rule, RuleReport } from '../../../src/rules/rule';
import { isRootUser } from './util';

export const nonrootUser: Rule = {
  id: 'DO-NONROOT-USER',
  description: 'the final stage runs as a non-root user; on scratch/distroless a USER is numeric',
  severity: 'warning',
  mirrors: ['DL3002'],
  check({ model, rewritten }) {
    const out: RuleReport[] = [];
    const stage = model.stages[model.stages.length - 1];
    const users = stage.instructions.filter((i) => i.keyword === 'USER');
    const last = users[users.length - 1];
    const ref = parseImage(stage.image);
    const nopasswd = stage.image === 'scratch' || (/distroless/.test(ref.repo) && !/nonroot/.test(ref.tag ?? ''));
    if (last && !last.args[0]?.includes('$')) {
      const u = last.args[0] ?? '';
      if (isRootUser(u)) out.push({ line: last.startLine, severity: 'warning', message: 'the final stage switches to root: the app runs with full privileges in the container; end with a non-root USER' });
      else if (nopasswd && !/^\d+(:\d+)?$/.test(u) && stage.image === 'scratch') out.push({ line: last.startLine, severity: 'warning', message: `USER ${u} on scratch: there is no /etc/passwd to resolve the name; use a numeric uid:gid` });
      return out;
    }
    if (!last && !rewritten && !/nonroot/.test(ref.tag ?? '')) {
      out.push({ line: stage.from.startLine, severity: 'info', message: `the final stage runs as the base image's user (root on most images): add a USER once the app's writable paths are known${nopasswd ? ' (a numeric one: this base has no /etc/passwd entry for names)' : ''}` });
    }
    return out;
  },
};
