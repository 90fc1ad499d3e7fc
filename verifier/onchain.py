"""Check an account proof on an in-process EVM: the generated Groth16 verifier and ``MarginRegistry``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from zkmargin.verifier.evm import Chain, ContractRevertError, proof_to_calldata
from zkmargin.verifier.solidity_build import build_verifier_contracts

FRESHNESS_WINDOW_EPOCHS: Final = 7


@dataclass(frozen=True)
class OnchainCheck:
    """What the EVM said about a proof: ``verified`` by the verifier, ``accepted`` by the registry.

    Gas is the whole transaction's (21,000 base and calldata included); ``record`` is the registry's
    ``(IM, MM, epoch)`` for the account commitment after the submission.
    """

    verified: bool
    verify_gas: int
    accepted: bool
    submit_gas: int
    rejection: str | None
    record: tuple[int, int, int] | None


def check_on_evm(zkey: Path, proof: Mapping[str, Any], public_signals: Sequence[str | int],
                 epoch: int) -> OnchainCheck:
    """Deploy the verifier of ``zkey`` and a registry, publish the proof's root at ``epoch``, verify, submit."""
    contracts = build_verifier_contracts(zkey)
    chain = Chain()
    owner = chain.account(1)
    verifier = chain.deploy(owner, "Groth16Verifier", contracts.verifier.abi, contracts.verifier.bytecode)
    registry = chain.deploy(owner, "MarginRegistry", contracts.registry.abi, contracts.registry.bytecode,
                            [verifier.address, FRESHNESS_WINDOW_EPOCHS])
    calldata = proof_to_calldata(proof, public_signals)
    chain.transact(registry, "publishParamsRoot", [int(public_signals[0]), epoch], sender=owner)
    verify = chain.transact(verifier, "verifyProof", calldata.verify_args(), sender=chain.account(2))
    verified = bool(verify.values[0])
    try:
        submit = chain.transact(registry, "submit", calldata.submit_args(), sender=chain.account(2))
    except ContractRevertError as exc:
        return OnchainCheck(verified, verify.gas_used, False, exc.gas_used, exc.error or "revert", None)
    im, mm, recorded_epoch = (_uint(v) for v in chain.call(registry, "accountRecord", [int(public_signals[1])]).values)
    return OnchainCheck(verified, verify.gas_used, True, submit.gas_used, None, (im, mm, recorded_epoch))


def _uint(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected an integer from the contract, got {value!r}")
    return value
