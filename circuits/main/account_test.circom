pragma circom 2.1.0;

// The "test" account circuit: N = 6 positions, G = 2 group slots, K = 3 collateral slots, in the market's
// shape (40 scenarios, 2^12 instruments). Sizes must match statement/sizes.py SIZES["test"].
include "../account.circom";

component main {public [params_root, account_commitment, margin_commitment, disclosure]} = AccountMargin(6, 2, 3);
