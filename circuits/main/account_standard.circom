pragma circom 2.1.0;

// The "standard" account circuit: N = 16 positions, G = 3 group slots, K = 4 collateral slots, in the market's
// shape (40 scenarios, 2^12 instruments). Sizes must match statement/sizes.py SIZES["standard"].
include "../account.circom";

component main {public [params_root, account_commitment, margin_commitment, disclosure]} = AccountMargin(16, 3, 4);
