pragma circom 2.1.0;

// Division by a compile-time constant with an explicit rounding direction
// (rounding rules R5 and R6 of zkmargin/constants.py: MM, IM, collateral value).

include "bitify.circom";

// Number of bits needed to write x >= 0 (0 for x == 0).
function BitLength(x) {
    var bits = 0;
    var rest = x;
    while (rest > 0) {
        bits++;
        rest \= 2;
    }
    return bits;
}

/**
 * Remainder check: constrains 0 <= in < d for a constant d >= 2.
 *
 * With k = BitLength(d - 1): in < 2^k by Num2Bits(k), and, when d is not a
 * power of two, d - 1 - in < 2^k by a second Num2Bits(k) (a negative
 * d - 1 - in encodes as r - j, far above 2^k), so in <= d - 1.
 *
 * @param d   the divisor, 2 <= d < 2^252
 * @input in  any field element; range-checked here to [0, d)
 *
 * Cost: k constraints, 2k when d is not a power of two.
 */
template AssertBelowConstant(d) {
    assert(d >= 2);                // d == 1 leaves only in == 0, which callers write directly
    var k = BitLength(d - 1);
    assert(k <= 252);              // 2^(k+1) < r: the negative case cannot pass Num2Bits(k)

    signal input in;

    component low = Num2Bits(k);
    low.in <== in;                 // 0 <= in < 2^k
    if (d != (1 << k)) {
        component high = Num2Bits(k);
        high.in <== d - 1 - in;    // in <= d - 1
    }
}

/**
 * Constrains (q, r) to be the floor quotient and remainder of in by the constant d:
 * in == q * d + r with 0 <= r < d.
 *
 * Pins: the linear identity; r in [0, d) (AssertBelowConstant); q in [0, 2^n)
 * (Num2Bits).  Then q * d + r < 2^n * d <= 2^(n + BitLength(d)) < r_field,
 * so the identity holds over the integers and (q, r) is the unique Euclidean
 * quotient and remainder.  Without the bound on q, any r in [0, d) would do,
 * with q = (in - r) / d computed in the field.
 *
 * @param n    bit width of in, n >= 1 and n + BitLength(d) <= 252
 * @param d    the divisor, a constant >= 1
 * @input in   ASSUMES 0 <= in < 2^n, guaranteed by the caller (range check or construction)
 * @input q    claimed quotient; range-checked here to [0, 2^n)
 * @input r    claimed remainder; range-checked here to [0, d)
 *
 * Cost (after --O2): n + k constraints, n + 2k if d is not a power of two, k = BitLength(d - 1)
 *       (FloorDiv(116, 10^4): 144; FloorDiv(132, 10^12): 212).  The identity is linear and
 *       --O2 folds it, unless all its signals must stay in the witness (public ones): then +1.
 *       d == 1: 0 (two linear constraints, folded).
 */
template AssertFloorDiv(n, d) {
    assert(d >= 1);
    assert(n >= 1);
    assert(n + BitLength(d) <= 252);  // q * d + r must stay below r_field (no wrap-around)

    signal input in;
    signal input q;
    signal input r;

    if (d == 1) {
        q === in;
        r === 0;
    } else {
        in === q * d + r;

        component rRange = AssertBelowConstant(d);
        rRange.in <== r;                   // 0 <= r < d

        component qRange = Num2Bits(n);
        qRange.in <== q;                   // 0 <= q < 2^n: the identity cannot wrap modulo r_field
    }
}

/**
 * Floor division by a constant: q = floor(in / d), r = in - q * d.
 *
 * @param n    bit width of in, n >= 1 and n + BitLength(d) <= 252
 * @param d    the divisor, a constant >= 1
 * @input in   ASSUMES 0 <= in < 2^n, guaranteed by the caller (range check or construction)
 * @output q   floor(in / d), in [0, 2^n)
 * @output r   in mod d, in [0, d)
 *
 * Cost: as AssertFloorDiv.
 */
template FloorDiv(n, d) {
    assert(d >= 1);  // checked again by AssertFloorDiv; needed before the witness-side division below

    signal input in;
    signal output q;
    signal output r;

    q <-- in \ d;
    r <-- in % d;
    component check = AssertFloorDiv(n, d);  // pins q and r
    check.in <== in;
    check.q <== q;
    check.r <== r;
}

/**
 * Constrains q = ceil(in / d) for the constant d, with the excess e:
 * q * d == in + e and 0 <= e < d.
 *
 * Same argument as AssertFloorDiv: q * d < 2^n * d < r_field and
 * in + e < 2^n + d < r_field, so the identity holds over the integers and
 * q is the unique ceiling.
 *
 * @param n    bit width of in, n >= 1 and n + BitLength(d) <= 252
 * @param d    the divisor, a constant >= 1
 * @input in   ASSUMES 0 <= in < 2^n, guaranteed by the caller (range check or construction)
 * @input q    claimed ceiling; range-checked here to [0, 2^n)
 * @input e    claimed excess q * d - in; range-checked here to [0, d)
 *
 * Cost: as AssertFloorDiv.
 */
template AssertCeilDiv(n, d) {
    assert(d >= 1);
    assert(n >= 1);
    assert(n + BitLength(d) <= 252);  // q * d must stay below r_field (no wrap-around)

    signal input in;
    signal input q;
    signal input e;

    if (d == 1) {
        q === in;
        e === 0;
    } else {
        q * d === in + e;

        component eRange = AssertBelowConstant(d);
        eRange.in <== e;                   // 0 <= e < d

        component qRange = Num2Bits(n);
        qRange.in <== q;                   // 0 <= q < 2^n: the identity cannot wrap modulo r_field
    }
}

/**
 * Ceiling division by a constant: q = ceil(in / d), e = q * d - in.
 *
 * @param n    bit width of in, n >= 1 and n + BitLength(d) <= 252
 * @param d    the divisor, a constant >= 1
 * @input in   ASSUMES 0 <= in < 2^n, guaranteed by the caller (range check or construction)
 * @output q   ceil(in / d), in [0, 2^n)
 * @output e   q * d - in, in [0, d)
 *
 * Cost: as AssertFloorDiv.
 */
template CeilDiv(n, d) {
    assert(d >= 1);  // checked again by AssertCeilDiv; needed before the witness-side division below

    signal input in;
    signal output q;
    signal output e;

    e <-- (d - in % d) % d;
    q <-- (in + e) \ d;
    component check = AssertCeilDiv(n, d);  // pins q and e
    check.in <== in;
    check.q <== q;
    check.e <== e;
}
