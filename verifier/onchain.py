"""Check an account proof on an in-process EVM: the verifier generated from a given key, and ``MarginRegistry``.

:func:`check_on_evm` always deploys the Groth16 verifier rendered from the verification key it is given
and calls ``verifyProof``.  Only when it is given the parts of a params root does it also deploy a
registry, publish those parts (the registry hashes them into the root itself) and submit the proof; the
caller decides when a root deserves that (the venue's pinned root, or an explicit request to test the
contracts with the bundle's own root).  :class:`OnchainCheck` says which steps ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

from zkmargin.statement.records import ParamsRecord
from zkmargin.statement.signals import DISCLOSURE_SHIFT
from zkmargin.verifier.abi import AbiValue
from zkmargin.verifier.evm import Chain, ContractRevertError, proof_to_calldata
from zkmargin.verifier.solidity_build import build_verifier_from_vkey

#: Freshness window of the check's registry, in epochs (it publishes one root, so any value would do).
FRESHNESS_WINDOW_EPOCHS: Final = 7
#: Largest epoch jump per publication of the check's registry.  A date-like epoch (``yyyymmdd``, as in
#: ``examples/params.json``) jumps by 8,870 across a year end, so this admits it; the check publishes once.
MAX_EPOCH_JUMP: Final = 10_000


class AccountRecord(NamedTuple):
    """``MarginRegistry.accountRecord``: the margin commitment, the disclosure's mode and value (micro-units
    of quote currency), the epoch, and whether its root was revoked."""

    margin_commitment: int
    disclosure_mode: int
    disclosure_value: int
    epoch: int
    revoked: bool

    @property
    def disclosure_signal(self) -> int:
        """The ``disclosure`` public signal the record was made from: ``mode * 2^248 + value``."""
        return (self.disclosure_mode << DISCLOSURE_SHIFT) + self.disclosure_value


@dataclass(frozen=True)
class OnchainCheck:
    """What the EVM said about a proof.

    ``verified`` is the verdict of ``Groth16Verifier.verifyProof`` (the verifier rendered from the given
    key).  The registry fields are ``None`` when no params were given and the registry was not deployed;
    otherwise ``params_root`` is the root the registry computed from the parts, ``accepted`` whether both
    ``publishParams`` and ``submit`` succeeded, ``rejection`` the custom error of the one that reverted
    (prefixed with its name), and ``record`` the registry's record of the account after the submission.
    Gas is the whole transaction's (21,000 base and calldata included).
    """

    verified: bool
    verify_gas: int
    params_root: int | None = None
    publish_gas: int | None = None
    accepted: bool | None = None
    submit_gas: int | None = None
    rejection: str | None = None
    record: AccountRecord | None = None

    @property
    def registry_checked(self) -> bool:
        """Whether the registry steps (deploy, ``publishParams``, ``submit``) ran."""
        return self.accepted is not None


def check_on_evm(vkey: Path, proof: Mapping[str, Any], public_signals: Sequence[str],
                 params: ParamsRecord | None) -> OnchainCheck:
    """Verify ``proof`` with the Solidity verifier of ``vkey``; with ``params``, also register them and submit.

    Parameters
    ----------
    vkey
        snarkjs ``verification_key.json`` of the account circuit: the verifier is rendered from it.
    proof, public_signals
        snarkjs ``proof.json`` and ``public.json`` contents.
    params
        The parts of a params root to publish at their epoch in a fresh ``MarginRegistry`` before
        submitting the proof, or ``None`` to check the verifier only.  Pass them only for a root the user
        vouched for: publishing a bundle's own root proves nothing about the venue.

    Raises
    ------
    ValueError
        If a proof coordinate or public signal is not a canonical field element.
    zkmargin.verifier.groth16_errors.MalformedKeyError, GeneratedVerifierError, toolchain.tools.ToolError
        From :func:`zkmargin.verifier.solidity_build.build_verifier_from_vkey`.
    """
    contracts = build_verifier_from_vkey(vkey)
    calldata = proof_to_calldata(proof, public_signals)
    chain = Chain()
    owner, submitter = chain.account(1), chain.account(2)
    verifier = chain.deploy(owner, "Groth16Verifier", *contracts.verifier)
    verify = chain.transact(verifier, "verifyProof", calldata.verify_args(), sender=submitter)
    verified = verify.values == (True,)
    if params is None:
        return OnchainCheck(verified, verify.gas_used)

    registry = chain.deploy(owner, "MarginRegistry", *contracts.registry,
                            args=[verifier.address, FRESHNESS_WINDOW_EPOCHS, MAX_EPOCH_JUMP])
    try:
        publish = chain.transact(registry, "publishParams", publish_params_args(params), sender=owner)
    except ContractRevertError as exc:
        return OnchainCheck(verified, verify.gas_used, None, exc.gas_used, False, None, f"publishParams: {_error(exc)}")
    (root,) = (_uint(v) for v in publish.values)
    try:
        submit = chain.transact(registry, "submit", calldata.submit_args(), sender=submitter)
    except ContractRevertError as exc:
        return OnchainCheck(verified, verify.gas_used, root, publish.gas_used, False, exc.gas_used,
                            f"submit: {_error(exc)}")
    record = registry_record(chain.call(registry, "accountRecord", [calldata.public_signals[1]]).values)
    return OnchainCheck(verified, verify.gas_used, root, publish.gas_used, True, submit.gas_used, None, record)


def publish_params_args(params: ParamsRecord) -> list[AbiValue]:
    """Arguments of ``MarginRegistry.publishParams(instrumentsRoot, tableHash, imBp, mmBp, epoch)``."""
    return [int(params.instruments_root), int(params.table_hash), params.im_bp, params.mm_bp, params.epoch]


def registry_record(values: Sequence[AbiValue]) -> AccountRecord:
    """The decoded outputs of ``MarginRegistry.accountRecord`` as an :class:`AccountRecord`."""
    commitment, mode, value, epoch, revoked = values
    if not isinstance(revoked, bool):
        raise TypeError(f"expected a bool from the contract, got {revoked!r}")
    return AccountRecord(_uint(commitment), _uint(mode), _uint(value), _uint(epoch), revoked)


def _error(exc: ContractRevertError) -> str:
    args = ", ".join(str(a) for a in exc.error_args)
    return f"{exc.error or 'revert'}({args})"


def _uint(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer from the contract, got {value!r}")
    return value
