/** The ecosystem transforms, in detection order. Each lives in its own folder with a README. */
import type { Ecosystem } from '../src/plan/ecosystem';
import { node } from './node';
import { python } from './python';
import { rust } from './rust';
import { go } from './go';

export const ECOSYSTEMS: Ecosystem[] = [node, python, rust, go];
