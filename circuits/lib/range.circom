pragma circom 2.1.0;

// Range checks: the only place a raw signal becomes "known to fit n bits".
//
// Why n <= 252: BN254's r is about 2^253.6, so 2^252 < r/2.  Every range below
// then has a unique bit decomposition and the signed range [-2^(n-1), 2^(n-1))
// does not meet its own negation modulo r, so the signed decoding is exact.

include "bitify.circom";

/**
 * Constrains in to the unsigned range [0, 2^n).
 *
 * @param n   bit width, 1 <= n <= 252
 * @input in  any field element; range-checked here (fails unless 0 <= in < 2^n)
 *
 * Cost: n constraints (Num2Bits booleanity; its sum is linear and folded by --O2).
 */
template UnsignedRangeCheck(n) {
    assert(n >= 1);    // Num2Bits(0) would only force in == 0; say that explicitly instead
    assert(n <= 252);  // 2^n < r/2: the decomposition is unique and cannot wrap modulo r

    signal input in;

    component bits = Num2Bits(n);
    bits.in <== in;
}

/**
 * Constrains in to the signed range [-2^(n-1), 2^(n-1)) (negative x encoded as r + x).
 *
 * Shifting by 2^(n-1) maps the signed range onto [0, 2^n) and every other
 * field element outside it, so one Num2Bits(n) decides membership.
 *
 * @param n   bit width including the sign, 1 <= n <= 252
 * @input in  any field element; range-checked here (fails unless -2^(n-1) <= in < 2^(n-1))
 *
 * Cost: n constraints.
 */
template SignedRangeCheck(n) {
    assert(n >= 1);    // one bit holds {-1, 0}; zero bits hold nothing
    assert(n <= 252);  // 2^n < r/2: in + 2^(n-1) cannot wrap modulo r into [0, 2^n)

    signal input in;

    component bits = Num2Bits(n);
    bits.in <== in + (1 << (n - 1));
}
