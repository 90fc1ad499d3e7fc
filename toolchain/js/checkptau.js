#!/usr/bin/env node
/*
 * checkptau.js — independent consistency check of a bn128 powers-of-tau file.
 *
 *   node toolchain/js/checkptau.js FILE.ptau [--allow-unprepared]
 *
 * Exit 0 and print "OK ..." when every check passes; exit 1 with a "FAIL: ..." line
 * on stderr when one fails; exit 2 on bad usage.
 *
 * Checks (random challenges drawn fresh from crypto.randomBytes on every run):
 *   - container: magic "ptau", version 1, no duplicate / missing / overlapping sections,
 *     no trailing bytes, exact section sizes for the header's power;
 *   - header: bn128 base field, power in 1..28;
 *   - every point of every section: canonical coordinates (< q) and on the curve
 *     (the all-zero encoding of the point at infinity is accepted);
 *   - tauG1[0] = G1, tauG2[0] = G2, and e(tauG1[1], G2) = e(G1, tauG2[1]);
 *   - tauG1, tauG2, alphaTauG1, betaTauG1 are geometric series with ratio tau, with random
 *     linear combinations:  e(Σ r_i·P_{i+1}, G2) = e(Σ r_i·P_i, tau·G2)  (mirrored for G2);
 *   - e(betaTauG1[0], G2) = e(G1, betaG2), and alpha·G1, beta·G1, beta·G2 are not zero;
 *   - Lagrange sections 12, 14, 15, every level m = 2^p (p = 0..power, plus 2^(power+1) in
 *     section 12): since Σ_j w^(jk)·L_j(X) = X^k for k < m (w = Fr.w[p]), for a random z
 *       Σ_j c_j·Λ_j = Σ_k z^k·P_k    with c_j = Σ_k (z·w^j)^k = (z^m − 1)/(z·w^j − 1),
 *     where P is the matching monomial section (the extra level of section 12 is the
 *     snarkjs ifft of tauG1 padded with one zero point, so its right side stops at k = m−2).
 *     A wrong point makes both sides differ except with probability ≤ m/r. All levels of a
 *     section are combined into one multiexp per side (independent z per level);
 *   - Lagrange section 13 (G2) against the verified section 12 with one pairing:
 *       e(Σ r_j·Λ12_j, G2) = e(G1, Σ r_j·Λ13_j)   (random 128-bit r_j, levels 0..power).
 *   On a failure the offending level is located and reported.
 */
"use strict";

const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const { Wasm, instantiate } = require("./wasmmem.js");
// ffjavascript only in the main thread (its web-worker dependency hijacks worker_threads workers);
// the multiexp workers instantiate the wasm module bytes that the main thread built.
const ff = isMainThread ? require("ffjavascript") : null;

const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const FR8 = 32;
const Q_TOP32 = Number(Q >> 224n); // most significant 32 bits of q
const SECTION_NAMES = {
    1: "header", 2: "tauG1", 3: "tauG2", 4: "alphaTauG1", 5: "betaTauG1", 6: "betaG2", 7: "contributions",
    12: "lagrange tauG1", 13: "lagrange tauG2", 14: "lagrange alphaTauG1", 15: "lagrange betaTauG1",
};
const GROUPS = { G1: { prefix: "g1m", sAff: 64, sJac: 96 }, G2: { prefix: "g2m", sAff: 128, sJac: 192 } };

class CheckError extends Error {}

function fail(msg) {
    throw new CheckError(msg);
}

function usage(msg) {
    if (msg) process.stderr.write(`checkptau: ${msg}\n`);
    process.stderr.write("usage: node checkptau.js FILE.ptau [--allow-unprepared] [--threads N]\n");
    process.exit(2);
}

/** Uniform random 128-bit scalars (little-endian, `FR8`-byte slots would waste multiexp work). */
function randomShortScalars(count) {
    return new Uint8Array(crypto.randomBytes(count * 16));
}

