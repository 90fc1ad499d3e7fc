#!/usr/bin/env node
/*
 * devzkey.js — fast, deterministic, **INSECURE** Groth16 proving key for development.
 *
 *   node toolchain/js/devzkey.js --r1cs FILE --seed SEED --power P --beacon HEX --iterations E
 *                                --out FILE.zkey [--name NAME] [--threads N] [--window W] [--chunk C]
 *                                [--reference]
 *
 * Writes, byte for byte, the zkey that
 *
 *   node devptau.js --power P --seed SEED --out dev.ptau
 *   snarkjs groth16 setup FILE dev.ptau zkey0
 *   snarkjs zkey beacon zkey0 FILE.zkey HEX E -n=NAME        (NAME defaults to "zkmargin INSECURE dev beacon")
 *
 * would leave (snarkjs 0.7.6), without running either and without reading the ptau.
 *
 * THE TOXIC WASTE IS PUBLIC: tau, alpha and beta derive from SEED (devptau.js deriveSecrets) and delta
 * from the public beacon, so anyone can forge proofs for keys written by this script.  Development and
 * testing only.
 *
 * How: the writer knows tau, alpha, beta and delta, so every point of the key is k·G for a scalar k it
 * computes in Fr, and the points come from fixedbase.js (worker threads, fixed-base signed windows).
 * With n = 2^p the domain snarkjs picks (p = bit length of nConstraints + nPublic), L_c(tau) the Lagrange
 * basis of that domain at tau, and per wire s the sums over the r1cs terms
 *   a_s = Σ A[c][s]·L_c(tau) (+ L_{nConstraints+s} for s ≤ nPublic: snarkjs's extra rows binding the inputs),
 *   b_s = Σ B[c][s]·L_c(tau),  c_s = Σ C[c][s]·L_c(tau),  k_s = beta·a_s + alpha·b_s + c_s,
 * the sections of the final key are
 *   1 header, 2 Groth header (alpha·G1, beta·G1, beta·G2, gamma = G2, delta·G1, delta·G2),
 *   3 IC_s = k_s·G1 (s ≤ nPublic; gamma = 1),  4 the A and B coefficients, each times R^2 mod r
 *   (R = 2^256, snarkjs's encoding), then one entry per public wire for the extra rows,
 *   5 A_s = a_s·G1,  6 B1_s = b_s·G1,  7 B2_s = b_s·G2,  8 C_s = k_s/delta·G1 (private s),
 *   9 H_i = L'_{2i+1}(tau)/delta·G1 for i < n: the odd points of the Lagrange basis of the 2n domain, as
 *     groth16 setup takes them from ptau section 12 (when P = p that level is the ptau's top one, the ifft
 *     of tauG1 padded with one zero point: L'_j = L_j − tau^(2n−1)·w^j/(2n), w = Fr.w[p+1]),
 *   10 the circuit hash and one beacon contribution,
 * in that order (zkey beacon writes the sections by id; groth16 setup's order does not survive it).
 * delta is snarkjs's beacon key: ChaCha seeded with sha256 iterated 2^E times over the beacon bytes gives
 * delta (Fr.fromRng) then g1_s (G1.fromRng); g1_sx = delta·g1_s; the transcript is
 * blake2b(csHash, g1_s, g1_sx); g2_spx = delta·hashToG2(transcript).
 * The circuit hash (csHash) is blake2b over what groth16 setup hashes, in its order: the six header
 * points before the beacon (delta = 1), then, each after a big-endian u32 count, IC, the H points of the
 * monomial basis (tauG1[i+n] − tauG1[i] = tau^i·(tau^n − 1)·G1), C before the division by delta, A, B1, B2,
 * all uncompressed.  Two quirks of snarkjs 0.7.6 are reproduced:
 *   - the count hashed before the H points is n−1, but for n ≥ 2^15 its 2^14-point chunks hash n points;
 *   - the extra point is tauG1[2n−1] − tauG1[n−1]; when P = p the ptau has only 2n−1 tauG1 points, so
 *     snarkjs "subtracts" from the 64 bytes after the section (the section-3 header and the first bytes
 *     of tauG2[0]) — a point off the curve, which this script feeds to the same wasm routines.
 * Sections are streamed: the r1cs is read twice in chunks (sums, then coefficients), the scalars of a
 * section are made chunk by chunk, and the points go to the file or the hash in order while a bounded
 * number of chunks is in flight.  Memory: the Lagrange table and three sums, 32·(n + 3·nWires) bytes,
 * plus the workers' tables (~0.9 GB in all at 2^20).  Progress (phase, points done / total, ETA) goes to
 * stderr.
 * Refusals (missing or malformed r1cs, power too small, bad arguments) print one line and exit 1 or 2.
 */
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const ff = require("ffjavascript");
const { R, Q, FR8, Wasm, Scalars, Pool, OrderedSink, writeAll, u32, sectionHeader } = require("./fixedbase.js");
const { deriveSecrets, MAX_POWER } = require("./devptau.js");

