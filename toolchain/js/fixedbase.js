/*
 * fixedbase.js — many multiples k·G of a bn128 generator G, computed by worker threads.
 *
 *   const { Pool, Wasm, OrderedSink } = require("./fixedbase.js");
 *   const pool = new Pool(threads, window, curve);   // curve: ffjavascript buildBn128(true)
 *   await pool.ready;
 *   const points = await pool.submit(1, scalars);    // scalars: n×32 bytes, Fr in Montgomery form
 *   const streams = new Scalars(wasm, Fr, tauM, chunk); // the scalars: streams.geometric, streams.lagrange
 *
 * Shared by the INSECURE dev setup writers (devptau.js, devzkey.js): a writer that knows the toxic
 * waste knows the discrete logarithm of every point it has to write, so each point is one fixed-base
 * multiplication of the generator by a scalar the writer computes in Fr.
 *
 * Method: every worker thread instantiates the bn128 wasm of ffjavascript (the bytes the main thread
 * built; ffjavascript itself is never loaded in a worker, its web-worker dependency would hijack the
 * thread) and builds, per group, a table T[j][d-1] = d·2^(W·j)·G (affine, Montgomery) for the signed
 * window digits d = 1..2^(W-1) and windows j < ceil(255/W).  A scalar k < r < 2^254 is recoded into
 * signed digits k = Σ d_j·2^(W·j) with |d_j| ≤ 2^(W-1), so k·G = Σ ±T[j][|d_j|-1]: ~255/W additions
 * instead of ~380 group operations of a generic scalar multiplication.  The accumulators of a job stay
 * affine and the additions of one window share one batch inversion (Montgomery's trick): ~6 field
 * multiplications per addition instead of ~11 for a mixed Jacobian one (mulReference keeps the Jacobian
 * version, which the tests compare with).  Affine coordinates are canonical, so the bytes of a point do
 * not depend on the method, the window, the chunking or the number of threads.
 *
 * Points come back as ptau/zkey file bytes (affine, little-endian Montgomery: "LEM") and, on request, in
 * the uncompressed big-endian form ("U") that snarkjs hashes.  OrderedSink consumes results in
 * submission order while a bounded number of jobs is in flight, so a writer streams sections of any
 * size in constant memory.
 *
 * When this file is the entry of a worker thread it runs the worker loop; required from the main thread
 * it is a library.
 */
"use strict";

const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { Wasm, instantiate } = require("./wasmmem.js");

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const FR8 = 32;
const GROUPS = {
    1: { prefix: "g1m", field: "f1m", n8f: 32, sAff: 64, sJac: 96, genKey: "pG1gen" },
    2: { prefix: "g2m", field: "f2m", n8f: 64, sAff: 128, sJac: 192, genKey: "pG2gen" },
};

/** Fixed-base window for about 2^power points per group: tables of ~(255/W)·2^(W-1) additions per worker. */
function defaultWindow(power) {
    return Math.min(13, Math.max(4, power - 2));
}

// --------------------------------------------------------------------------------------------
// Worker side: fixed-base scalar multiplication of the generator with per-point scalars.
// --------------------------------------------------------------------------------------------

class FixedBase {
    /** Table T[j][d-1] = d·2^(W·j)·G (affine, Montgomery) for d = 1..2^(W-1), j < ceil(255/W). */
    constructor(wasm, group, W) {
        const g = GROUPS[group];
        const ex = wasm.ex;
        this.wasm = wasm;
        this.g = g;
        this.W = W;
        this.half = 1 << (W - 1);
        this.full = 1 << W;
        this.mask = this.full - 1;
        this.nWin = Math.ceil(255 / W); // scalars are < r < 2^254; one more bit for the signed-digit carry
        const nEnt = this.nWin * this.half;
        this.pTab = wasm.alloc(nEnt * g.sAff);
        const mark = wasm.mark();
        const pJ = wasm.alloc(nEnt * g.sJac);
        const pB = wasm.alloc(g.sJac);
        const pBa = wasm.alloc(g.sAff);
        const P = g.prefix;
        ex[P + "_copy"](wasm.tm[g.genKey], pB);
        for (let j = 0; j < this.nWin; j++) {
            ex[P + "_toAffine"](pB, pBa);
            const base = pJ + j * this.half * g.sJac;
            ex[P + "_copy"](pB, base);
            for (let d = 1; d < this.half; d++) {
                ex[P + "_addMixed"](base + (d - 1) * g.sJac, pBa, base + d * g.sJac);
            }
            ex[P + "_double"](base + (this.half - 1) * g.sJac, pB); // 2^(W-1)·B·2 = 2^W·B
        }
        wasm.ensure(2 * (nEnt + 1) * g.n8f);
        ex[P + "_batchToAffine"](pJ, nEnt, this.pTab);
        wasm.release(mark);

        // byte position / shift / number of bytes to read for every window of a 32-byte scalar
        this.win = [];
        for (let j = 0; j < this.nWin; j++) {
            const bit = j * W;
            const byte = bit >> 3;
            this.win.push({ byte, sh: bit & 7, nb: Math.max(0, Math.min(4, FR8 - byte)) });
        }
    }