function randomFr() {
    for (;;) {
        const x = BigInt("0x" + crypto.randomBytes(64).toString("hex")) % R;
        if (x > 1n) return x;
    }
}

// ---- multiexp workers ----------------------------------------------------------------------

async function workerMain() {
    const wasm = new Wasm(await instantiate(workerData.code));
    parentPort.on("message", (msg) => {
        const g = GROUPS[msg.group];
        const bases = new Uint8Array(msg.bases);
        const scalars = new Uint8Array(msg.scalars);
        const n = bases.byteLength / g.sAff;
        const mark = wasm.mark();
        const pB = wasm.alloc(bases.byteLength);
        const pS = wasm.alloc(scalars.byteLength);
        const pR = wasm.alloc(g.sJac);
        wasm.ensure((1 << 17) * g.sJac + 4096); // bucket table of the wasm multiexp (at most 2^17 buckets)
        wasm.view(pB, bases.byteLength).set(bases);
        wasm.view(pS, scalars.byteLength).set(scalars);
        wasm.ex[g.prefix + "_multiexpAffine"](pB, pS, msg.scalarSize, n, pR);
        const out = wasm.view(pR, g.sJac).slice();
        wasm.release(mark);
        parentPort.postMessage({ id: msg.id, result: out.buffer }, [out.buffer]);
    });
    parentPort.postMessage({ ready: true });
}

/** Multi-exponentiations split by points over worker threads; results summed in the main thread. */
class MsmPool {
    constructor(nThreads, raw) {
        this.raw = raw;
        this.workers = [];
        this.pending = new Map();
        this.nextId = 0;
        const ready = [];
        for (let i = 0; i < nThreads; i++) {
            const worker = new Worker(__filename, { workerData: { code: raw.tm.code } });
            ready.push(new Promise((resolve, reject) => {
                worker.once("error", reject);
                worker.once("exit", (code) => reject(new Error(`worker thread exited during start-up (code ${code})`)));
                worker.on("message", (msg) => {
                    if (msg.ready) {
                        resolve();
                        return;
                    }
                    const p = this.pending.get(msg.id);
                    this.pending.delete(msg.id);
                    p.resolve(new Uint8Array(msg.result));
                });
            }));
            const abort = (err) => {
                if (this.closing) return;
                for (const p of this.pending.values()) p.reject(err);
                this.pending.clear();
            };
            worker.on("error", abort);
            worker.on("exit", (code) => abort(new Error(`multiexp worker exited unexpectedly (code ${code})`)));
            this.workers.push(worker);
        }
        this.ready = Promise.all(ready);
    }

    /** Σ scalars[i]·bases[i]; bases affine (ptau layout), scalars little-endian of `scalarSize` bytes. */
    async msm(group, bases, scalars, scalarSize) {
        const g = GROUPS[group];
        const n = bases.byteLength / g.sAff;
        if (scalars.byteLength !== n * scalarSize) throw new Error("internal error: multiexp size mismatch");
        const parts = Math.max(1, Math.min(this.workers.length, Math.floor(n / 256)));
        const per = Math.ceil(n / parts);
        const jobs = [];
        for (let i = 0; i < parts; i++) {
            const a = i * per;
            const b = Math.min(n, a + per);
            if (a >= b) continue;
            const bs = bases.slice(a * g.sAff, b * g.sAff);
            const ss = scalars.slice(a * scalarSize, b * scalarSize);
            const id = this.nextId++;
            jobs.push(new Promise((resolve, reject) => {
                this.pending.set(id, { resolve, reject });
                this.workers[i].postMessage({ id, group, bases: bs.buffer, scalars: ss.buffer, scalarSize },
                    [bs.buffer, ss.buffer]);
            }));
        }
        const results = await Promise.all(jobs);
        const G = this.raw[group];
        let acc = G.zero;
        for (const r of results) acc = G.add(acc, r);
        return acc;
    }

