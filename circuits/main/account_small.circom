pragma circom 2.1.0;

// The "small" account circuit: N = 1 position, G = 2 group slots, K = 1 collateral slots, in the market's
// shape (40 scenarios, 2^12 instruments). Sizes must match statement/sizes.py SIZES["small"].
include "../account.circom";

component main {public [params_root, account_commitment, margin_commitment, disclosure]} = AccountMargin(1, 2, 1);
