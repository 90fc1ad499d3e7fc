'use strict';
// Render snarkjs's own Groth16 Solidity template from a verification key, without a zkey.
//
// Usage: node verifier/solidity/render_verifier.js <verifier_groth16.sol.ejs> <verification_key.json> <out.sol>
//
// `snarkjs zkey export solidityverifier` does exactly this after exporting the key from the
// zkey: ejs.render(templates/verifier_groth16.sol.ejs, verificationKey).  The caller
// (verifier/solidity_build.py) passes the template of the pinned snarkjs, and ejs is snarkjs's
// own dependency, so the output is byte for byte what snarkjs would write for the same key.
const fs = require('fs');
const ejs = require('ejs');

if (process.argv.length !== 5) {
  process.stderr.write('usage: node render_verifier.js <verifier_groth16.sol.ejs> <verification_key.json> <out.sol>\n');
  process.exit(2);
}
const [templateFile, vkeyFile, outFile] = process.argv.slice(2);
const template = fs.readFileSync(templateFile, 'utf8');
const vkey = JSON.parse(fs.readFileSync(vkeyFile, 'utf8'));
if (vkey.protocol !== 'groth16') {
  process.stderr.write(`expected a groth16 verification key, got protocol ${JSON.stringify(vkey.protocol)}\n`);
  process.exit(1);
}
fs.writeFileSync(outFile, ejs.render(template, vkey));