    async close() {
        this.closing = true;
        await Promise.all(this.workers.map((w) => w.terminate()));
    }
}

function parseContainer(file) {
    const raw = fs.readFileSync(file);
    // a plain Uint8Array that owns its buffer: ffjavascript posts slices of it to its workers
    const buf = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.byteLength < 12) fail(`${file}: too short to be a ptau file (${buf.byteLength} bytes)`);
    const magic = String.fromCharCode(...buf.subarray(0, 4));
    if (magic !== "ptau") fail(`${file}: bad magic ${JSON.stringify(magic)} (expected "ptau")`);
    const version = dv.getUint32(4, true);
    if (version !== 1) fail(`${file}: unsupported ptau version ${version}`);
    const nSections = dv.getUint32(8, true);
    const sections = new Map();
    let pos = 12;
    for (let i = 0; i < nSections; i++) {
        if (pos + 12 > buf.byteLength) fail(`${file}: truncated section table (section ${i} of ${nSections})`);
        const id = dv.getUint32(pos, true);
        const size = Number(dv.getBigUint64(pos + 4, true));
        pos += 12;
        if (pos + size > buf.byteLength) fail(`${file}: section ${id} overruns the file`);
        if (sections.has(id)) fail(`${file}: duplicated section ${id}`);
        sections.set(id, { pos, size });
        pos += size;
    }
    if (pos !== buf.byteLength) fail(`${file}: ${buf.byteLength - pos} trailing bytes after the last section`);
    return { buf, dv, sections };
}

async function check(file, opts, log) {
    const { buf, dv, sections } = parseContainer(file);
    for (let id = 1; id <= 7; id++) if (!sections.has(id)) fail(`missing section ${id} (${SECTION_NAMES[id]})`);
    const lagIds = [12, 13, 14, 15];
    const present = lagIds.filter((id) => sections.has(id));
    const prepared = present.length === 4;
    if (present.length !== 0 && !prepared) fail(`only some Lagrange sections are present: ${present.join(", ")}`);
    if (!prepared && !opts.allowUnprepared) fail("the file is not prepared for phase 2 (no Lagrange sections 12-15)");
    for (const id of sections.keys()) if (!(id in SECTION_NAMES)) fail(`unexpected section ${id}`);

    // header
    const h = sections.get(1);
    if (h.size !== 44) fail(`header section has ${h.size} bytes, expected 44 (bn128)`);
    const n8 = dv.getUint32(h.pos, true);
    let q = 0n;
    for (let i = 31; i >= 0; i--) q = (q << 8n) | BigInt(buf[h.pos + 4 + i]);
    if (n8 !== 32 || q !== Q) fail("header: not a bn128 ptau (wrong field size or prime)");
    const power = dv.getUint32(h.pos + 36, true);
    const ceremonyPower = dv.getUint32(h.pos + 40, true);
    if (power < 1 || power > 28) fail(`header: power ${power} out of range 1..28`);
    const n = 2 ** power;

    const expected = { 2: (2 * n - 1) * 64, 3: n * 128, 4: n * 64, 5: n * 64, 6: 128 };
    if (prepared) {
        expected[12] = (2 ** (power + 2) - 1) * 64;
        expected[13] = (2 ** (power + 1) - 1) * 128;
        expected[14] = (2 ** (power + 1) - 1) * 64;
        expected[15] = (2 ** (power + 1) - 1) * 64;
    }
    for (const [id, size] of Object.entries(expected)) {
        const got = sections.get(Number(id)).size;
        if (got !== size) fail(`section ${id} (${SECTION_NAMES[id]}) has ${got} bytes, expected ${size} for power ${power}`);
    }
    const contrib = sections.get(7);
    if (contrib.size < 4) fail("contributions section is truncated");
    const nContributions = dv.getUint32(contrib.pos, true);
    log(`power ${power} (ceremony power ${ceremonyPower}), ${nContributions} contribution(s), ` +
        `${prepared ? "prepared" : "NOT prepared"}`);

    const raw = await ff.buildBn128(true);
    const pool = new MsmPool(opts.threads, raw);
    try {
        await pool.ready;
        const ctx = { buf, dv, sections, power, n, raw, wasm: new Wasm(raw.tm), pool, log };
        checkPoints(ctx, prepared);
        await checkMonomials(ctx);
        if (prepared) await checkLagrange(ctx);
    } finally {
        await pool.close();
    }
    return { power, prepared, nContributions };
}

