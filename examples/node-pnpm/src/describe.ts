export function describe(): { bundler: string; node: string } {
  return { bundler: 'esbuild', node: process.versions.node.split('.')[0] };
}