const DEFAULT_NAME = "zkmargin INSECURE dev beacon";
const MAX_NAME_BYTES = 64; // snarkjs keeps the first 64 characters of a contribution name
const N_SECTIONS = 10;
const H_HASH_CHUNK = 1 << 14; // snarkjs zkey_new.js hashHPoints CHUNK_SIZE
const COEF_BYTES = 12 + FR8; // u32 matrix, u32 constraint, u32 signal, Fr
const G1_BYTES = 64;
const G2_BYTES = 128;
const G2_WEIGHT = 3; // a G2 point costs about three G1 points (progress estimate only)

/** An error the user can fix (bad input or arguments): reported as one line, no stack trace. */
class UserError extends Error {}

function usage(msg) {
    if (msg) process.stderr.write(`devzkey: ${msg}\n`);
    if (!msg) {
        process.stderr.write([
            "usage: node devzkey.js --r1cs FILE --seed SEED --power P --beacon HEX --iterations E --out FILE.zkey",
            "                       [--name NAME] [--threads N] [--window W] [--chunk C] [--reference]",
            "  writes what `snarkjs groth16 setup FILE devptau(P, SEED)` + `snarkjs zkey beacon ... HEX E -n=NAME`",
            "  would; window, chunk, threads and --reference (the plain Jacobian multiplication) change the speed,",
            "  never the bytes",
            "  INSECURE: the toxic waste derives from the public seed and beacon; development/testing only.",
            "",
        ].join("\n"));
    }
    process.exit(2);
}

function parseArgs(argv) {
    const opts = {
        threads: Math.max(1, os.cpus().length), window: "auto", chunk: 4096, name: DEFAULT_NAME, reference: false,
    };
    const flags = {
        "--r1cs": "r1cs", "--seed": "seed", "--power": "power", "--beacon": "beacon", "--iterations": "iterations",
        "--out": "out", "--name": "name", "--threads": "threads", "--window": "window", "--chunk": "chunk",
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--help" || a === "-h") usage();
        if (a === "--reference") {
            opts.reference = true;
            continue;
        }
        if (!(a in flags)) usage(`unknown argument ${a} (--help lists them)`);
        if (i + 1 >= argv.length) usage(`missing value for ${a}`);
        opts[flags[a]] = argv[++i];
    }
    for (const req of ["r1cs", "seed", "power", "beacon", "iterations", "out"]) {
        if (opts[req] === undefined) usage("--r1cs, --seed, --power, --beacon, --iterations and --out are required");
    }
    const int = (name, v, lo, hi) => {
        const n = Number(v);
        if (!/^\d+$/.test(String(v)) || n < lo || n > hi) usage(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
        return n;
    };
    opts.power = int("--power", opts.power, 1, MAX_POWER);
    opts.iterations = int("--iterations", opts.iterations, 10, 63); // snarkjs zkey beacon's range
    opts.threads = int("--threads", opts.threads, 1, 64);
    opts.window = opts.window === "auto" ? "auto" : int("--window", opts.window, 2, 20);
    opts.chunk = int("--chunk", opts.chunk, 1, 1 << 20);
    if (!/^([0-9a-fA-F]{2}){1,255}$/.test(opts.beacon)) {
        usage(`--beacon must be 1..255 bytes of hexadecimal (an even number of digits, no 0x), got ${opts.beacon}`);
    }
    if (opts.seed.length === 0 || opts.seed.includes("\0")) usage("--seed must be non-empty, without NUL");
    const nameBytes = Buffer.byteLength(opts.name, "utf8");
    if (nameBytes < 1 || nameBytes > MAX_NAME_BYTES) {
        usage(`--name must be 1..${MAX_NAME_BYTES} bytes of UTF-8, got ${nameBytes}`);
    }
    return opts;
}

/**
 * snarkjs hashes with @noble/hashes' blake2b (64-byte digest, no key): that is BLAKE2b-512, which Node's
 * OpenSSL computes several times faster.
 */
function blake2b512() {
    return crypto.createHash("blake2b512");
}

/** Fixed-base window for a domain of 2^power: ~9·2^power points against tables of ~(255/W)·2^(W-1) per group. */
function defaultWindow(power) {
    return Math.min(16, Math.max(4, power - 3));
}

/** snarkjs misc.log2: floor(log2(v)) for 32-bit v (0 for 0). */
function log2(v) {
    return 31 - Math.clz32(v | 1);
}

function readAt(fd, pos, len) {
    const b = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
        const k = fs.readSync(fd, b, got, len - got, pos + got);
        if (k === 0) break;
        got += k;
    }
    return b.subarray(0, got);
}