function points(ctx, id, from, count) {
    const sP = id === 3 || id === 6 || id === 13 ? 128 : 64;
    const s = ctx.sections.get(id);
    return ctx.buf.subarray(s.pos + from * sP, s.pos + (from + count) * sP);
}

/** Every coordinate canonical (< q) and every point on its curve; all-zero = point at infinity. */
function checkPoints(ctx, prepared) {
    const { buf, dv, sections, wasm } = ctx;
    const ids = prepared ? [2, 3, 4, 5, 6, 12, 13, 14, 15] : [2, 3, 4, 5, 6];
    const CH = 8192;
    for (const id of ids) {
        const g2 = id === 3 || id === 6 || id === 13;
        const sP = g2 ? 128 : 64;
        const inCurve = g2 ? wasm.ex.g2m_inCurveAffine : wasm.ex.g1m_inCurveAffine;
        const { pos, size } = sections.get(id);
        const count = size / sP;
        for (let c = 0; c < count; c += CH) {
            const k = Math.min(CH, count - c);
            const mark = wasm.mark();
            const p = wasm.alloc(k * sP);
            wasm.view(p, k * sP).set(buf.subarray(pos + c * sP, pos + (c + k) * sP));
            for (let i = 0; i < k; i++) {
                const off = pos + (c + i) * sP;
                const where = () => `section ${id} (${SECTION_NAMES[id]}) point ${c + i}`;
                let zero = true;
                for (let b = 0; b < sP; b += 32) {
                    const top = dv.getUint32(off + b + 28, true);
                    if (top > Q_TOP32) fail(`${where()}: non-canonical coordinate (>= q)`);
                    if (top === Q_TOP32) {
                        let x = 0n;
                        for (let j = 31; j >= 0; j--) x = (x << 8n) | BigInt(buf[off + b + j]);
                        if (x >= Q) fail(`${where()}: non-canonical coordinate (>= q)`);
                    }
                    if (zero && (top !== 0 || dv.getUint32(off + b, true) !== 0)) zero = false;
                }
                for (let b = 0; b < sP && zero; b++) if (buf[off + b] !== 0) zero = false;
                if (!zero && !inCurve(p + i * sP)) fail(`${where()} is not on the curve`);
            }
            wasm.release(mark);
        }
    }
    ctx.log("all points canonical and on the curve");
}

