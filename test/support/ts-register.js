/**
 * Lets a plain node child process require the project's TypeScript sources directly (transpiled on
 * load with the project's own typescript, no type check). Heavy suites (the corpus) run their work in
 * such children: code loaded through jest's module sandbox runs several times slower.
 */
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
  });
  module._compile(out.outputText, filename);
};
