pragma circom 2.1.0;

// The "mini" book's chunk circuit: C = 4 position rows, G = 2 group slots, in the market's shape (40 scenarios,
// 2^12 instruments). Sizes must match statement/sizes.py BOOK_SIZES["mini"].
include "../book.circom";

component main {public [params_root, chunk_link]} = AccountChunk(4, 2);
