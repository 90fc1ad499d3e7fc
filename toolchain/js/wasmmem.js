/*
 * wasmmem.js — raw access to one instance of ffjavascript's bn128 wasm, with a bump allocator that grows
 * its memory on demand.
 *
 *   const { Wasm, instantiate } = require("./wasmmem.js");
 *   const wasm = new Wasm(curve.tm);                     // main thread: ffjavascript's thread manager
 *   const wasm = new Wasm(await instantiate(code));      // worker thread: the module bytes it was sent
 *   const mark = wasm.mark(); const p = wasm.alloc(64); ...; wasm.release(mark);
 *
 * The first u32 of the memory is the free pointer, as in ffjavascript's thread manager, so the main
 * thread's curve and a worker's bare instance are driven the same way.  No worker-thread side effects:
 * shared by checkptau.js and fixedbase.js, whose workers each run their own file.
 */
"use strict";

class Wasm {
    /** `tm`: { memory, instance, u8, u32 } (ffjavascript's thread manager has them). */
    constructor(tm) {
        this.tm = tm;
        this.ex = tm.instance.exports;
    }

    /** Make sure `extra` bytes past the free pointer are addressable (wasm batch ops use that as scratch). */
    ensure(extra) {
        const mem = this.tm.memory;
        const need = this.tm.u32[0] + extra + 65536;
        if (need > mem.buffer.byteLength) {
            mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
            // growing detaches the old ArrayBuffer: refresh the views the thread manager keeps
            this.tm.u8 = new Uint8Array(mem.buffer);
            this.tm.u32 = new Uint32Array(mem.buffer);
        }
    }

    /** `n` bytes at an 8-byte aligned address. */
    alloc(n) {
        this.ensure(n + 8);
        while (this.tm.u32[0] & 7) this.tm.u32[0]++;
        const p = this.tm.u32[0];
        this.tm.u32[0] += n;
        return p;
    }

    mark() {
        return this.tm.u32[0];
    }

    release(mark) {
        this.tm.u32[0] = mark;
    }

    view(p, n) {
        return new Uint8Array(this.tm.memory.buffer, p, n);
    }

    set(p, bytes) {
        this.view(p, bytes.byteLength).set(bytes);
    }
}

/**
 * A bare instance of the wasm module bytes `code` (what a worker thread runs, where ffjavascript itself must
 * not be loaded), shaped like the thread manager Wasm drives; `extra` (e.g. generator pointers) is copied in.
 */
async function instantiate(code, extra = {}) {
    const memory = new WebAssembly.Memory({ initial: 25 });
    const module = await WebAssembly.compile(code);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    return { memory, instance, u8: new Uint8Array(memory.buffer), u32: new Uint32Array(memory.buffer), ...extra };
}

module.exports = { Wasm, instantiate };
