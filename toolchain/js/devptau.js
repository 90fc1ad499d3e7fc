#!/usr/bin/env node
/*
 * devptau.js — fast, deterministic, **INSECURE** powers-of-tau generator for development.
 *
 *   node toolchain/js/devptau.js --power P --seed SEED --out FILE.ptau [--unprepared]
 *                                [--contribution NAME] [--threads N] [--window W] [--chunk C]
 *
 * Writes a bn128 ptau file with the same sections and byte layout as
 * `snarkjs powersoftau new` followed by `snarkjs powersoftau prepare phase2`
 * (header, tauG1, tauG2, alphaTauG1, betaTauG1, betaG2, an empty contributions
 * section, and the Lagrange sections 12–15), or — with --unprepared — only
 * sections 1–7, like an accumulator with the same powers that was never prepared.
 *
 * THE SECRETS (tau, alpha, beta) ARE DERIVED FROM THE PUBLIC SEED, so anyone who
 * knows the seed can forge Groth16 proofs for every circuit set up with this file.
 * Use it for development and testing only, never for anything that must be sound.
 *
 * --contribution NAME writes a STAND-IN CEREMONY file instead: the same points, plus
 * one contribution record in section 7, exactly as `snarkjs powersoftau new` followed
 * by one `snarkjs powersoftau contribute` whose random secrets happened to be the
 * seed's (then prepare phase2) would leave it: the contributor's public key with its
 * proof of knowledge bound to the first challenge hash, the partial response hash and
 * the next challenge hash, so `snarkjs powersoftau verify` accepts it. It exists to
 * test the production setup path in seconds; it is exactly as INSECURE as a dev file
 * (the seed is still the toxic waste).
 *
 * How it is fast: the generator knows tau, so every point in the file is k·G for
 * the group generator G and a scalar k computable in Fr:
 *   tauG1[i] = tau^i·G1, alphaTauG1[i] = alpha·tau^i·G1, ...
 *   Lagrange level m = 2^p: L_j(tau) = w^j (tau^m − 1) / (m (tau − w^j))   (w = Fr.w[p])
 *   (the extra level 2^(power+1) of section 12 is the ifft of tauG1 padded with
 *    one zero point, i.e. L_j(tau) − tau^(m−1)·w^j/m)
 * Scalars are computed in the main thread with ffjavascript's wasm Fr (batch
 * inversion); the points are computed by worker threads, each holding its own
 * instance of ffjavascript's bn128 wasm and a fixed-base table of signed windows
 * (d·2^(W·j)·G), so one point costs ~255/W mixed additions instead of ~380 group
 * operations of a generic scalar multiplication, and no group FFT is needed
 * (the pool and the tables live in fixedbase.js, shared with devzkey.js).
 * The output is written in order, so the file is byte-identical for equal inputs.
 */
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const ff = require("ffjavascript");
// The contribution record hashes with the blake2b snarkjs itself uses (its partial-hash format is that
// module's internal state), so resolve it from snarkjs' own location.
const { blake2b } = require(require.resolve("@noble/hashes/blake2b",
    { paths: [require("node:path").dirname(require.resolve("snarkjs"))] }));
const { R, Q, FR8, GROUPS, defaultWindow, Wasm, Scalars, Pool, OrderedWriter, u32, sectionHeader } = require("./fixedbase.js");

const MAX_POWER = 20;
const DOMAIN = "zkmargin/devptau/v1 INSECURE";
const MAX_NAME_BYTES = 64; // snarkjs keeps at most 64 characters of a contribution name

function usage(msg) {
    if (msg) process.stderr.write(`devptau: ${msg}\n`);
    process.stderr.write([
        "usage: node devptau.js --power P --seed SEED --out FILE.ptau [--unprepared]",
        "                       [--contribution NAME] [--threads N] [--window W] [--chunk C]",
        "  --window defaults to min(13, max(4, power-2)); window, chunk and threads change the speed, never the bytes",
        "  --contribution NAME: a stand-in ceremony file with one (seed-derived) contribution record",
        "  INSECURE: the toxic waste is derived from the public seed; development/testing only.",
        "",
    ].join("\n"));
    process.exit(2);
}

