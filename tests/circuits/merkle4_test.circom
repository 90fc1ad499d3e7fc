pragma circom 2.1.0;

// Test main for tests/test_gadget_merkle.py:
//  * B = 16 independent QuadMerkleInclusion(2) paths with their roots as outputs, so one witness
//    covers every index of a 2-level tree (or 16 tampered paths);
//  * one QuadMerkleInclusion(1), the shallowest tree;
//  * one checked QuadMerkleInclusion(3) path whose root must equal the input expectedRoot, as the
//    account circuit compares each path with instruments_root; the must-fail cases tamper with it;
//  * P = 8 PlaceChild with their bits as INPUTS, so non-boolean bits can be tried directly.

include "lib/merkle4.circom";

template QuadMerkleTest(B, L, P) {
    signal input leaf[B];
    signal input index[B];
    signal input siblings[B][L][3];
    signal input shallowLeaf;
    signal input shallowIndex;
    signal input shallowSiblings[1][3];
    signal input checkedLeaf;
    signal input checkedIndex;
    signal input checkedSiblings[L + 1][3];
    signal input expectedRoot;
    signal input placeNode[P];
    signal input placeBits[P][2];
    signal input placeSiblings[P][3];
    signal output root[B];
    signal output shallowRoot;
    signal output placed[P][4];

    component paths[B];
    for (var i = 0; i < B; i++) {
        paths[i] = QuadMerkleInclusion(L);
        paths[i].leaf <== leaf[i];
        paths[i].index <== index[i];
        paths[i].siblings <== siblings[i];
        root[i] <== paths[i].root;
    }

    component one = QuadMerkleInclusion(1);
    one.leaf <== shallowLeaf;
    one.index <== shallowIndex;
    one.siblings <== shallowSiblings;
    shallowRoot <== one.root;

    component checked = QuadMerkleInclusion(L + 1);
    checked.leaf <== checkedLeaf;
    checked.index <== checkedIndex;
    checked.siblings <== checkedSiblings;
    checked.root === expectedRoot;

    component place[P];
    for (var k = 0; k < P; k++) {
        place[k] = PlaceChild();
        place[k].node <== placeNode[k];
        place[k].bits <== placeBits[k];
        place[k].siblings <== placeSiblings[k];
        placed[k] <== place[k].children;
    }
}

component main = QuadMerkleTest(16, 2, 8);
