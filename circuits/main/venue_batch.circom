pragma circom 2.1.0;

// A venue's batch circuit: 4^2 = 16 accounts per batch.  VENUE_BATCH_LEVELS of statement/venue.py must match.
include "../venue.circom";

component main {public [batch_root, first_index, count, chain_before, chain_after]} = VenueBatch(2);
