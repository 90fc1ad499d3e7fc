'use strict';
// Compile Solidity with the pinned solc-js (node_modules/solc) from standard JSON.
//
// Usage: node verifier/solidity/compile.js <standard-json-input-file>
//
// Prints {"solcVersion": ..., "output": <solc standard-JSON output>} on stdout.
// Imports are never read from disk: every source must be inside the input (the
// Python side, verifier/solidity_build.py, puts them there), so the input's
// content hash is a complete cache key.  An unresolved import is a compile error.
const fs = require('fs');
const solc = require('solc');

if (process.argv.length !== 3) {
  process.stderr.write('usage: node compile.js <standard-json-input-file>\n');
  process.exit(2);
}
const input = fs.readFileSync(process.argv[2], 'utf8');
const findImports = (path) => ({
  error: `import "${path}" is not in the standard-JSON input; pass every source to compile_contracts`,
});
const output = JSON.parse(solc.compile(input, { import: findImports }));
process.stdout.write(JSON.stringify({ solcVersion: solc.version(), output }));
