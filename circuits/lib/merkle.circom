pragma circom 2.1.0;

// Binary Poseidon Merkle trees; the Python twin is engine/merkle.py.

include "poseidon.circom";
include "bitify.circom";

/**
 * Root of the depth-D Merkle tree in which leaf sits at position index.
 *
 * Bit i of index (i = 0 at the leaf) says where the running node sits at
 * level i: 0 = LEFT child (hash(node, sibling)), 1 = RIGHT child
 * (hash(sibling, node)).  Node hash: Poseidon(2)(left, right).
 * The caller compares root with a committed root.
 *
 * @param D            depth (number of levels above the leaves), 1 <= D <= 252
 * @input leaf         any field element
 * @input index        range-checked here to [0, 2^D) by Num2Bits(D): an index >= 2^D has no witness,
 *                     so one leaf cannot be claimed at two positions
 * @input siblings[D]  any field elements, siblings[i] at level i
 * @output root        the root the path leads to
 *
 * Cost: D (index bits) + D * (1 select + 240 Poseidon(2)) = 242 * D constraints (D = 20: 4840).
 */
template MerkleInclusion(D) {
    assert(D >= 1);
    assert(D <= 252);  // Num2Bits(D) must be a unique decomposition

    signal input leaf;
    signal input index;
    signal input siblings[D];
    signal output root;

    component bits = Num2Bits(D);
    bits.in <== index;

    signal node[D + 1];
    signal left[D];
    component hashers[D];
    node[0] <== leaf;
    for (var i = 0; i < D; i++) {
        // left = bit ? sibling : node;  right = node + sibling - left (the other one)
        left[i] <== node[i] + bits.out[i] * (siblings[i] - node[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== node[i] + siblings[i] - left[i];
        node[i + 1] <== hashers[i].out;
    }
    root <== node[D];
}
