pragma circom 2.1.0;

// A venue's account circuit of size "small" (statement/sizes.py SIZES["small"]): VenueAccount(1,2,1).
include "../venue.circom";

component main {public [params_root, leaf]} = VenueAccount(1,2,1);