    /** Signed window digits of n 32-byte scalars (standard form, little-endian) at wasm address pS. */
    recode(pS, n) {
        const { nWin, win, half, full, mask } = this;
        const u8 = this.wasm.view(0, pS + n * FR8);
        const digits = new Int32Array(n * nWin);
        for (let i = 0; i < n; i++) {
            const off = pS + i * FR8;
            let carry = 0;
            for (let j = 0; j < nWin; j++) {
                const w = win[j];
                let v = 0;
                for (let k = 0; k < w.nb; k++) v |= u8[off + w.byte + k] << (8 * k);
                let d = ((v >>> w.sh) & mask) + carry;
                if (d > half) {
                    d -= full;
                    carry = 1;
                } else {
                    carry = 0;
                }
                digits[i * nWin + j] = d;
            }
            if (carry) throw new Error("internal error: scalar out of range");
        }
        return digits;
    }

    /**
     * scalars: n×32 bytes, Fr in Montgomery form.  Returns { lem, u }: n affine points as file bytes
     * (Montgomery LE) if `wantLem`, and uncompressed big-endian (what snarkjs hashes) if `wantU`.
     *
     * Window by window, the n accumulators stay affine and every addition acc += ±T shares one batch
     * inversion with the other points of the job (Montgomery's trick): about 3 multiplications for the
     * shared inverse and 3 for the chord, against ~11 for a mixed Jacobian addition.  An accumulator
     * equal to ±T (no chord: a doubling, or the point at infinity) takes the Jacobian path instead.
     */
    mul(scalars, wantLem, wantU) {
        const { wasm, g, nWin, half, pTab } = this;
        const ex = wasm.ex;
        const n8 = g.n8f;
        const sA = g.sAff;
        const F = g.field;
        const n = scalars.byteLength / FR8;
        const mark = wasm.mark();
        const pS = wasm.alloc(n * FR8);
        const pAcc = wasm.alloc(n * sA);
        const pDen = wasm.alloc(n * n8);
        const pInv = wasm.alloc(n * n8);
        const pT1 = wasm.alloc(n8);
        const pT2 = wasm.alloc(n8);
        const pLam = wasm.alloc(n8);
        const pTs = wasm.alloc(sA);
        const pJ = wasm.alloc(g.sJac);
        const pU = wantU ? wasm.alloc(n * sA) : 0;
        wasm.ensure(2 * (n + 1) * n8);
        wasm.set(pS, scalars);
        ex.frm_batchFromMontgomery(pS, n, pS);
        const digits = this.recode(pS, n);
        const copy = ex[F + "_copy"];
        const neg = ex[F + "_neg"];
        const add = ex[F + "_add"];
        const sub = ex[F + "_sub"];
        const mul = ex[F + "_mul"];
        const square = ex[F + "_square"];
        const isZeroF = ex[F + "_isZero"];
        const batchInverse = ex[F + "_batchInverse"];
        const empty = new Uint8Array(n).fill(1); // accumulator is the point at infinity
        const cand = new Int32Array(n);
        for (let j = 0; j < nWin; j++) {
            let m = 0;
            for (let i = 0; i < n; i++) {
                const d = digits[i * nWin + j];
                if (d === 0) continue;
                const acc = pAcc + i * sA;
                const pT = pTab + (j * half + (d > 0 ? d : -d) - 1) * sA;
                if (empty[i]) {
                    copy(pT, acc);
                    if (d > 0) copy(pT + n8, acc + n8);
                    else neg(pT + n8, acc + n8);
                    empty[i] = 0;
                    continue;
                }
                sub(pT, acc, pDen + m * n8); // x_T − x_acc
                cand[m++] = i;
            }
            if (m === 0) continue;
            batchInverse(pDen, n8, m, pInv, n8); // a zero input gives a zero output and is skipped
            for (let t = 0; t < m; t++) {
                const i = cand[t];
                const d = digits[i * nWin + j];
                const acc = pAcc + i * sA;
                const pT = pTab + (j * half + (d > 0 ? d : -d) - 1) * sA;
                if (isZeroF(pDen + t * n8)) {
                    this.addJacobian(acc, pT, d < 0, pTs, pJ, empty, i);
                    continue;
                }
                if (d > 0) {
                    sub(pT + n8, acc + n8, pT1); // y_T − y_acc
                } else {
                    add(pT + n8, acc + n8, pT1);
                    neg(pT1, pT1); // −y_T − y_acc
                }
                mul(pT1, pInv + t * n8, pLam); // λ
                square(pLam, pT1);
                sub(pT1, acc, pT1);
                sub(pT1, pT, pT2); // x3 = λ² − x_acc − x_T
                sub(acc, pT2, pT1);
                mul(pLam, pT1, pT1);
                sub(pT1, acc + n8, acc + n8); // y3 = λ·(x_acc − x3) − y_acc
                copy(pT2, acc);
            }
        }
        const zeroF = ex[F + "_zero"];
        for (let i = 0; i < n; i++) {
            if (empty[i]) { // the point at infinity: (0, 0), as batchToAffine writes it
                zeroF(pAcc + i * sA);
                zeroF(pAcc + i * sA + n8);
            }
        }
        const out = {};
        if (wantLem) out.lem = wasm.view(pAcc, n * sA).slice();
        if (wantU) {
            ex[g.prefix + "_batchLEMtoU"](pAcc, n, pU);
            out.u = wasm.view(pU, n * sA).slice();
        }
        wasm.release(mark);
        return out;
    }