async function checkMonomials(ctx) {
    const { n, raw, pool, log } = ctx;
    const { G1, G2 } = raw;
    const g1 = (id, i) => points(ctx, id, i, 1).slice();
    const g2 = (id, i) => points(ctx, id, i, 1).slice();
    const eqBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

    if (!eqBytes(g1(2, 0), G1.oneAffine)) fail("tauG1[0] is not the G1 generator");
    if (!eqBytes(g2(3, 0), G2.oneAffine)) fail("tauG2[0] is not the G2 generator");
    const tauG1 = g1(2, 1);
    const tauG2 = g2(3, 1);
    const betaG2 = g2(6, 0);
    if (G1.isZero(tauG1) || G2.isZero(tauG2)) fail("tau·G1 or tau·G2 is the point at infinity");
    if (G1.isZero(g1(4, 0))) fail("alphaTauG1[0] (alpha·G1) is the point at infinity");
    if (G1.isZero(g1(5, 0))) fail("betaTauG1[0] (beta·G1) is the point at infinity");
    if (G2.isZero(betaG2)) fail("betaG2 is the point at infinity");
    if (!await raw.pairingEq(tauG1, G2.oneAffine, G1.neg(G1.oneAffine), tauG2)) {
        fail("tauG1[1] and tauG2[1] do not hold the same tau: e(tauG1[1], G2) != e(G1, tauG2[1])");
    }
    if (!await raw.pairingEq(g1(5, 0), G2.oneAffine, G1.neg(G1.oneAffine), betaG2)) {
        fail("betaTauG1[0] and betaG2 do not hold the same beta: e(betaTauG1[0], G2) != e(G1, betaG2)");
    }

    // G1 series: e(Σ r_i P_{i+1}, G2) == e(Σ r_i P_i, tau·G2)
    for (const [id, count] of [[2, 2 * n - 1], [4, n], [5, n]]) {
        const r = randomShortScalars(count - 1);
        const lo = await pool.msm("G1", points(ctx, id, 0, count - 1), r, 16);
        const hi = await pool.msm("G1", points(ctx, id, 1, count - 1), r, 16);
        if (!await raw.pairingEq(hi, G2.oneAffine, G1.neg(lo), tauG2)) {
            fail(`section ${id} (${SECTION_NAMES[id]}) is not a geometric series with ratio tau ` +
                 "(random linear combination pairing check failed)");
        }
        log(`section ${id} (${SECTION_NAMES[id]}): ${count} points OK`);
    }
    // G2 series: e(G1, Σ r_i U_{i+1}) == e(tau·G1, Σ r_i U_i)
    {
        const r = randomShortScalars(n - 1);
        const lo = await pool.msm("G2", points(ctx, 3, 0, n - 1), r, 16);
        const hi = await pool.msm("G2", points(ctx, 3, 1, n - 1), r, 16);
        if (!await raw.pairingEq(G1.oneAffine, hi, G1.neg(tauG1), lo)) {
            fail("section 3 (tauG2) is not a geometric series with ratio tau (random linear combination pairing check failed)");
        }
        log(`section 3 (tauG2): ${n} points OK`);
    }
    log("section 6 (betaG2) OK");
}

/**
 * Challenge for the level of size m = 2^p: coefficients c_j = (z^m − 1)/(z·w^j − 1) (Lagrange side)
 * and z^k (monomial side), in Montgomery form, for a fresh random z with z^m != 1.
 */
function levelChallenge(ctx, p) {
    const { raw, wasm } = ctx;
    const Fr = raw.Fr;
    const ex = wasm.ex;
    const m = 2 ** p;
    let z;
    do z = Fr.e(randomFr()); while (Fr.eq(Fr.exp(z, m), Fr.one));
    const mark = wasm.mark();
    const pZ = wasm.alloc(FR8);
    const pOmega = wasm.alloc(FR8);
    const pCur = wasm.alloc(FR8);
    const pNum = wasm.alloc(FR8);
    const pOne = wasm.alloc(FR8);
    const pDen = wasm.alloc(m * FR8);
    const pC = wasm.alloc(m * FR8);
    const pZk = wasm.alloc(m * FR8);
    wasm.ensure((m + 2) * FR8);
    wasm.view(pZ, FR8).set(z);
    wasm.view(pOmega, FR8).set(Fr.w[p]);
    wasm.view(pNum, FR8).set(Fr.sub(Fr.exp(z, m), Fr.one));
    wasm.view(pOne, FR8).set(Fr.one);
    wasm.view(pCur, FR8).set(z);
    for (let j = 0; j < m; j++) { // den_j = z·w^j − 1
        ex.frm_sub(pCur, pOne, pDen + j * FR8);
        ex.frm_mul(pCur, pOmega, pCur);
    }
    ex.frm_batchInverse(pDen, FR8, m, pC, FR8);
    ex.frm_copy(pOne, pCur);
    for (let j = 0; j < m; j++) {
        ex.frm_mul(pC + j * FR8, pNum, pC + j * FR8);
        ex.frm_copy(pCur, pZk + j * FR8);
        ex.frm_mul(pCur, pZ, pCur);
    }
    const coefs = wasm.view(pC, m * FR8).slice();
    const zk = wasm.view(pZk, m * FR8).slice();
    wasm.release(mark);
    return { coefs, zk };
}