function parseArgs(argv) {
    const opts = { unprepared: false, threads: Math.max(1, os.cpus().length), window: "auto", chunk: 4096 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => {
            if (i + 1 >= argv.length) usage(`missing value for ${a}`);
            return argv[++i];
        };
        if (a === "--power") opts.power = val();
        else if (a === "--seed") opts.seed = val();
        else if (a === "--out") opts.out = val();
        else if (a === "--threads") opts.threads = val();
        else if (a === "--window") opts.window = val();
        else if (a === "--chunk") opts.chunk = val();
        else if (a === "--unprepared") opts.unprepared = true;
        else if (a === "--contribution") opts.contribution = val();
        else if (a === "--help" || a === "-h") usage();
        else usage(`unknown argument ${a}`);
    }
    if (opts.power === undefined || opts.seed === undefined || opts.out === undefined) {
        usage("--power, --seed and --out are required");
    }
    const int = (name, v, lo, hi) => {
        const n = Number(v);
        if (!/^\d+$/.test(String(v)) || n < lo || n > hi) usage(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
        return n;
    };
    opts.power = int("--power", opts.power, 1, MAX_POWER);
    opts.threads = int("--threads", opts.threads, 1, 64);
    // fixed-base window: the tables cost ~(255/W)·2^(W-1) additions per worker, each point ~255/W
    opts.window = opts.window === "auto" ? defaultWindow(opts.power) : int("--window", opts.window, 2, 20);
    opts.chunk = int("--chunk", opts.chunk, 1, 1 << 20);
    if (opts.contribution !== undefined) {
        const bytes = Buffer.byteLength(opts.contribution, "utf8");
        if (bytes < 1 || bytes > MAX_NAME_BYTES) {
            usage(`--contribution must be 1..${MAX_NAME_BYTES} bytes of UTF-8, got ${bytes}`);
        }
    }
    return opts;
}

function bigFromHash(label, seed, counter) {
    const h = crypto.createHash("sha512");
    h.update(`${DOMAIN}\0${label}\0${counter}\0`);
    h.update(Buffer.from(seed, "utf8"));
    return BigInt("0x" + h.digest("hex")) % R;
}

function modpow(b, e, m) {
    let r = 1n;
    b %= m;
    while (e > 0n) {
        if (e & 1n) r = (r * b) % m;
        b = (b * b) % m;
        e >>= 1n;
    }
    return r;
}

/** Secrets from the seed: hash(domain, label, counter, seed) mod r, retried while degenerate. */
function deriveSecrets(seed, power) {
    const maxDomain = 1n << BigInt(power + 1);
    const pick = (label, ok) => {
        for (let c = 0; ; c++) {
            const x = bigFromHash(label, seed, c);
            if (x !== 0n && ok(x)) return x;
        }
    };
    // tau must not lie in any evaluation domain (tau^(2^(power+1)) != 1), else L_j(tau) divides by zero
    const tau = pick("tau", (x) => modpow(x, maxDomain, R) !== 1n);
    const alpha = pick("alpha", () => true);
    const beta = pick("beta", () => true);
    return { tau, alpha, beta };
}

/** File offsets of the data of sections 2..6 (written right after the file and section-1 headers). */
function sectionOffsets(headerLength, sections) {
    const offsets = {};
    let pos = 12 + 12 + headerLength;
    for (const sec of sections.filter((s) => s.id <= 6)) {
        offsets[sec.id] = pos + 12;
        pos += 12 + sec.count * GROUPS[sec.group].sAff;
    }
    return offsets;
}
// --------------------------------------------------------------------------------------------
// Stand-in ceremony: one contribution record (--contribution), as snarkjs powersoftau writes it
// --------------------------------------------------------------------------------------------

/** snarkjs powersoftau_utils.calculateFirstChallengeHash: blake2b of the identity accumulator of `power`. */
function firstChallengeHash(curve, power) {
    const hasher = blake2b.create({ dkLen: 64 });
    hasher.update(blake2b.create({ dkLen: 64 }).digest());
    const repeat = (point, count) => {
        const block = 4096;
        const big = new Uint8Array(block * point.byteLength);
        for (let i = 0; i < block; i++) big.set(point, i * point.byteLength);
        for (let left = count; left > 0; left -= block) {
            const k = Math.min(block, left);
            hasher.update(k === block ? big : big.subarray(0, k * point.byteLength));
        }
    };
    const g1 = curve.G1.toUncompressed(curve.G1.g);
    const g2 = curve.G2.toUncompressed(curve.G2.g);
    const n = 2 ** power;
    repeat(g1, 2 * n - 1); // tauG1
    repeat(g2, n); // tauG2
    repeat(g1, n); // alphaTauG1
    repeat(g1, n); // betaTauG1
    hasher.update(g2); // betaG2
    return hasher.digest();
}

/** snarkjs keypair.getG2sp: the G2 point a contribution's proof of knowledge is bound to. */
function g2sp(curve, personalization, challenge, g1s, g1sx) {
    const h = blake2b.create({ dkLen: 64 });
    h.update(new Uint8Array([personalization]));
    h.update(challenge);
    h.update(curve.G1.toUncompressed(g1s));
    h.update(curve.G1.toUncompressed(g1sx));
    const hash = h.digest();
    const view = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
    const words = [];
    for (let i = 0; i < 8; i++) words.push(view.getUint32(i * 4));
    return curve.G2.fromRng(new ff.ChaCha(words));
}

/** snarkjs misc.toPartialHash: the blake2b state (buffer, h, length, pos) in 216 bytes. */
function partialHash(hasher) {
    const out = new Uint8Array(216);
    const w = new Uint32Array(out.buffer, 128, 22);
    out.set(hasher.buffer);
    const v = ["v0l", "v0h", "v1l", "v1h", "v2l", "v2h", "v3l", "v3h", "v4l", "v4h", "v5l", "v5h", "v6l", "v6h",
        "v7l", "v7h"];
    for (let i = 0; i < v.length; i++) w[i] = hasher[v[i]];
    w[18] = hasher.pos;
    w[16] = hasher.length - hasher.pos;
    return out;
}

/**
 * The section-7 bytes of one contribution from the identity accumulator with secrets (tau, alpha, beta).
 * `sectionChunks(id)` yields the Montgomery (file) bytes of section `id` in chunks of whole points.
 */
async function contributionSection(curve, power, seed, secretsM, name, sectionChunks) {
    const { G1, G2 } = curve;
    const lem = (G, p) => {
        const b = new Uint8Array(G.F.n8 * 2);
        G.toRprLEM(b, 0, G.toAffine(p));
        return b;
    };
    const unc = (G, p) => {
        const b = new Uint8Array(G.F.n8 * 2);
        G.toRprUncompressed(b, 0, G.toAffine(p));
        return b;
    };
    const challenge = firstChallengeHash(curve, power);
    // public key: per secret x a random s (here derived from the seed), s·G1, s·x·G1, x·G2sp
    const keys = {};
    const labels = ["tau", "alpha", "beta"];
    for (let i = 0; i < labels.length; i++) {
        let s = 0n;
        for (let c = 0; s === 0n; c++) s = bigFromHash(`contribution key ${labels[i]}`, seed, c);
        const x = secretsM[labels[i]];
        const g1s = G1.toAffine(G1.timesFr(G1.g, curve.Fr.e(s)));
        const g1sx = G1.toAffine(G1.timesFr(g1s, x));
        const sp = G2.toAffine(g2sp(curve, i, challenge, g1s, g1sx));
        keys[labels[i]] = { g1s, g1sx, g2spx: G2.toAffine(G2.timesFr(sp, x)) };
    }
    const pubKey = (enc) => Buffer.concat([
        enc(G1, keys.tau.g1s), enc(G1, keys.tau.g1sx), enc(G1, keys.alpha.g1s), enc(G1, keys.alpha.g1sx),
        enc(G1, keys.beta.g1s), enc(G1, keys.beta.g1sx),
        enc(G2, keys.tau.g2spx), enc(G2, keys.alpha.g2spx), enc(G2, keys.beta.g2spx),
    ]);
    const hashed = [[2, G1], [3, G2], [4, G1], [5, G1], [6, G2]];
    // response hash: previous challenge, every new point compressed, then the public key uncompressed
    const response = blake2b.create({ dkLen: 64 });
    response.update(challenge);
    for (const [id, G] of hashed) {
        for (const chunk of sectionChunks(id)) response.update(await G.batchLEMtoC(chunk));
    }
    const partial = partialHash(response);
    response.update(pubKey(unc));
    const responseHash = response.digest();
    // next challenge: the response hash, then every point uncompressed
    const next = blake2b.create({ dkLen: 64 });
    next.update(responseHash);
    for (const [id, G] of hashed) {
        for (const chunk of sectionChunks(id)) next.update(await G.batchLEMtoU(chunk));
    }
    const nameBytes = Buffer.from(name, "utf8");
    const params = Buffer.concat([Buffer.from([1, nameBytes.length]), nameBytes]);
    return Buffer.concat([
        u32(1), // number of contributions
        lem(G1, G1.timesFr(G1.g, secretsM.tau)), lem(G2, G2.timesFr(G2.g, secretsM.tau)),
        lem(G1, G1.timesFr(G1.g, secretsM.alpha)), lem(G1, G1.timesFr(G1.g, secretsM.beta)),
        lem(G2, G2.timesFr(G2.g, secretsM.beta)),
        pubKey(lem), Buffer.from(partial), Buffer.from(next.digest()), u32(0), // type 0: a contribution
        u32(params.length), params,
    ]);
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const log = (msg) => process.stderr.write(`devptau [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
    const { power, seed } = opts;
    const n = 2 ** power;
    log(`INSECURE development ptau: power ${power}, secrets derived from the public seed; do not use in production`);

    const curve = await ff.buildBn128(true);
    const Fr = curve.Fr;
    const wasm = new Wasm(curve.tm);

    const secrets = deriveSecrets(seed, power);
    const tauM = Fr.e(secrets.tau);
    const alphaM = Fr.e(secrets.alpha);
    const betaM = Fr.e(secrets.beta);

    const pool = new Pool(opts.threads, opts.window, curve);
    await pool.ready;
    log(`${opts.threads} worker thread(s) ready (fixed-base window ${opts.window})`);

    // ---- scalar generators (Montgomery Fr, in file order) --------------------------------------
    const streams = new Scalars(wasm, Fr, tauM, opts.chunk);

    const one = Fr.one;
    const nLag = (maxP) => 2 ** (maxP + 1) - 1; // points in levels 0..maxP
    const sections = [
        { id: 2, name: "tauG1", group: 1, count: 2 * n - 1, gens: () => [streams.geometric(one, tauM, 2 * n - 1)] },
        { id: 3, name: "tauG2", group: 2, count: n, gens: () => [streams.geometric(one, tauM, n)] },
        { id: 4, name: "alphaTauG1", group: 1, count: n, gens: () => [streams.geometric(alphaM, tauM, n)] },
        { id: 5, name: "betaTauG1", group: 1, count: n, gens: () => [streams.geometric(betaM, tauM, n)] },
        { id: 6, name: "betaG2", group: 2, count: 1, gens: () => [streams.geometric(betaM, tauM, 1)] },
    ];
    const levels = (factor, maxP, truncTop) => () => {
        const gens = [];
        for (let p = 0; p <= maxP; p++) gens.push(streams.lagrange(p, factor, truncTop && p === maxP));
        return gens;
    };
    if (!opts.unprepared) {
        sections.push(
            { id: 12, name: "lagrange tauG1", group: 1, count: nLag(power + 1), gens: levels(one, power + 1, true) },
            { id: 13, name: "lagrange tauG2", group: 2, count: nLag(power), gens: levels(one, power, false) },
            { id: 14, name: "lagrange alphaTauG1", group: 1, count: nLag(power), gens: levels(alphaM, power, false) },
            { id: 15, name: "lagrange betaTauG1", group: 1, count: nLag(power), gens: levels(betaM, power, false) },
        );
    }

    // ---- write -------------------------------------------------------------------------------
    const tmpOut = `${opts.out}.tmp-${process.pid}`;
    const fd = fs.openSync(tmpOut, "w");
    try {
        const w = new OrderedWriter(fd, 6 * opts.threads);
        const magic = Buffer.from("ptau", "ascii");
        await w.push(Buffer.concat([magic, u32(1), u32(opts.unprepared ? 7 : 11)]));

        const qBytes = Buffer.alloc(32);
        let q = Q;
        for (let i = 0; i < 32; i++, q >>= 8n) qBytes[i] = Number(q & 0xffn);
        const header = Buffer.concat([u32(32), qBytes, u32(power), u32(power)]);
        await w.push(Buffer.concat([sectionHeader(1, header.length), header]));

        const emit = async (sec) => {
            const sAff = GROUPS[sec.group].sAff;
            log(`section ${sec.id} ${sec.name}: ${sec.count} G${sec.group} points`);
            await w.push(sectionHeader(sec.id, sec.count * sAff));
            let emitted = 0;
            for (const gen of sec.gens()) {
                for (const scalars of gen) {
                    emitted += scalars.byteLength / FR8;
                    await w.push(pool.submit(sec.group, scalars));
                }
            }
            if (emitted !== sec.count) throw new Error(`internal error: ${sec.name} has ${emitted} != ${sec.count}`);
        };
        for (const sec of sections.filter((s) => s.id <= 6)) await emit(sec);
        if (opts.contribution === undefined) {
            await w.push(Buffer.concat([sectionHeader(7, 4), u32(0)])); // contributions: none
        } else {
            await w.flush();
            const offsets = sectionOffsets(header.length, sections);
            const rfd = fs.openSync(tmpOut, "r");
            try {
                const chunks = function* (id) {
                    const sec = sections.find((x) => x.id === id);
                    const sAff = GROUPS[sec.group].sAff;
                    for (let done = 0; done < sec.count; done += 8192) {
                        const k = Math.min(8192, sec.count - done);
                        const buf = Buffer.alloc(k * sAff);
                        fs.readSync(rfd, buf, 0, buf.length, offsets[id] + done * sAff);
                        yield new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
                    }
                };
                log(`contribution record "${opts.contribution}" (INSECURE: its secrets derive from the seed)`);
                const record = await contributionSection(curve, power, seed, { tau: tauM, alpha: alphaM, beta: betaM },
                    opts.contribution, chunks);
                await w.push(Buffer.concat([sectionHeader(7, record.length), record]));
            } finally {
                fs.closeSync(rfd);
            }
        }
        for (const sec of sections.filter((s) => s.id >= 12)) await emit(sec);
        await w.flush();
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(tmpOut, opts.out);
        log(`wrote ${opts.out} (${w.bytes} bytes)`);
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
    }
    log("done");
}

if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`devptau: error: ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    });
}

// devzkey.js derives the same secrets to write keys over this file's powers
module.exports = { deriveSecrets, DOMAIN, MAX_POWER };
