pragma circom 2.1.0;

// Hash of a list of field elements of any (compile-time) length; the Python
// twin is statement/poseidon.py hash_list.

include "poseidon.circom";

/**
 * out = hash_list(in): Poseidon(n)(in) for n <= 16; otherwise
 * h = Poseidon(16)(in[0..15]) and then h = Poseidon(1 + |c|)(h, c) for each
 * following chunk c of up to 15 elements.
 *
 * @param n      list length, n >= 1
 * @input in[n]  any field elements
 * @output out   the hash
 *
 * Cost: the sum of its Poseidon calls; circomlib's Poseidon(m) costs
 *       3 * (8 * (m + 1) + N_ROUNDS_P[m - 1]) - 3 constraints (m = 1: 213, 2: 240, 10: 459, 16: 609),
 *       so HashList(n) costs 213 (n = 1), 609 (16), 849 (17), 1218 (31), 1458 (32), 1677 (40).
 */
template HashList(n) {
    assert(n >= 1);

    signal input in[n];
    signal output out;

    var FIRST = 16;  // inputs of the first Poseidon (circomlib's maximum)
    var CHUNK = 15;  // fresh inputs per chained Poseidon; one slot carries the running hash
    var nChained = n <= FIRST ? 0 : (n - FIRST + CHUNK - 1) \ CHUNK;

    var firstLen = n <= FIRST ? n : FIRST;
    component first = Poseidon(firstLen);
    for (var i = 0; i < firstLen; i++) {
        first.inputs[i] <== in[i];
    }

    signal running[nChained + 1];
    running[0] <== first.out;
    component chained[nChained];
    for (var c = 0; c < nChained; c++) {
        var start = FIRST + c * CHUNK;
        var len = n - start < CHUNK ? n - start : CHUNK;
        chained[c] = Poseidon(1 + len);
        chained[c].inputs[0] <== running[c];
        for (var i = 0; i < len; i++) {
            chained[c].inputs[1 + i] <== in[start + i];
        }
        running[c + 1] <== chained[c].out;
    }
    out <== running[nChained];
}