function fromMontgomery(ctx, buf) {
    const { wasm } = ctx;
    const mark = wasm.mark();
    const p = wasm.alloc(buf.byteLength);
    wasm.view(p, buf.byteLength).set(buf);
    wasm.ex.frm_batchFromMontgomery(p, buf.byteLength / FR8, p);
    const out = wasm.view(p, buf.byteLength).slice();
    wasm.release(mark);
    return out;
}

/** acc[k] += add[k] for k < add.length/32 (Montgomery Fr vectors). */
function addInto(ctx, acc, add) {
    const { wasm } = ctx;
    const mark = wasm.mark();
    const pA = wasm.alloc(add.byteLength);
    const pB = wasm.alloc(add.byteLength);
    wasm.view(pA, add.byteLength).set(acc.subarray(0, add.byteLength));
    wasm.view(pB, add.byteLength).set(add);
    for (let k = 0; k < add.byteLength; k += FR8) wasm.ex.frm_add(pA + k, pB + k, pA + k);
    acc.set(wasm.view(pA, add.byteLength));
    wasm.release(mark);
}

/**
 * Sections 12, 14, 15: one multiexp per side and section. Every level p gets its own random z_p:
 *   Σ_p Σ_j c^(p)_j·Λ^(p)_j  ==  Σ_k (Σ_{p: k < m_p} z_p^k)·P_k
 * (a wrong level makes the difference a non-zero polynomial in the independent z_p).
 * Section 13 (G2) is then compared with the verified section 12 by one pairing, with random
 * 128-bit weights r_j over all levels 0..power:  e(Σ r_j·Λ12_j, G2) == e(G1, Σ r_j·Λ13_j).
 * On a mismatch the section is re-checked level by level to say which level is wrong.
 */
async function checkLagrange(ctx) {
    const { power, n, pool, log } = ctx;
    const levels = [];
    for (let p = 0; p <= power + 1; p++) levels.push(levelChallenge(ctx, p));
    // monomial-side weights: levels 0..power for sections 14-15, plus the padded top level for section 12
    const rhsLow = new Uint8Array(n * FR8);
    for (let p = 0; p <= power; p++) addInto(ctx, rhsLow, levels[p].zk);
    const rhs12 = new Uint8Array((2 * n - 1) * FR8);
    rhs12.set(rhsLow);
    addInto(ctx, rhs12, levels[power + 1].zk.subarray(0, (2 * n - 1) * FR8));

    const plan = [[12, 2, power + 1, true], [14, 4, power, false], [15, 5, power, false]];
    for (const [lid, mid, maxLevel, paddedTop] of plan) {
        const total = 2 ** (maxLevel + 1) - 1;
        const lhsCoefs = new Uint8Array(total * FR8);
        for (let p = 0, off = 0; p <= maxLevel; off += 2 ** p, p++) lhsCoefs.set(levels[p].coefs, off * FR8);
        const rhs = paddedTop ? rhs12 : rhsLow;
        const nRight = rhs.byteLength / FR8;
        const left = await pool.msm("G1", points(ctx, lid, 0, total), fromMontgomery(ctx, lhsCoefs), FR8);
        const right = await pool.msm("G1", points(ctx, mid, 0, nRight), fromMontgomery(ctx, rhs), FR8);
        if (!ctx.raw.G1.eq(left, right)) await locateLagrangeError(ctx, lid, mid, maxLevel, paddedTop);
        log(`section ${lid} (${SECTION_NAMES[lid]}): levels 2^0..2^${maxLevel} OK`);
        if (lid === 12) {
            if (!await sameLagrangeG1G2(ctx, 0, 2 * n - 1)) await locateG2Error(ctx);
            log(`section 13 (lagrange tauG2): levels 2^0..2^${power} OK`);
        }
    }
}

