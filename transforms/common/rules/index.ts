/**
 * The cross-cutting rules, run after the ecosystem transform on every Dockerfile (rewritten or not),
 * in this order: a rule earlier in the list wins when two fixes touch the same lines in a pass; the
 * engine runs passes until nothing changes. See README.md for ids, one-liners and hadolint ids.
 */
import type { Rule } from '../../../src/rules/rule';
import { addToCopy } from './add-to-copy';
import { apkNoCache } from './apk-no-cache';
import { cacheOrder } from './cache-order';
import { aptGet } from './apt-get';
import { aptLists } from './apt-lists';
import { aptNoRecommends } from './apt-no-recommends';
import { aptYes } from './apt-yes';
import { cdWorkdir } from './cd-workdir';
import { copyFromName } from './copy-from-name';
import { dockerignore } from './dockerignore';
import { execForm } from './exec-form';
import { healthcheckTool } from './healthcheck';
import { imageTag } from './image-tag';
import { maintainer } from './maintainer';
import { mergeRuns } from './merge-runs';
import { nonrootUser } from './nonroot-user';
import { pipNoCache } from './pip-no-cache';
import { pmCacheClean } from './pm-cache-clean';
import { secretArg } from './secrets';
import { noSudo } from './sudo';
import { wgetProgress } from './wget-progress';

export const RULES: Rule[] = [
  secretArg,
  imageTag,
  maintainer,
  addToCopy,
  copyFromName,
  execForm,
  healthcheckTool,
  cdWorkdir,
  cacheOrder,
  mergeRuns,
  aptGet,
  aptYes,
  aptNoRecommends,
  aptLists,
  apkNoCache,
  pipNoCache,
  pmCacheClean,
  noSudo,
  wgetProgress,
  nonrootUser,
  dockerignore,
];
