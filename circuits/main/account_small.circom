pragma circom 2.1.0;

// The "small" account circuit: N = 3 positions, S = 8 scenarios, G = 2 groups, K = 4 assets, a tree of
// 2^8 leaves: the example market under scenario sets of up to 8 scenarios (seed5), for quick trials and the
// test of the ceremony setup path. Sizes must match statement/sizes.py SIZES["small"].
include "../account.circom";

component main {public [params_root, account_commitment, margins]} = AccountMargin(3, 8, 2, 4, 8);
