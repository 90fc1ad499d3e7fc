pragma circom 2.1.0;

// Test main for tests/test_gadget_merkle.py: B = 8 independent MerkleInclusion(4)
// paths with their roots as outputs, one MerkleInclusion(1), and one checked
// path whose root must equal the input expectedRoot (as a real circuit
// compares with a committed root).

include "lib/merkle.circom";

template MerkleTest(B, D) {
    signal input leaf[B];
    signal input index[B];
    signal input siblings[B][D];
    signal input shallow[3];          // [leaf, index, sibling] for depth 1
    signal input checkedLeaf;
    signal input checkedIndex;
    signal input checkedSiblings[D];
    signal input expectedRoot;
    signal output root[B];
    signal output shallowRoot;

    component paths[B];
    for (var i = 0; i < B; i++) {
        paths[i] = MerkleInclusion(D);
        paths[i].leaf <== leaf[i];
        paths[i].index <== index[i];
        paths[i].siblings <== siblings[i];
        root[i] <== paths[i].root;
    }

    component one = MerkleInclusion(1);
    one.leaf <== shallow[0];
    one.index <== shallow[1];
    one.siblings[0] <== shallow[2];
    shallowRoot <== one.root;

    component checked = MerkleInclusion(D);
    checked.leaf <== checkedLeaf;
    checked.index <== checkedIndex;
    checked.siblings <== checkedSiblings;
    checked.root === expectedRoot;
}

component main = MerkleTest(8, 4);
