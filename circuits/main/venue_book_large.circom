pragma circom 2.1.0;

// A venue's account circuit of book size "large" (statement/sizes.py BOOK_SIZES["large"]):
// VenueBook(16, 16, 3, 4) over the chunk proofs of circuits/main/chunk_large.circom.
include "../venue.circom";

component main {public [params_root, leaf, chunk_link]} = VenueBook(16, 16, 3, 4);
