pragma circom 2.1.0;

// The "mini" book circuit: M = 3 chunks of C = 4 positions, G = 2 group slots, K = 3 collateral slots, in the
// market's shape. Sizes must match statement/sizes.py BOOK_SIZES["mini"].
include "../book.circom";

component main {public [params_root, account_commitment, margin_commitment, disclosure, chunk_link]} = BookMargin(3, 4, 2, 3);
