pragma circom 2.1.0;

// The "large" book circuit: M = 16 chunks of C = 16 positions (up to 256), G = 3 group slots, K = 4 collateral
// slots, in the market's shape. Sizes must match statement/sizes.py BOOK_SIZES["large"].
include "../book.circom";

component main {public [params_root, account_commitment, margin_commitment, disclosure, chunk_link]} = BookMargin(16, 16, 3, 4);
