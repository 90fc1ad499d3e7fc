pragma circom 2.1.0;

// Test main for tests/test_poseidon.py: circomlib's Poseidon(n) for a spread
// of widths.  Every width costs circom seconds to compile (its round
// constants are template parameters, wide ones take longest), so not all 16
// are here: hash_test.circom adds widths 10 and 16, and the Python reference
// implementation checks the optimised one at every width.
// in[k] feeds Poseidon(WIDTHS[k]) through its first WIDTHS[k] entries.

include "poseidon.circom";

template PoseidonTest() {
    var K = 7;
    var WIDTHS[7] = [1, 2, 3, 4, 5, 8, 12];

    signal input in[K][16];
    signal output out[K];

    component h[K];
    for (var k = 0; k < K; k++) {
        h[k] = Poseidon(WIDTHS[k]);
        for (var i = 0; i < WIDTHS[k]; i++) {
            h[k].inputs[i] <== in[k][i];
        }
        out[k] <== h[k].out;
    }
}

component main = PoseidonTest();
