pragma circom 2.1.0;

// Quaternary Poseidon Merkle trees (4 children per node); the Python twin is statement/merkle4.py.
// One quaternary level (Poseidon(4) 297 + PlaceChild 11 + 2 index bits = 310 constraints) does the
// work of two binary levels (2 x (Poseidon(2) 240 + 1 select + 1 index bit) = 484), so opening a
// tree of capacity 2^D costs 155 D instead of 242 D: 36% less.

include "poseidon.circom";
include "bitify.circom";

/**
 * Places node among its three siblings at slot digit = bits[0] + 2 bits[1]:
 * children = siblings[0..digit-1], node, siblings[digit..2].
 *
 * @input node         any field element
 * @input bits[2]      ASSUMES boolean (the slot digit, little-endian), guaranteed by Num2Bits(2L) in
 *                     QuadMerkleInclusion. With non-boolean bits the eq[] below are not one-hot and
 *                     children is no permutation of (node, siblings): a prover could feed Poseidon
 *                     linear mixes of them.
 * @input siblings[3]  any field elements, in slot order with node's slot removed
 * @output children[4] node and siblings in slot order
 *
 * Cost: 11 constraints: 1 (bits[0] * bits[1]) + 4 (eq * node) + 6 (sibling selects); the one-hot
 * eq[] and the children sums are linear and cost nothing after --O2.
 */
template PlaceChild() {
    signal input node;
    signal input bits[2];
    signal input siblings[3];
    signal output children[4];

    // eq[j] = [digit == j], one-hot because the bits are boolean
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
 * parent's four children; node hash = Poseidon(4)(children[0..3]).  The caller compares root
 * with a committed root (the account circuit: instruments_root).
 *
 * Every path has exactly L levels, so an inner node cannot be presented as a leaf.  Empty slots
 * hold the leaf 0 (statement/merkle4.py) and open like any other slot: a caller whose leaf could be 0
 * would let a prover open them.  The account circuit's leaf is a Poseidon hash, so opening an
 * empty slot there needs a preimage of 0.
 *
 * @param L               levels, 1 <= L <= 126 (capacity 4^L leaves)
 * @input leaf            any field element
 * @input index           range-checked here to [0, 4^L) by Num2Bits(2L): an index >= 4^L has no
 *                        witness (index + k 4^L would otherwise open the same slot as index, so one
 *                        opened leaf could be claimed at several positions); the bits are also the
 *                        boolean inputs PlaceChild assumes
 * @input siblings[L][3]  any field elements: the three other children at each level, in slot order
 * @output root           the root the path leads to
 *
 * Cost: 310 L constraints = L * (2 index bits + 11 PlaceChild + 297 Poseidon(4)) (L = 5: 1550),
 * measured in tests/test_gadget_merkle.py.
 */
template QuadMerkleInclusion(L) {
    assert(L >= 1);
    assert(L <= 126);  // Num2Bits(2L) cannot wrap mod r only while 2^(2L) < r, i.e. 2L <= 253

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
