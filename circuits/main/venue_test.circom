pragma circom 2.1.0;

// A venue's account circuit of size "test" (statement/sizes.py SIZES["test"]): VenueAccount(6,2,3).
include "../venue.circom";

component main {public [params_root, leaf]} = VenueAccount(6,2,3);
