#!/usr/bin/env node
/*
 * proveserver.js — a long-lived witness and Groth16 proving process (one per prover worker).
 *
 *   node toolchain/js/proveserver.js
 *
 * Reads one JSON request per line on stdin and answers each with one JSON line on stdout:
 *
 *   {"cmd": "witness", "js_dir": DIR, "wasm": FILE, "input": FILE, "wtns": FILE}
 *       runs circom's witness_calculator.js of DIR on the input JSON and writes the .wtns;
 *   {"cmd": "prove", "zkey": FILE, "wtns": FILE, "proof": FILE, "public": FILE}
 *       writes proof.json and public.json as `snarkjs groth16 prove` would;
 *
 * answering {"ok": true, "ms": N} or {"ok": false, "error": MESSAGE}.  Each circuit's witness calculator and each
 * proving key are loaded once and kept in memory.  Proving runs single-threaded (snarkjs's singleThread
 * option), so that W processes on W cores do not compete for the same cores.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const snarkjs = require("snarkjs");

const calculators = new Map();  // wasm file -> witness calculator
const zkeys = new Map();        // zkey file -> {type: "mem", data}

async function calculator(jsDir, wasm) {
    if (!calculators.has(wasm)) {
        const build = require(path.resolve(jsDir, "witness_calculator.js"));
        calculators.set(wasm, await build(fs.readFileSync(wasm)));
    }
    return calculators.get(wasm);
}

function zkey(file) {
    if (!zkeys.has(file)) {
        zkeys.set(file, {type: "mem", data: new Uint8Array(fs.readFileSync(file))});
    }
    return zkeys.get(file);
}

async function handle(request) {
    if (request.cmd === "witness") {
        const wc = await calculator(request.js_dir, request.wasm);
        const input = JSON.parse(fs.readFileSync(request.input, "utf8"));
        const wtns = await wc.calculateWTNSBin(input, 0);
        fs.writeFileSync(request.wtns, wtns);
        return;
    }
    if (request.cmd === "prove") {
        const {proof, publicSignals} = await snarkjs.groth16.prove(zkey(request.zkey), request.wtns, undefined,
                                                                    {singleThread: true});
        fs.writeFileSync(request.proof, JSON.stringify(proof, null, 1));
        fs.writeFileSync(request.public, JSON.stringify(publicSignals, null, 1));
        return;
    }
    throw new Error(`unknown command ${JSON.stringify(request.cmd)}`);
}

const lines = readline.createInterface({input: process.stdin, terminal: false});
let queue = Promise.resolve();
lines.on("line", (line) => {
    queue = queue.then(async () => {
        const start = Date.now();
        let answer;
        try {
            await handle(JSON.parse(line));
            answer = {ok: true, ms: Date.now() - start};
        } catch (err) {
            answer = {ok: false, error: String(err && err.message ? err.message : err)};
        }
        process.stdout.write(JSON.stringify(answer) + "\n");
    });
});
lines.on("close", () => { queue.then(() => process.exit(0)); });
