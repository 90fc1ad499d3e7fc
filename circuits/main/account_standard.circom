pragma circom 2.1.0;

// The "standard" account circuit: N = 16 positions, S = 40 scenarios, G = 2 groups, K = 4 assets,
// a tree of 2^10 leaves. Sizes must match statement/sizes.py SIZES["standard"].
include "../account.circom";

component main {public [params_root, account_commitment, margins]} = AccountMargin(16, 40, 2, 4, 10);
