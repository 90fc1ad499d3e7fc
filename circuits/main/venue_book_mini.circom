pragma circom 2.1.0;

// A venue's account circuit of book size "mini" (statement/sizes.py BOOK_SIZES["mini"]):
// VenueBook(3, 4, 2, 3) over the chunk proofs of circuits/main/chunk_mini.circom.
include "../venue.circom";

component main {public [params_root, leaf, chunk_link]} = VenueBook(3, 4, 2, 3);
