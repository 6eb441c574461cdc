/**
 * Stage skeletons: the heading comment each kind of stage carries and the order of its parts. The
 * transforms fill the parts; the wording lives here so every ecosystem's output reads the same.
 */
export type StageRole = 'deps' | 'build' | 'runtime';

export const STAGE_HEADINGS: Record<string, Record<StageRole, string>> = {
  node: {
    deps: '# Production dependencies only.',
    build: '# All dependencies, then the build.',
    runtime: '# Runtime: production dependencies and the app only.',
  },
  rust: {
    deps: '# Dependencies only.',
    build: '# Build: compile the binary; the cargo caches are BuildKit cache mounts.',
    runtime: '# Runtime: the binary and the files it reads, nothing else.',
  },
  python: {
    deps: '# Dependencies in a virtualenv.',
    build: '# Builder: compilers, headers and the dependencies in a virtualenv.',
    runtime: '# Runtime: the virtualenv and the app only, as a non-root user.',
  },
  go: {
    deps: '# Modules only.',
    build: '# Modules first (cached layer), then the sources and the build.',
    runtime: '# Runtime: the binary and the files it reads, as a non-root user.',
  },
};

export function heading(stack: string, role: StageRole): string[] {
  const h = STAGE_HEADINGS[stack]?.[role];
  return h ? [h] : [];
}
