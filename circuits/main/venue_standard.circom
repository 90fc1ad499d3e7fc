pragma circom 2.1.0;

// A venue's account circuit of size "standard" (statement/sizes.py SIZES["standard"]): VenueAccount(16,3,4).
include "../venue.circom";

component main {public [params_root, leaf]} = VenueAccount(16,3,4);