/** e(Σ r_j·sec12[j], G2) == e(G1, Σ r_j·sec13[j]) for j in [from, from+count). */
async function sameLagrangeG1G2(ctx, from, count) {
    const { pool, raw } = ctx;
    const r = randomShortScalars(count);
    const a = await pool.msm("G1", points(ctx, 12, from, count), r, 16);
    const b = await pool.msm("G2", points(ctx, 13, from, count), r, 16);
    return raw.pairingEq(a, raw.G2.oneAffine, raw.G1.neg(raw.G1.oneAffine), b);
}

async function locateG2Error(ctx) {
    for (let p = 0, off = 0; p <= ctx.power; off += 2 ** p, p++) {
        if (!await sameLagrangeG1G2(ctx, off, 2 ** p)) {
            fail(`section 13 (lagrange tauG2) level 2^${p} (points ${off}..${off + 2 ** p - 1}) does not hold ` +
                 "the same scalars as section 12 (lagrange tauG1): pairing check failed");
        }
    }
    fail("section 13 (lagrange tauG2) does not hold the same scalars as section 12 (lagrange tauG1)");
}

async function locateLagrangeError(ctx, lid, mid, maxLevel, paddedTop) {
    const { pool, raw } = ctx;
    for (let p = 0, off = 0; p <= maxLevel; off += 2 ** p, p++) {
        const m = 2 ** p;
        const { coefs, zk } = levelChallenge(ctx, p);
        const nRight = paddedTop && p === maxLevel ? m - 1 : m;
        const left = await pool.msm("G1", points(ctx, lid, off, m), fromMontgomery(ctx, coefs), FR8);
        const right = await pool.msm("G1", points(ctx, mid, 0, nRight),
            fromMontgomery(ctx, zk.subarray(0, nRight * FR8)), FR8);
        if (!raw.G1.eq(left, right)) {
            fail(`section ${lid} (${SECTION_NAMES[lid]}) level 2^${p} (points ${off}..${off + m - 1}) is not the ` +
                 `Lagrange basis of section ${mid} (${SECTION_NAMES[mid]}): Σ c_j·L_j != Σ z^k·P_k`);
        }
    }
    fail(`section ${lid} (${SECTION_NAMES[lid]}) is not the Lagrange basis of section ${mid} (${SECTION_NAMES[mid]})`);
}

async function main() {
    const args = process.argv.slice(2);
    let file;
    const opts = { allowUnprepared: false, threads: Math.max(1, os.cpus().length) };
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "--allow-unprepared") opts.allowUnprepared = true;
        else if (a === "--threads") {
            opts.threads = Number(args[++i]);
            if (!Number.isInteger(opts.threads) || opts.threads < 1 || opts.threads > 64) usage("bad --threads");
        } else if (a === "--help" || a === "-h") usage();
        else if (a.startsWith("--")) usage(`unknown option ${a}`);
        else if (file === undefined) file = a;
        else usage("only one file");
    }
    if (file === undefined) usage("missing FILE.ptau");
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) usage(`no such file: ${file}`);
    const t0 = Date.now();
    const log = (msg) => process.stderr.write(`checkptau [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
    try {
        const res = await check(file, opts, log);
        process.stdout.write(`OK ${file}: power ${res.power}, ${res.prepared ? "prepared" : "unprepared"}, ` +
            `${res.nContributions} contribution(s); all checks passed\n`);
    } catch (err) {
        if (err instanceof CheckError) {
            process.stderr.write(`FAIL: ${file}: ${err.message}\n`);
            process.exit(1);
        }
        throw err;
    }
    process.exit(0);
}

if (isMainThread) {
    main().catch((err) => {
        process.stderr.write(`checkptau: error: ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    });
} else {
    workerMain().catch((err) => {
        setImmediate(() => { throw err; });
    });
}
