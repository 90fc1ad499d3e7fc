"""Solidity sources of the on-chain verifier, the node scripts that compile and render them, and generators."""
