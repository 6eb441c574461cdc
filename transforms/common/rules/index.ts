/** The cross-cutting rules, run after the ecosystem transform on every Dockerfile. */
import type { Rule } from '../../../src/rules/rule';

export const RULES: Rule[] = [];
