pragma circom 2.1.0;

// One-hot decoding of small codes (an instrument's group and kind, an asset's group).

/**
 * Constrains sel to be the one-hot encoding of code: sel[j] = 1 iff code == j.  Fails unless 0 <= code < n.
 *
 * Each sel[j] is pinned to a bit; sum_j sel[j] == 1 makes exactly one of them set and
 * sum_j j * sel[j] == code names which.  A code outside [0, n) has no such bits, since
 * sum_j j * sel[j] then takes only the values 0, ..., n-1 (n - 1 < r: no wrap-around).
 *
 * @param n        number of codes, 1 <= n
 * @input code     any field element; constrained here to {0, ..., n-1}
 * @input sel[n]   the claimed encoding, any field elements (fails unless it is the one-hot encoding)
 *
 * Cost: n (booleanity) constraints; the two sums are linear and folded by --O2.
 */
template AssertOneHot(n) {
    assert(n >= 1);

    signal input code;
    signal input sel[n];

    var total = 0;
    var weighted = 0;
    for (var j = 0; j < n; j++) {
        sel[j] * (sel[j] - 1) === 0;  // a bit; the two sums below pin which bit is set
        total += sel[j];
        weighted += j * sel[j];
    }
    total === 1;
    weighted === code;
}

/**
 * One-hot selector of a code: sel[j] = 1 iff code == j.  Fails unless 0 <= code < n.
 *
 * @param n        number of codes, 1 <= n
 * @input code     any field element; constrained here to {0, ..., n-1}
 * @output sel[n]  booleans summing to 1
 *
 * Cost: as AssertOneHot, n constraints.
 */
template OneHot(n) {
    assert(n >= 1);

    signal input code;
    signal output sel[n];

    for (var j = 0; j < n; j++) {
        sel[j] <-- code == j ? 1 : 0;
    }
    component check = AssertOneHot(n);  // pins sel: bits, one of them set, at position code
    check.code <== code;
    check.sel <== sel;
}
