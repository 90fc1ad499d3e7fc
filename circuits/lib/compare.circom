pragma circom 2.1.0;

// Comparisons of signed integers.  Comparators only ever see range-checked
// inputs: every input below is ASSUMED to be signed n-bit, and the caller
// must have range-checked it (SignedRangeCheck, or by construction).
//
// For a, b in [-2^(n-1), 2^(n-1)) the difference a - b lies in (-2^n, 2^n),
// a window of width 2^(n+1) < r when n <= 252, so its field encoding is
// unambiguous: a - b in [0, 2^n) as a field element  <=>  a >= b.

include "bitify.circom";

/**
 * Constrains in[0] >= in[1] (signed).
 *
 * @param n      bit width of the inputs, 1 <= n <= 252
 * @input in[2]  ASSUMES each in [-2^(n-1), 2^(n-1)), guaranteed by the caller's range check
 *
 * Fails unless in[0] >= in[1]: a negative difference encodes as r - k with
 * k <= 2^n, which is >= r - 2^n > 2^n and has no n-bit decomposition.
 *
 * Cost: n constraints.
 */
template AssertSignedGreaterEq(n) {
    assert(n >= 1);
    assert(n <= 252);  // needs 2^(n+1) < r so that r - 2^n >= 2^n (see above)

    signal input in[2];

    component diff = Num2Bits(n);
    diff.in <== in[0] - in[1];
}

/**
 * out = 1 if in[0] >= in[1] (signed), else 0.
 *
 * x = in[0] - in[1] + 2^n lies in (0, 2^(n+1)); its top bit (bit n) is set
 * exactly when in[0] - in[1] >= 0.  This is circomlib's LessThan with the
 * signed offset built in.
 *
 * @param n      bit width of the inputs, 1 <= n <= 252
 * @input in[2]  ASSUMES each in [-2^(n-1), 2^(n-1)), guaranteed by the caller's range check
 * @output out   boolean
 *
 * Cost: n + 1 constraints.
 */
template SignedGreaterEq(n) {
    assert(n >= 1);
    assert(n <= 252);  // Num2Bits(n + 1) with n + 1 <= 253 bits: 2^253 < r, the decomposition is unique

    signal input in[2];
    signal output out;

    component bits = Num2Bits(n + 1);
    bits.in <== in[0] - in[1] + (1 << n);
    out <== bits.out[n];
}