function leBig(bytes) {
    let v = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
    return v;
}

// --------------------------------------------------------------------------------------------
// The r1cs file (iden3 binary format, version 1), read in chunks
// --------------------------------------------------------------------------------------------

/** Header and section table of a bn128 r1cs; UserError (one line) for anything else. */
function openR1cs(file) {
    let fd;
    try {
        fd = fs.openSync(file, "r");
    } catch (err) {
        throw new UserError(`cannot read the r1cs file ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
    }
    const size = fs.fstatSync(fd).size;
    const head = readAt(fd, 0, 12);
    if (head.length < 12 || head.toString("latin1", 0, 4) !== "r1cs") {
        throw new UserError(`${file} is not an r1cs file (it does not start with the "r1cs" magic)`);
    }
    const version = head.readUInt32LE(4);
    if (version !== 1) throw new UserError(`${file}: r1cs version ${version}, only version 1 is supported`);
    const nSections = head.readUInt32LE(8);
    const sections = {};
    let pos = 12;
    for (let i = 0; i < nSections; i++) {
        const sh = readAt(fd, pos, 12);
        if (sh.length < 12) throw new UserError(`${file} is truncated in its section table`);
        const id = sh.readUInt32LE(0);
        const len = Number(sh.readBigUInt64LE(4));
        if (pos + 12 + len > size) throw new UserError(`${file} is truncated: section ${id} runs past the end`);
        (sections[id] = sections[id] || []).push({ pos: pos + 12, size: len });
        pos += 12 + len;
    }
    for (const id of [1, 2]) {
        if (!sections[id] || sections[id].length !== 1) {
            throw new UserError(`${file}: expected one ${id === 1 ? "header" : "constraints"} section, found ${(sections[id] || []).length}`);
        }
    }
    const h = readAt(fd, sections[1][0].pos, sections[1][0].size);
    if (h.length < 4 || h.readUInt32LE(0) !== FR8 || h.length < 4 + FR8 + 28) {
        throw new UserError(`${file}: not a bn128 r1cs (field elements are not ${FR8} bytes)`);
    }
    if (leBig(h.subarray(4, 4 + FR8)) !== R) throw new UserError(`${file}: its field is not bn128's scalar field`);
    let o = 4 + FR8;
    const rd = () => { const v = h.readUInt32LE(o); o += 4; return v; };
    const nWires = rd();
    const nPubOut = rd();
    const nPubIn = rd();
    const nPrvIn = rd();
    o += 8; // nLabels
    const nConstraints = rd();
    const nPublic = nPubOut + nPubIn;
    if (nWires < nPublic + 1) throw new UserError(`${file}: ${nWires} wires cannot hold ${nPublic} public signals and one`);
    return { fd, file, nWires, nPubOut, nPubIn, nPrvIn, nPublic, nConstraints, constraints: sections[2][0] };
}

/**
 * Call onTerm(matrix, constraint, wire, buf, off) for every term of the constraints section, in file
 * order (A, B, C of constraint 0, then of 1, ...); the coefficient is buf[off .. off+32), little-endian.
 */
function forEachTerm(r1cs, onTerm) {
    const { fd, file, constraints: sec, nWires, nConstraints } = r1cs;
    const end = sec.pos + sec.size;
    let buf = Buffer.alloc(1 << 22);
    let len = 0;
    let off = 0;
    let filePos = sec.pos;
    const need = (k) => {
        if (len - off >= k) return;
        buf.copy(buf, 0, off, len);
        len -= off;
        off = 0;
        while (len < k) {
            const want = Math.min(buf.length - len, end - filePos);
            const got = want > 0 ? fs.readSync(fd, buf, len, want, filePos) : 0;
            if (got === 0) throw new UserError(`${file}: the constraints section ends before its ${nConstraints} constraints do`);
            len += got;
            filePos += got;
        }
    };
    const termBytes = 4 + FR8;
    for (let c = 0; c < nConstraints; c++) {
        for (let m = 0; m < 3; m++) {
            need(4);
            const nTerms = buf.readUInt32LE(off);
            off += 4;
            for (let t = 0; t < nTerms; t++) {
                need(termBytes);
                const s = buf.readUInt32LE(off);
                if (s >= nWires) throw new UserError(`${file}: constraint ${c} uses wire ${s}, but there are ${nWires} wires`);
                onTerm(m, c, s, buf, off + 4);
                off += termBytes;
            }
        }
    }
    const left = end - filePos + (len - off);
    if (left !== 0) throw new UserError(`${file}: ${left} bytes after the last of its ${nConstraints} constraints`);
}

// --------------------------------------------------------------------------------------------
// snarkjs's beacon (zkey_beacon.js, misc.rngFromBeaconParams, keypair.hashToG2)
// --------------------------------------------------------------------------------------------

function rngFromBeaconParams(beaconHash, numIterationsExp) {
    let nIterationsInner;
    let nIterationsOuter;
    if (numIterationsExp < 32) {
        nIterationsInner = (1 << numIterationsExp) >>> 0;
        nIterationsOuter = 1;
    } else {
        nIterationsInner = 0x100000000;
        nIterationsOuter = (1 << (numIterationsExp - 32)) >>> 0;
    }
    let cur = beaconHash;
    for (let i = 0; i < nIterationsOuter; i++) {
        for (let j = 0; j < nIterationsInner; j++) cur = crypto.createHash("sha256").update(cur).digest();
    }
    const seed = [];
    for (let i = 0; i < 8; i++) seed.push(cur.readUInt32BE(i * 4));
    return new ff.ChaCha(seed);
}

function hashToG2(curve, hash) {
    const v = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
    const seed = [];
    for (let i = 0; i < 8; i++) seed.push(v.getUint32(i * 4));
    return curve.G2.fromRng(new ff.ChaCha(seed));
}

function beBytes32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v, 0);
    return b;
}