    /** acc (affine, not infinity) += ±T through Jacobian coordinates: the cases without a chord. */
    addJacobian(acc, pT, negate, pTs, pJ, empty, i) {
        const { wasm, g } = this;
        const ex = wasm.ex;
        const n8 = g.n8f;
        const F = g.field;
        ex[F + "_copy"](pT, pTs);
        if (negate) ex[F + "_neg"](pT + n8, pTs + n8);
        else ex[F + "_copy"](pT + n8, pTs + n8);
        ex[F + "_copy"](acc, pJ);
        ex[F + "_copy"](acc + n8, pJ + n8);
        ex[F + "_one"](pJ + 2 * n8);
        ex[g.prefix + "_addMixed"](pJ, pTs, pJ);
        if (ex[g.prefix + "_isZero"](pJ)) empty[i] = 1;
        else ex[g.prefix + "_toAffine"](pJ, acc);
    }

    /**
     * The plain version of `mul`, kept as the reference the tests compare it with: per point, a Jacobian
     * accumulator and one mixed addition per nonzero digit, then one batch conversion to affine.
     */
    mulReference(scalars, wantLem, wantU) {
        const { wasm, g, nWin, half, pTab } = this;
        const ex = wasm.ex;
        const n = scalars.byteLength / FR8;
        const mark = wasm.mark();
        const pS = wasm.alloc(n * FR8);
        const pJ = wasm.alloc(n * g.sJac);
        const pA = wasm.alloc(n * g.sAff);
        const pU = wantU ? wasm.alloc(n * g.sAff) : 0;
        wasm.ensure(2 * (n + 1) * g.n8f);
        wasm.set(pS, scalars);
        ex.frm_batchFromMontgomery(pS, n, pS);
        const digits = this.recode(pS, n);
        const add = ex[g.prefix + "_addMixed"];
        const sub = ex[g.prefix + "_subMixed"];
        const zero = ex[g.prefix + "_zero"];
        const sA = g.sAff;
        for (let i = 0; i < n; i++) {
            const acc = pJ + i * g.sJac;
            zero(acc);
            for (let j = 0; j < nWin; j++) {
                const d = digits[i * nWin + j];
                if (d > 0) add(acc, pTab + (j * half + d - 1) * sA, acc);
                else if (d < 0) sub(acc, pTab + (j * half - d - 1) * sA, acc);
            }
        }
        ex[g.prefix + "_batchToAffine"](pJ, n, pA);
        const out = {};
        if (wantLem) out.lem = wasm.view(pA, n * sA).slice();
        if (wantU) {
            ex[g.prefix + "_batchLEMtoU"](pA, n, pU);
            out.u = wasm.view(pU, n * sA).slice();
        }
        wasm.release(mark);
        return out;
    }
}

