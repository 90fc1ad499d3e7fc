pragma circom 2.1.0;

// The "test" account circuit: N = 6 positions, S = 24 scenarios, G = 2 groups, K = 4 assets,
// a tree of 2^8 leaves. Sizes must match statement/sizes.py SIZES["test"].
include "../account.circom";

component main {public [params_root, account_commitment, margins]} = AccountMargin(6, 24, 2, 4, 8);
