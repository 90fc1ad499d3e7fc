pragma circom 2.1.0;

// Packing of range-checked signed values into field elements for hashing; the Python twin is
// statement/commitments.py pack_signed.

include "bitify.circom";

/**
 * Range-checks n signed values to `bits` bits and packs them `per` to a word:
 * words[j] = sum_i (in[per * j + i] + 2^(bits - 1)) * 2^(bits * i).
 *
 * Each value goes through Num2Bits(bits) of in + 2^(bits - 1), so it lies in [-2^(bits-1), 2^(bits-1)), and a
 * word, a sum of at most per * bits < 253 bits, opens to exactly one row of values: hashing the words binds
 * every value.
 *
 * @param n      number of values, n >= 1
 * @param bits   signed width of each value, 1 <= bits <= 252
 * @param per    values per word, per * bits <= 252
 * @input in[n]  range-checked here to signed `bits` bits
 * @output words[ceil(n / per)]  the packed words
 * @output nonneg[n]  1 where in[i] >= 0 (the top bit of in + 2^(bits - 1))
 *
 * Cost: n * bits constraints (the bits); the words are linear and folded by --O2.
 */
template PackSigned(n, bits, per) {
    assert(n >= 1);
    assert(bits >= 1 && per >= 1 && per * bits <= 252);
    var W = (n + per - 1) \ per;

    signal input in[n];
    signal output words[W];
    signal output nonneg[n];

    component b[n];
    var acc[W];
    for (var j = 0; j < W; j++) {
        acc[j] = 0;
    }
    for (var i = 0; i < n; i++) {
        b[i] = Num2Bits(bits);
        b[i].in <== in[i] + (1 << (bits - 1));
        var shift = bits * (i % per);
        var e = 1 << shift;
        for (var k = 0; k < bits; k++) {
            acc[i \ per] += b[i].out[k] * e;
            e = e + e;
        }
        nonneg[i] <== b[i].out[bits - 1];
    }
    for (var j = 0; j < W; j++) {
        words[j] <== acc[j];
    }
}