function leBytes(v, n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++, v >>= 8n) b[i] = Number(v & 0xffn);
    return b;
}

// --------------------------------------------------------------------------------------------
// Progress on stderr
// --------------------------------------------------------------------------------------------

class Progress {
    constructor(log, totalWeight) {
        this.log = log;
        this.total = totalWeight;
        this.done = 0;
        this.start = Date.now();
        this.last = this.start;
        this.current = null;
    }

    /** `section` ({ name, count, done }) has `points` more points, worth `weight` of the total. */
    advance(section, points, weight) {
        const now = Date.now();
        const fmt = (v) => v.toLocaleString("en-US");
        if (section !== this.current) {
            this.current = section;
            this.log(`${section.name}: ${fmt(section.count)} points`);
        }
        section.done += points;
        this.done += weight;
        if (now - this.last < 2000 || section.done >= section.count) return;
        this.last = now;
        const rate = this.done / Math.max(1, now - this.start);
        const eta = (this.total - this.done) / rate / 1000;
        this.log(`${section.name}: ${fmt(section.done)} / ${fmt(section.count)} points; `
            + `all points ${(100 * this.done / this.total).toFixed(0)}%, ETA ${eta.toFixed(0)} s`);
    }
}

// --------------------------------------------------------------------------------------------
// Main
// --------------------------------------------------------------------------------------------

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const log = (msg) => process.stderr.write(`devzkey [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

    const r1cs = openR1cs(opts.r1cs);
    const { nWires: nVars, nPublic, nConstraints } = r1cs;
    const cirPower = log2(nConstraints + nPublic + 1 - 1) + 1; // snarkjs zkey_new.js
    if (cirPower > opts.power) {
        throw new UserError(`${opts.r1cs}: ${nConstraints} constraints + ${nPublic} public signals + 1 need a domain `
            + `of 2^${cirPower}, so power ${cirPower} or more; --power ${opts.power} is too small`);
    }
    const n = 2 ** cirPower;
    const nPriv = nVars - nPublic - 1;
    const topLevel = cirPower === opts.power; // the H points come from the ptau's truncated top level
    log(`INSECURE development zkey: ${nConstraints} constraints, ${nVars} wires, ${nPublic} public, domain 2^${cirPower}, `
        + `ptau power ${opts.power}; toxic waste derived from the public seed and beacon`);

    const curve = await ff.buildBn128(true);
    const { Fr, G1, G2 } = curve;
    const wasm = new Wasm(curve.tm);
    const ex = wasm.ex;
    const cst = (x) => {
        const p = wasm.alloc(FR8);
        wasm.set(p, x);
        return p;
    };

    // ---- secrets ---------------------------------------------------------------------------------
    const secrets = deriveSecrets(opts.seed, opts.power);
    const tauM = Fr.e(secrets.tau);
    const alphaM = Fr.e(secrets.alpha);
    const betaM = Fr.e(secrets.beta);
    const beaconHash = Buffer.from(opts.beacon, "hex");
    log(`beacon: sha256 iterated 2^${opts.iterations} times`);
    const rng = rngFromBeaconParams(beaconHash, opts.iterations);
    const deltaM = Fr.fromRng(rng);
    const g1s = G1.toAffine(G1.fromRng(rng));
    const g1sx = G1.toAffine(G1.timesFr(g1s, deltaM));
    const invDeltaM = Fr.inv(deltaM);
    const pAlpha = cst(alphaM);
    const pBeta = cst(betaM);
    const pInvDelta = cst(invDeltaM);

    const affine = (G, k) => G.toAffine(G.timesFr(G.g, k)); // affine LEM bytes = the file encoding
    const unc = (G, p) => G.toUncompressed(p);
    const alpha1 = affine(G1, alphaM);
    const beta1 = affine(G1, betaM);
    const beta2 = affine(G2, betaM);
    const gen1 = G1.toAffine(G1.g);
    const gen2 = G2.toAffine(G2.g);
    const delta1 = affine(G1, deltaM);
    const delta2 = affine(G2, deltaM);

    // ---- scalars of the domain: Lagrange basis at tau, and powers -------------------------------
    const streams = new Scalars(wasm, Fr, tauM, opts.chunk);

    // the workers build their tables while this thread reads the r1cs
    const window = opts.window === "auto" ? defaultWindow(cirPower) : opts.window;
    const pool = new Pool(opts.threads, window, curve, { reference: opts.reference });

    // the permanent tables: L_c(tau) for c < n, and the per-wire sums a, b, c
    const pL = wasm.alloc(n * FR8);
    const pSum = [wasm.alloc(nVars * FR8), wasm.alloc(nVars * FR8), wasm.alloc(nVars * FR8)];
    for (const p of pSum) wasm.view(p, nVars * FR8).fill(0); // 0 in Montgomery form is all zero bytes
    log(`Lagrange basis of 2^${cirPower} at tau`);
    {
        let at = pL;
        for (const chunk of streams.lagrange(cirPower, Fr.one, false, 0, 1, n)) {
            wasm.set(at, chunk);
            at += chunk.byteLength;
        }
    }

    log("r1cs pass 1: the sums a_s, b_s, c_s over every term");
    const pCoef = wasm.alloc(FR8);
    wasm.ensure(1 << 16);
    let nCoefs = 0;
    {
        const mem = wasm.view(0, wasm.tm.memory.buffer.byteLength); // no allocation below: the view stays valid
        forEachTerm(r1cs, (m, c, s, buf, off) => {
            mem.set(buf.subarray(off, off + FR8), pCoef);
            ex.frm_toMontgomery(pCoef, pCoef);
            ex.frm_mul(pCoef, pL + c * FR8, pCoef);
            const acc = pSum[m] + s * FR8;
            ex.frm_add(acc, pCoef, acc);
            if (m < 2) nCoefs += 1;
        });
        // groth16 setup's extra rows: A[nConstraints + s][s] = 1 for s = 0..nPublic (inputs bound to the key)
        for (let s = 0; s <= nPublic; s++) {
            const acc = pSum[0] + s * FR8;
            ex.frm_add(acc, pL + (nConstraints + s) * FR8, acc);
        }
        nCoefs += nPublic + 1;
    }

    // k_s·factor = (beta·a_s + alpha·b_s + c_s)·factor for wires from..to-1
    function* kColumns(from, to, factor) {
        const mark0 = wasm.mark();
        const pF = factor ? cst(factor) : 0;
        const pT = wasm.alloc(FR8);
        for (let s0 = from; s0 < to; s0 += opts.chunk) {
            const k = Math.min(opts.chunk, to - s0);
            const mark = wasm.mark();
            const pOut = wasm.alloc(k * FR8);
            for (let i = 0; i < k; i++) {
                const o = (s0 + i) * FR8;
                const d = pOut + i * FR8;
                ex.frm_mul(pSum[0] + o, pBeta, d);
                ex.frm_mul(pSum[1] + o, pAlpha, pT);
                ex.frm_add(d, pT, d);
                ex.frm_add(d, pSum[2] + o, d);
                if (pF) ex.frm_mul(d, pF, d);
            }
            const out = wasm.view(pOut, k * FR8).slice();
            wasm.release(mark);
            yield out;
        }
        wasm.release(mark0);
    }

    function* columns(pTable, from, to) {
        for (let s0 = from; s0 < to; s0 += opts.chunk) {
            const k = Math.min(opts.chunk, to - s0);
            yield wasm.view(pTable + s0 * FR8, k * FR8).slice();
        }
    }

    // ---- the H points snarkjs hashes (see the header: n−1 or n of them, maybe one off the curve) --
    const hHashed = n - 1 > H_HASH_CHUNK ? Math.ceil((n - 1) / H_HASH_CHUNK) * H_HASH_CHUNK : n - 1;
    const hOffCurve = hHashed === n && topLevel; // tauG1[2n−1] is past the end of the ptau's section 2
    const hOnCurve = hOffCurve ? n - 1 : hHashed;

    /** uncompressed bytes of tauG1[2n−1] − tauG1[n−1] as snarkjs computes it when tauG1 has 2n−1 points */
    function offCurveHPoint() {
        const past = Buffer.alloc(G1_BYTES); // the 64 bytes after ptau section 2: section 3's header, tauG2[0]
        sectionHeader(3, n * G2_BYTES).copy(past, 0);
        past.set(gen2.subarray(0, G1_BYTES - 12), 12);
        const mark = wasm.mark();
        const pPast = wasm.alloc(G1_BYTES);
        const pLast = wasm.alloc(G1_BYTES);
        const pJac = wasm.alloc(96);
        const pAff = wasm.alloc(G1_BYTES);
        const pU = wasm.alloc(G1_BYTES);
        wasm.ensure(1 << 12);
        wasm.set(pPast, past);
        wasm.set(pLast, affine(G1, Fr.exp(tauM, n - 1)));
        ex.g1m_subAffine(pPast, pLast, pJac);
        ex.g1m_batchToAffine(pJac, 1, pAff);
        ex.g1m_batchLEMtoU(pAff, 1, pU);
        const out = wasm.view(pU, G1_BYTES).slice();
        wasm.release(mark);
        return out;
    }

    // ---- output ------------------------------------------------------------------------------------
    await pool.ready;
    log(`${opts.threads} worker thread(s) ready (fixed-base window ${window})`);

    const totalWeight = (nPublic + 1) + hOnCurve + nPriv + 2 * nVars + G2_WEIGHT * nVars + nPriv + n;
    const progress = new Progress(log, totalWeight);
    const csHasher = blake2b512();
    const tmpOut = `${opts.out}.tmp-${process.pid}`;
    const fd = fs.openSync(tmpOut, "w");
    let bytes = 0;
    const sink = new OrderedSink(6 * opts.threads, (item) => {
        if (item.write) {
            writeAll(fd, item.write);
            bytes += item.write.byteLength;
        }
        if (item.hash) csHasher.update(item.hash);
        if (item.points) progress.advance(item.section, item.points, item.weight);
    });
    const write = (buf) => sink.push({ write: buf });
    const hash = (buf) => sink.push({ hash: buf });
    /** Points k·G of a generator of scalar chunks, written to the file and/or hashed uncompressed. */
    const points = async (name, group, count, gen, toFile, toHash) => {
        const section = { name, count, done: 0 };
        const forms = toFile && toHash ? "lem+u" : toFile ? "lem" : "u";
        let emitted = 0;
        for (const scalars of gen) {
            const k = scalars.byteLength / FR8;
            emitted += k;
            await sink.push(pool.submit(group, scalars, forms).then((r) => ({
                write: toFile ? (toHash ? r.lem : r) : undefined,
                hash: toHash ? (toFile ? r.u : r) : undefined,
                section,
                points: k,
                weight: group === 2 ? G2_WEIGHT * k : k,
            })));
        }
        if (emitted !== count) throw new Error(`internal error: ${name} has ${emitted} != ${count} points`);
    };

    try {
        await write(Buffer.concat([Buffer.from("zkey", "ascii"), u32(1), u32(N_SECTIONS)]));
        await write(Buffer.concat([sectionHeader(1, 4), u32(1)])); // 1 = Groth16
        const groth = Buffer.concat([
            u32(FR8), leBytes(Q, FR8), u32(FR8), leBytes(R, FR8), u32(nVars), u32(nPublic), u32(n),
            alpha1, beta1, beta2, gen2, delta1, delta2,
        ]);
        await write(Buffer.concat([sectionHeader(2, groth.length), groth]));
        // groth16 setup hashed its header points when delta was still 1
        for (const [G, p] of [[G1, alpha1], [G1, beta1], [G2, beta2], [G2, gen2], [G1, gen1], [G2, gen2]]) {
            await hash(unc(G, p));
        }

        await hash(beBytes32(nPublic + 1));
        await write(sectionHeader(3, (nPublic + 1) * G1_BYTES));
        await points("IC (public wires)", 1, nPublic + 1, kColumns(0, nPublic + 1, null), true, true);

        await sink.flush();
        log(`r1cs pass 2: section 4, ${nCoefs.toLocaleString("en-US")} coefficients`);
        {
            // written directly, not through the sink (which is empty now)
            writeAll(fd, Buffer.concat([sectionHeader(4, 4 + nCoefs * COEF_BYTES), u32(nCoefs)]));
            bytes += 16;
            const perChunk = 1 << 16;
            let out = Buffer.alloc(perChunk * COEF_BYTES);
            let k = 0;
            const flushCoefs = () => {
                writeAll(fd, out.subarray(0, k * COEF_BYTES));
                bytes += k * COEF_BYTES;
                k = 0;
            };
            const entry = (m, c, s, coef) => {
                const o = k * COEF_BYTES;
                out.writeUInt32LE(m, o);
                out.writeUInt32LE(c, o + 4);
                out.writeUInt32LE(s, o + 8);
                wasm.set(pCoef, coef);
                ex.frm_toMontgomery(pCoef, pCoef); // x·R
                ex.frm_toMontgomery(pCoef, pCoef); // x·R², what snarkjs stores
                out.set(wasm.view(pCoef, FR8), o + 12);
                if (++k === perChunk) flushCoefs();
            };
            forEachTerm(r1cs, (m, c, s, buf, off) => {
                if (m < 2) entry(m, c, s, buf.subarray(off, off + FR8));
            });
            const one = leBytes(1n, FR8);
            for (let s = 0; s <= nPublic; s++) entry(0, nConstraints + s, s, one);
            flushCoefs();
            out = null;
        }

        await hash(beBytes32(n - 1));
        await points("H for the circuit hash (monomial basis)", 1, hOnCurve,
            streams.geometric(Fr.sub(Fr.exp(tauM, n), Fr.one), tauM, hOnCurve), false, true);
        if (hOffCurve) await hash(offCurveHPoint());
        await hash(beBytes32(nPriv));
        await points("C for the circuit hash (before delta)", 1, nPriv, kColumns(nPublic + 1, nVars, null), false, true);

        await hash(beBytes32(nVars));
        await write(sectionHeader(5, nVars * G1_BYTES));
        await points("A", 1, nVars, columns(pSum[0], 0, nVars), true, true);
        await hash(beBytes32(nVars));
        await write(sectionHeader(6, nVars * G1_BYTES));
        await points("B1", 1, nVars, columns(pSum[1], 0, nVars), true, true);
        await hash(beBytes32(nVars));
        await write(sectionHeader(7, nVars * G2_BYTES));
        await points("B2", 2, nVars, columns(pSum[1], 0, nVars), true, true);

        await write(sectionHeader(8, nPriv * G1_BYTES));
        await points("C / delta", 1, nPriv, kColumns(nPublic + 1, nVars, invDeltaM), true, false);
        await write(sectionHeader(9, n * G1_BYTES));
        await points("H / delta (odd Lagrange points of the 2n domain)", 1, n,
            streams.lagrange(cirPower + 1, invDeltaM, topLevel, 1, 2, n), true, false);
        await sink.flush();

        // ---- section 10: the circuit hash and the beacon contribution ------------------------------
        const csHash = csHasher.digest();
        const transcriptHasher = blake2b512();
        transcriptHasher.update(csHash);
        transcriptHasher.update(unc(G1, g1s));
        transcriptHasher.update(unc(G1, g1sx));
        const transcript = transcriptHasher.digest();
        const g2spx = G2.toAffine(G2.timesFr(hashToG2(curve, transcript), deltaM));
        const nameBytes = Buffer.from(opts.name, "utf8");
        const params = Buffer.concat([
            Buffer.from([1, nameBytes.length]), nameBytes,
            Buffer.from([2, opts.iterations]),
            Buffer.from([3, beaconHash.length]), beaconHash,
        ]);
        const mpc = Buffer.concat([
            csHash, u32(1),
            delta1, g1s, g1sx, g2spx, transcript, u32(1), // type 1: a beacon
            u32(params.length), params,
        ]);
        writeAll(fd, Buffer.concat([sectionHeader(10, mpc.length), mpc]));
        bytes += 12 + mpc.length;
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(tmpOut, opts.out);
        log(`wrote ${opts.out} (${bytes} bytes)`);
    } catch (err) {
        try {
            fs.closeSync(fd);
        } catch (_) { /* already closed */ }
        try {
            fs.unlinkSync(tmpOut);
        } catch (_) { /* nothing to remove */ }
        throw err;
    } finally {
        await pool.close();
        fs.closeSync(r1cs.fd);
    }
    log("done");
}

main().catch((err) => {
    if (err instanceof UserError) process.stderr.write(`devzkey: error: ${err.message}\n`);
    else process.stderr.write(`devzkey: error: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
