/**
 * The command line as a child process straight from the TypeScript sources (no build needed), the way
 * bin/dockerize-optimize.js runs the built one: `node test/support/cli-child.js [ARGS...]`.
 */
require('./ts-register');
const { main } = require('../../src/cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`dockerize-optimize: internal error: ${(err && err.stack) || err}\n`);
    process.exitCode = 2;
  },
);