async function workerMain() {
    const wasm = new Wasm(await instantiate(workerData.code, workerData.pointers));
    const engines = { 1: new FixedBase(wasm, 1, workerData.window), 2: new FixedBase(wasm, 2, workerData.window) };
    parentPort.on("message", (msg) => {
        const engine = engines[msg.group];
        const scalars = new Uint8Array(msg.scalars);
        const out = workerData.reference ? engine.mulReference(scalars, msg.lem, msg.u) : engine.mul(scalars, msg.lem, msg.u);
        const transfer = [out.lem, out.u].filter((b) => b !== undefined).map((b) => b.buffer);
        parentPort.postMessage({ id: msg.id, lem: out.lem && out.lem.buffer, u: out.u && out.u.buffer }, transfer);
    });
    parentPort.postMessage({ ready: true });
}

// --------------------------------------------------------------------------------------------
// Main side
// --------------------------------------------------------------------------------------------

/**
 * Dispatches jobs to worker threads, at most two outstanding per worker.  With `reference` the workers
 * use FixedBase.mulReference (same bytes, slower; for tests).
 */
class Pool {
    constructor(nThreads, window, curve, { reference = false } = {}) {
        const pointers = { pG1gen: curve.tm.pG1gen, pG2gen: curve.tm.pG2gen };
        this.workers = [];
        this.queue = [];
        this.pending = new Map();
        this.nextId = 0;
        const ready = [];
        for (let i = 0; i < nThreads; i++) {
            const worker = new Worker(__filename, { workerData: { window, reference, code: curve.tm.code, pointers } });
            const slot = { worker, busy: 0 };
            ready.push(new Promise((resolve, reject) => {
                worker.once("error", reject);
                worker.once("exit", (code) => reject(new Error(`worker thread exited during start-up (code ${code})`)));
                worker.on("message", (msg) => {
                    if (msg.ready) {
                        resolve();
                        return;
                    }
                    slot.busy -= 1;
                    const p = this.pending.get(msg.id);
                    this.pending.delete(msg.id);
                    const lem = msg.lem && new Uint8Array(msg.lem);
                    const u = msg.u && new Uint8Array(msg.u);
                    p.resolve(p.forms === "lem" ? lem : p.forms === "u" ? u : { lem, u });
                    this.pump();
                });
            }));
            const abort = (err) => {
                if (this.closing) return;
                this.error = this.error || err;
                for (const p of this.pending.values()) p.reject(this.error);
                this.pending.clear();
            };
            worker.on("error", abort);
            worker.on("exit", (code) => abort(new Error(`worker thread exited unexpectedly (code ${code})`)));
            this.workers.push(slot);
        }
        this.ready = Promise.all(ready);
    }

    /**
     * k·G in group 1 or 2 for every 32-byte Montgomery scalar k of `scalars` (the buffer is transferred).
     * forms: "lem" (default) resolves to the file bytes, "u" to the uncompressed bytes, "lem+u" to { lem, u }.
     */
    submit(group, scalars, forms = "lem") {
        if (this.error) return Promise.reject(this.error);
        return new Promise((resolve, reject) => {
            const id = this.nextId++;
            this.pending.set(id, { resolve, reject, forms });
            this.queue.push({ id, group, scalars, forms });
            this.pump();
        });
    }

    pump() {
        for (const slot of this.workers) {
            while (slot.busy < 2 && this.queue.length > 0) {
                const job = this.queue.shift();
                slot.busy += 1;
                slot.worker.postMessage({
                    id: job.id, group: job.group, scalars: job.scalars.buffer,
                    lem: job.forms !== "u", u: job.forms !== "lem",
                }, [job.scalars.buffer]);
            }
        }
    }

    async close() {
        this.closing = true;
        await Promise.all(this.workers.map((s) => s.worker.terminate()));
    }
}

/**
 * In-order consumer: accepts items or promises of items, keeps at most `maxInFlight` promises
 * outstanding, and hands every item, in push order, to `consume` (which may be async).
 */
class OrderedSink {
    constructor(maxInFlight, consume) {
        this.fifo = [];
        this.inFlight = 0;
        this.maxInFlight = maxInFlight;
        this.consume = consume;
    }

    async push(item) {
        this.fifo.push(item);
        if (item instanceof Promise) this.inFlight += 1;
        while (this.inFlight > this.maxInFlight) await this.consumeHead();
    }

    async consumeHead() {
        let item = this.fifo.shift();
        if (item instanceof Promise) {
            this.inFlight -= 1;
            item = await item;
        }
        await this.consume(item);
    }

    async flush() {
        while (this.fifo.length > 0) await this.consumeHead();
    }
}

/** Write all of `buf` to `fd` at the current position. */
/**
 * Scalar streams of the writers, computed in the main thread's wasm Fr (Montgomery form) and yielded in chunks
 * of at most `chunk` scalars (each chunk a fresh Uint8Array of k·32 bytes, ready for Pool.submit).  A stream
 * allocates its constants when it starts and releases them when it ends, so streams are consumed one after
 * the other (every writer does).
 */
