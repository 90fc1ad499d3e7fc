pragma circom 2.1.0;

// Quaternary Poseidon Merkle trees (4 children per node); the Python twin is engine/merkle4.py.
// One Poseidon(4) per level costs about 300 constraints against 2 x 240 for two binary levels,
// so a tree of capacity 2^D costs ~40% less to open than a binary one.

include "poseidon.circom";
include "bitify.circom";

/**
 * Places node among its three siblings: children[j] for the slot digit in 0..3.
 *
 * children = siblings[0..digit-1], node, siblings[digit..2].
 *
 * @input node         any field element
 * @input bits[2]      ASSUMES boolean (bits of the slot, little-endian), guaranteed by the caller's Num2Bits
 * @input siblings[3]  any field elements, in slot order with node's slot removed
 * @output children[4]
 *
 * Cost: 1 (one-hot) + 8 (selects) constraints.
 */
template PlaceChild() {
    signal input node;
    signal input bits[2];
    signal input siblings[3];
    signal output children[4];

    // one-hot of digit = bits[0] + 2 bits[1]
    signal both <== bits[0] * bits[1];
    signal eq[4];
    eq[0] <== 1 - bits[0] - bits[1] + both;
    eq[1] <== bits[0] - both;
    eq[2] <== bits[1] - both;
    eq[3] <== both;
    // before[j] = [j < digit], after[j] = [j > digit]; linear in eq
    var before[4] = [eq[1] + eq[2] + eq[3], eq[2] + eq[3], eq[3], 0];
    var after[4] = [0, eq[0], eq[0] + eq[1], eq[0] + eq[1] + eq[2]];

    signal atNode[4];
    signal fromSame[3];
    signal fromPrev[3];
    for (var j = 0; j < 4; j++) {
        atNode[j] <== eq[j] * node;
    }
    for (var j = 0; j < 3; j++) {
        fromSame[j] <== before[j] * siblings[j];      // slot j left of node keeps sibling j
        fromPrev[j] <== after[j + 1] * siblings[j];   // slot j+1 right of node takes sibling j
    }
    children[0] <== atNode[0] + fromSame[0];
    children[1] <== atNode[1] + fromSame[1] + fromPrev[0];
    children[2] <== atNode[2] + fromSame[2] + fromPrev[1];
    children[3] <== atNode[3] + fromPrev[2];
}

/**
 * Root of the quaternary Merkle tree of L levels in which leaf sits at position index.
 *
 * Digit i of index in base 4 (i = 0 at the leaf) is the slot of the running node among its
 * parent's four children; node hash = Poseidon(4)(children[0..3]).
 *
 * @param L               levels, 1 <= L <= 126 (capacity 4^L leaves)
 * @input leaf            any field element
 * @input index           range-checked here to [0, 4^L) by Num2Bits(2L): one leaf cannot sit at two positions
 * @input siblings[L][3]  the three other children at each level, in slot order
 * @output root
 *
 * Cost: 2L (index bits) + L * (9 + Poseidon(4) ~ 300) constraints.
 */
template QuadMerkleInclusion(L) {
    assert(L >= 1);
    assert(L <= 126);  // Num2Bits(2L) must be a unique decomposition

    signal input leaf;
    signal input index;
    signal input siblings[L][3];
    signal output root;

    component bits = Num2Bits(2 * L);
    bits.in <== index;

    signal node[L + 1];
    node[0] <== leaf;
    component place[L];
    component hashers[L];
    for (var i = 0; i < L; i++) {
        place[i] = PlaceChild();
        place[i].node <== node[i];
        place[i].bits[0] <== bits.out[2 * i];
        place[i].bits[1] <== bits.out[2 * i + 1];
        place[i].siblings <== siblings[i];
        hashers[i] = Poseidon(4);
        hashers[i].inputs <== place[i].children;
        node[i + 1] <== hashers[i].out;
    }
    root <== node[L];
}
