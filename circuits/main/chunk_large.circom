pragma circom 2.1.0;

// The "large" book's chunk circuit: C = 16 position rows, G = 3 group slots, in the market's shape (40 scenarios,
// 2^12 instruments). Sizes must match statement/sizes.py BOOK_SIZES["large"].
include "../book.circom";

component main {public [params_root, chunk_link]} = AccountChunk(16, 3);
