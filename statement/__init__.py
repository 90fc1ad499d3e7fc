"""What a proof states: circuit sizes, public-signal order and packing, commitments and their hash twins,
and the bundle and salt records.  Imports nothing of ``engine``, ``prover`` or ``verifier``."""
