pragma circom 2.1.0;

// Maxima of signed integers (scan risk = max over scenarios, floors at zero).

include "bitify.circom";

/**
 * Constrains max to be exactly max(in[0], ..., in[S-1]) (signed).
 *
 * Two groups of constraints:
 *   upper bound   max - in[s] in [0, 2^n) for every s (Num2Bits(n) each), so max >= in[s];
 *   membership    prod_s (max - in[s]) == 0, so max equals some in[s].
 * Together: max is an input and no input exceeds it, i.e. it is the maximum.
 * The bound holds over the integers, not just modulo r: every
 * in[s] + (max - in[s]) lies in [-2^(n-1), 3 * 2^(n-1)), a window narrower
 * than r, so all of them name the same integer.
 *
 * @param S      number of inputs, S >= 1
 * @param n      bit width of the inputs, 1 <= n <= 252
 * @input in[S]  ASSUMES each in [-2^(n-1), 2^(n-1)), guaranteed by the caller's range check
 * @input max    the claimed maximum, any field element (fails unless it is the maximum)
 *
 * Cost: S * n (bounds) + S - 1 (product chain) constraints; 0 for S == 1 (one linear, folded by --O2).
 *       SignedMax(16, 97): 1567.
 */
template AssertSignedMax(S, n) {
    assert(S >= 1);
    assert(n >= 1);
    assert(n <= 252);  // 2^(n+1) < r: a negative max - in[s] cannot pass Num2Bits(n) (see AssertSignedGreaterEq)

    signal input in[S];
    signal input max;

    if (S == 1) {
        max === in[0];
    } else {
        component upper[S];
        for (var s = 0; s < S; s++) {
            upper[s] = Num2Bits(n);
            upper[s].in <== max - in[s];  // max >= in[s]
        }

        // prefix[s] = prod_{k <= s + 1} (max - in[k])
        signal prefix[S - 1];
        prefix[0] <== (max - in[0]) * (max - in[1]);
        for (var s = 1; s < S - 1; s++) {
            prefix[s] <== prefix[s - 1] * (max - in[s + 1]);
        }
        prefix[S - 2] === 0;  // max is one of the inputs
    }
}

/**
 * out = max(in[0], ..., in[S-1]) exactly (signed).
 *
 * @param S      number of inputs, S >= 1
 * @param n      bit width of the inputs, 1 <= n <= 252
 * @input in[S]  ASSUMES each in [-2^(n-1), 2^(n-1)), guaranteed by the caller's range check
 * @output out   the maximum; signed n-bit since it is one of the inputs
 *
 * Cost: as AssertSignedMax, S * n + S - 1 constraints (0 for S == 1).
 */
template SignedMax(S, n) {
    assert(S >= 1);  // checked again by AssertSignedMax; needed before in[0] is read below

    signal input in[S];
    signal output out;

    var best = in[0];
    for (var s = 1; s < S; s++) {
        // shift into [0, 2^n) so the witness-side comparison is on small non-negative integers
        if (in[s] + (1 << (n - 1)) > best + (1 << (n - 1))) {
            best = in[s];
        }
    }
    out <-- best;
    component check = AssertSignedMax(S, n);  // pins out: an upper bound of all inputs and one of them
    check.in <== in;
    check.max <== out;
}

/**
 * out = max(0, in) (signed).
 *
 * Range-checks in itself: in + 2^(n-1) must fit n bits, and its top bit is
 * the sign (1 exactly when in >= 0).
 *
 * @param n     bit width of the input, 1 <= n <= 252
 * @input in    any field element; range-checked here to [-2^(n-1), 2^(n-1)) (fails otherwise)
 * @output out  max(0, in), in [0, 2^(n-1))
 *
 * Cost: n (range check and sign) + 1 (select) constraints.
 */
template MaxZero(n) {
    assert(n >= 1);
    assert(n <= 252);  // as SignedRangeCheck: in + 2^(n-1) cannot wrap modulo r

    signal input in;
    signal output out;

    component bits = Num2Bits(n);
    bits.in <== in + (1 << (n - 1));
    out <== in * bits.out[n - 1];  // bit n-1 of in + 2^(n-1) is 1 exactly when in >= 0
}

/**
 * out = |in| (signed).
 *
 * Range-checks in itself, as MaxZero: bit n-1 of in + 2^(n-1) is 1 exactly when in >= 0, and
 * out = in * (2 * bit - 1) is in or -in accordingly.
 *
 * @param n     bit width of the input, 1 <= n <= 252
 * @input in    any field element; range-checked here to [-2^(n-1), 2^(n-1)) (fails otherwise)
 * @output out  |in|, in [0, 2^(n-1)] (2^(n-1) only for in = -2^(n-1))
 *
 * Cost: n (range check and sign) + 1 (the signed product) constraints.
 */
template SignedAbs(n) {
    assert(n >= 1);
    assert(n <= 252);  // as SignedRangeCheck: in + 2^(n-1) cannot wrap modulo r

    signal input in;
    signal output out;

    component bits = Num2Bits(n);
    bits.in <== in + (1 << (n - 1));
    out <== in * (2 * bits.out[n - 1] - 1);
}