class Scalars {
    constructor(wasm, Fr, tauM, chunk) {
        this.wasm = wasm;
        this.Fr = Fr;
        this.tauM = tauM;
        this.chunk = chunk;
        this.pTau = this.constant(tauM);
    }

    /** A field element copied into wasm memory; returns its address. */
    constant(x) {
        const p = this.wasm.alloc(FR8);
        this.wasm.set(p, x);
        return p;
    }

    /** first·inc^i for i < count. */
    *geometric(first, inc, count) {
        const wasm = this.wasm;
        const mark0 = wasm.mark();
        const pCur = this.constant(first);
        const pInc = this.constant(inc);
        for (let done = 0; done < count; done += this.chunk) {
            const k = Math.min(this.chunk, count - done);
            const out = new Uint8Array(k * FR8);
            for (let i = 0; i < k; i++) {
                out.set(wasm.view(pCur, FR8), i * FR8);
                wasm.ex.frm_mul(pCur, pInc, pCur);
            }
            yield out;
        }
        wasm.release(mark0);
    }

    /**
     * factor·w^j·((tau^m − 1)/(m·(tau − w^j)) − [truncated] tau^(m−1)/m) for j = first + stride·i, i < count,
     * over the domain of size m = 2^p (w = Fr.w[p]): factor·L_j(tau), or with `truncated` the ifft of
     * tau^0..tau^(m−2) padded with one zero.  The denominators of a chunk share one batch inversion.
     */
    *lagrange(p, factor, truncated, first = 0, stride = 1, count = 2 ** p) {
        const { wasm, Fr, tauM } = this;
        const ex = wasm.ex;
        const m = 2 ** p;
        const mInv = Fr.inv(Fr.e(m));
        const K = Fr.mul(factor, Fr.mul(Fr.sub(Fr.exp(tauM, m), Fr.one), mInv));
        const T = truncated ? Fr.mul(factor, Fr.mul(Fr.exp(tauM, m - 1), mInv)) : Fr.zero;
        const mark0 = wasm.mark();
        const pK = this.constant(K);
        const pT = this.constant(T);
        const pStep = this.constant(Fr.exp(Fr.w[p], stride));
        const pW = this.constant(Fr.exp(Fr.w[p], first));
        for (let done = 0; done < count; done += this.chunk) {
            const k = Math.min(this.chunk, count - done);
            const mark = wasm.mark();
            const pDen = wasm.alloc(k * FR8);
            const pWs = wasm.alloc(k * FR8);
            const pInv = wasm.alloc(k * FR8);
            wasm.ensure((k + 2) * FR8);
            for (let i = 0; i < k; i++) {
                ex.frm_copy(pW, pWs + i * FR8);
                ex.frm_sub(this.pTau, pW, pDen + i * FR8);
                ex.frm_mul(pW, pStep, pW);
            }
            ex.frm_batchInverse(pDen, FR8, k, pInv, FR8);
            for (let i = 0; i < k; i++) {
                const s = pInv + i * FR8;
                ex.frm_mul(s, pK, s);
                ex.frm_sub(s, pT, s);
                ex.frm_mul(s, pWs + i * FR8, s);
            }
            const out = wasm.view(pInv, k * FR8).slice();
            wasm.release(mark);
            yield out;
        }
        wasm.release(mark0);
    }
}

function writeAll(fd, buf) {
    let off = 0;
    while (off < buf.byteLength) off += fs.writeSync(fd, buf, off, buf.byteLength - off);
}

/** An OrderedSink that writes buffers to `fd`; `bytes` counts what it wrote. */
class OrderedWriter extends OrderedSink {
    constructor(fd, maxInFlight) {
        super(maxInFlight, (buf) => {
            writeAll(fd, buf);
            this.bytes += buf.byteLength;
        });
        this.fd = fd;
        this.bytes = 0;
    }
}

function u32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v, 0);
    return b;
}

/** The 12-byte header of an iden3 binary section: u32 id, u64 payload size (little-endian). */
function sectionHeader(id, size) {
    const b = Buffer.alloc(12);
    b.writeUInt32LE(id, 0);
    b.writeBigUInt64LE(BigInt(size), 4);
    return b;
}

if (!isMainThread) {
    workerMain().catch((err) => {
        // surface the failure to the main thread's "error" handler
        setImmediate(() => { throw err; });
    });
}

module.exports = {
    R, Q, FR8, GROUPS, defaultWindow, Wasm, Scalars, Pool, OrderedSink, OrderedWriter, writeAll, u32, sectionHeader,
};
