pragma circom 2.1.0;

// Test main for tests/test_gadget_hash.py: HashList at the chunking
// boundaries, lengths 1, 16, 17, 31, 32 and 40.

include "lib/hash.circom";

template HashTest() {
    signal input list1[1];
    signal input list16[16];
    signal input list17[17];
    signal input list31[31];
    signal input list32[32];
    signal input list40[40];
    signal output out[6];

    component h1 = HashList(1);
    h1.in <== list1;
    out[0] <== h1.out;
    component h16 = HashList(16);
    h16.in <== list16;
    out[1] <== h16.out;
    component h17 = HashList(17);
    h17.in <== list17;
    out[2] <== h17.out;
    component h31 = HashList(31);
    h31.in <== list31;
    out[3] <== h31.out;
    component h32 = HashList(32);
    h32.in <== list32;
    out[4] <== h32.out;
    component h40 = HashList(40);
    h40.in <== list40;
    out[5] <== h40.out;
}

component main = HashTest();
