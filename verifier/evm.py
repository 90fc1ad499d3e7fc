"""A small typed helper around pyrevm: deploy, call, transact, decode.

Gas accounting
--------------
pyrevm reports the gas of a whole transaction: the 21,000 base cost plus
calldata (4 gas per zero byte, 16 per non-zero byte, Cancun rules) plus
execution.  :func:`intrinsic_gas` computes the first two, so
:attr:`CallResult.execution_gas` is what the contract code itself spent, which
is what an ``eth_call`` / ``eth_estimateGas`` minus 21,000-and-calldata reports.

G2 coordinate order
-------------------
snarkjs writes an Fq2 element ``c0 + c1*u`` as ``[c0, c1]``; the EVM pairing
precompile (EIP-197) and the generated verifier take ``(c1, c0)``.
:func:`proof_to_calldata` swaps them and is the only place that does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from eth_abi.grammar import BasicType
from eth_abi.grammar import parse as parse_abi_type
from pyrevm import EVM, AccountInfo

from zkmargin.constants import BASE_FIELD_MODULUS, FIELD_ORDER
from zkmargin.verifier import _pyrevm_compat as compat
from zkmargin.verifier.abi import AbiJson, AbiValue, ContractAbi, decode, decode_error_string, keccak256, selector

SPEC_ID: Final = "CANCUN"
TX_BASE_GAS: Final = 21_000
#: Sender of :meth:`Chain.call` when none is given (an unfunded, code-less address).
DEFAULT_CALLER: Final = "0x" + "ca11".rjust(40, "0")

_ERROR_STRING_SELECTOR: Final = selector("Error(string)")  # 0x08c379a0
_PANIC_SELECTOR: Final = selector("Panic(uint256)")  # 0x4e487b71
_KECCAK_EMPTY: Final = keccak256(b"")


def intrinsic_gas(calldata: bytes) -> int:
    """Gas a transaction pays before any code runs: 21,000 + 4/16 per zero/non-zero calldata byte."""
    return TX_BASE_GAS + sum(16 if byte else 4 for byte in calldata)


class EvmError(RuntimeError):
    """The EVM rejected or aborted a transaction (not a contract revert)."""


class ExecutionHaltedError(EvmError):
    """Execution halted exceptionally (out of gas, invalid opcode, ...)."""

    def __init__(self, reason: str, gas_used: int) -> None:
        self.reason = reason
        self.gas_used = gas_used
        super().__init__(f"execution halted: {reason} after {gas_used} gas")


class ContractRevertError(EvmError):
    """A contract reverted; ``error`` names the custom error when the ABI knows it.

    ``error`` is the custom error name (``"StaleParamsRoot"``), ``"Error"`` for
    ``require`` strings, ``"Panic"`` for Solidity panics, or ``None`` for an
    empty or unknown revert payload; ``error_args`` are its decoded arguments.
    """

    def __init__(self, error: str | None, error_args: tuple[AbiValue, ...], data: bytes, gas_used: int) -> None:
        self.error = error
        self.error_args = error_args
        self.data = data
        self.gas_used = gas_used
        shown = f"{error}{error_args}" if error else f"unknown revert data 0x{data.hex()}"
        super().__init__(f"reverted with {shown} after {gas_used} gas")


@dataclass(frozen=True)
class Log:
    """A decoded event log; ``event`` is ``None`` when the emitter's ABI does not know it."""

    address: str
    event: str | None
    args: dict[str, AbiValue]
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class CallResult:
    """Outcome of a call or transaction.

    ``gas_used`` is the whole transaction's gas (intrinsic included);
    ``execution_gas`` excludes the intrinsic part.
    """

    values: tuple[AbiValue, ...]
    gas_used: int
    intrinsic_gas: int
    logs: tuple[Log, ...] = ()

    @property
    def execution_gas(self) -> int:
        return self.gas_used - self.intrinsic_gas


@dataclass(frozen=True)
class Contract:
    """A deployed contract: its address and ABI."""

    name: str
    address: str
    abi: ContractAbi
    deploy_gas: int


@dataclass(frozen=True)
class ProofCalldata:
    """A Groth16 proof and its public signals in the EVM argument order.

    ``b`` is ``((x.c1, x.c0), (y.c1, y.c0))``: the Fq2 halves are swapped
    relative to snarkjs's JSON.
    """

    a: tuple[int, int]
    b: tuple[tuple[int, int], tuple[int, int]]
    c: tuple[int, int]
    public_signals: tuple[int, ...]

    def verify_args(self) -> list[AbiValue]:
        """Arguments of ``verifyProof(uint[2], uint[2][2], uint[2], uint[N])``."""
        return [list(self.a), [list(self.b[0]), list(self.b[1])], list(self.c), list(self.public_signals)]

    def submit_args(self) -> list[AbiValue]:
        """Arguments of ``MarginRegistry.submit(a, b, c, paramsRoot, accountCommitment, marginCommitment,
        disclosure)``."""
        return [*self.verify_args()[:3], *self.public_signals]


def _field_int(value: Any, modulus: int, what: str) -> int:
    try:
        number = int(str(value), 10)
    except ValueError as exc:
        raise ValueError(f"{what} is {value!r}, expected a decimal integer string") from exc
    if not 0 <= number < modulus:
        raise ValueError(f"{what} = {number} is not a canonical field element (must be in [0, {modulus}))")
    return number


def proof_to_calldata(proof_json: Mapping[str, Any], public_signals: Sequence[str | int]) -> ProofCalldata:
    """Convert snarkjs ``proof.json`` and ``public.json`` to the EVM argument order.

    Parameters
    ----------
    proof_json
        snarkjs Groth16 proof: ``pi_a = [x, y, "1"]``, ``pi_b = [[x.c0, x.c1],
        [y.c0, y.c1], ["1", "0"]]``, ``pi_c = [x, y, "1"]`` (affine, decimal strings).
    public_signals
        The public signals, in circuit order, as decimal strings or ints.

    Raises
    ------
    ValueError
        If the proof is not groth16/bn128, a point is not in affine form, or a
        coordinate (public signal) is not below q (r).
    """
    if proof_json.get("protocol", "groth16") != "groth16" or proof_json.get("curve", "bn128") != "bn128":
        raise ValueError(f"expected a groth16 proof on bn128, got "
                         f"{proof_json.get('protocol')}/{proof_json.get('curve')}")
    q = BASE_FIELD_MODULUS
    pi_a, pi_b, pi_c = proof_json["pi_a"], proof_json["pi_b"], proof_json["pi_c"]
    if str(pi_a[2]) != "1" or str(pi_c[2]) != "1" or [str(v) for v in pi_b[2]] != ["1", "0"]:
        raise ValueError("proof points must be affine (z = 1); snarkjs proof.json always is")
    a = (_field_int(pi_a[0], q, "pi_a[0]"), _field_int(pi_a[1], q, "pi_a[1]"))
    c = (_field_int(pi_c[0], q, "pi_c[0]"), _field_int(pi_c[1], q, "pi_c[1]"))
    # snarkjs: pi_b[k] = [c0, c1]; EVM: (c1, c0).
    b = (
        (_field_int(pi_b[0][1], q, "pi_b[0][1]"), _field_int(pi_b[0][0], q, "pi_b[0][0]")),
        (_field_int(pi_b[1][1], q, "pi_b[1][1]"), _field_int(pi_b[1][0], q, "pi_b[1][0]")),
    )
    signals = tuple(_field_int(s, FIELD_ORDER, f"public signal {i}") for i, s in enumerate(public_signals))
    return ProofCalldata(a=a, b=b, c=c, public_signals=signals)


def _address(value: str) -> str:
    return value.lower()


@dataclass
class _AccountState:
    nonce: int = 0
    code: bytes = b""
    storage: dict[int, int] = field(default_factory=dict)


@dataclass
class Chain:
    """An in-memory Cancun chain (pyrevm) with ABI-aware deploy, call and transact.

    State persists across :meth:`transact` and :meth:`deploy`; :meth:`call`
    never changes state (eth_call semantics, via a journal snapshot).

    Every transaction starts cold, as on a real chain.  pyrevm 0.3.x never
    finalises its journal between calls, so accounts and storage slots touched
    by one transaction would stay warm (EIP-2929) and "original" slot values
    would never advance (EIP-2200): later transactions would be billed too
    little.  Before each operation that follows a state change, the chain
    therefore copies its state into a fresh EVM, where everything is cold and
    clean: nonces and code hashes from pyrevm's typed ``journal_state``, the code
    itself without revm's 33 bytes of analysis padding, and the written storage
    slots from the pinned parser in :mod:`zkmargin.verifier._pyrevm_compat`
    (pyrevm has no API for them).  Gas price is 0 and value transfers are not
    supported, so balances are not modelled.
    """

    evm: EVM = field(default_factory=lambda: EVM(spec_id=SPEC_ID))
    _contracts: dict[str, Contract] = field(default_factory=dict)
    _state: dict[str, _AccountState] = field(default_factory=dict)
    _dirty: bool = False

    def __post_init__(self) -> None:
        compat.check_pyrevm_version()

    def account(self, index: int) -> str:
        """An externally-owned account with a readable address (``0x…ea0000000<index>``)."""
        if not 0 < index < 1 << 32:
            raise ValueError(f"account index must be in [1, 2^32), got {index}")
        return "0x" + f"{0xEA << 32 | index:040x}"

    def _start_transaction(self) -> None:
        """Move the state into a fresh EVM if the last operation changed it (see the class notes)."""
        if not self._dirty:
            return
        for checksummed, info in self.evm.journal_state.items():  # typed API: nonce, code hash
            address = _address(checksummed)
            account = self._state.setdefault(address, _AccountState())
            account.nonce = info.nonce
            if not account.code and info.code_hash not in (None, _KECCAK_EMPTY):  # code never changes once set
                account.code = compat.runtime_code(self.evm, address, bytes(info.code_hash or b""), keccak256)
        for address, storage in compat.journal_storage(self.evm).items():  # no API: pinned parser
            self._state.setdefault(address, _AccountState()).storage.update(storage)
        fresh = EVM(spec_id=SPEC_ID)
        for address, account in self._state.items():
            fresh.insert_account_info(address, AccountInfo(nonce=account.nonce, code=account.code or None))
            for slot, value in account.storage.items():
                if value:
                    # pyrevm writes a slot to the database only while its account is absent from
                    # the journal, and loads the account afterwards; reverting the snapshot unloads
                    # it again, so every slot lands in the database, cold and clean.
                    checkpoint = fresh.snapshot()
                    fresh.insert_account_storage(address, slot, value)
                    fresh.revert(checkpoint)
        self.evm = fresh
        self._dirty = False

    def deploy(self, sender: str, name: str, abi: AbiJson, bytecode: bytes,
               args: Sequence[AbiValue] = ()) -> Contract:
        """Deploy creation ``bytecode`` with ABI-encoded constructor ``args``."""
        contract_abi = ContractAbi(abi)
        code = bytecode + contract_abi.encode_constructor(args)
        self._start_transaction()
        try:
            address = self.evm.deploy(sender, code)
        except RuntimeError as exc:
            raise self._translate(exc, contract_abi) from exc
        finally:
            self._dirty = True
        result = self.evm.result
        gas = result.gas_used if result is not None else 0
        contract = Contract(name=name, address=_address(address), abi=contract_abi, deploy_gas=gas)
        self._contracts[contract.address] = contract
        return contract

    def call(self, contract: Contract, function: str, args: Sequence[AbiValue] = (), *,
             sender: str | None = None) -> CallResult:
        """Run ``function`` without changing state (like ``eth_call``) and decode its outputs."""
        self._start_transaction()
        checkpoint = self.evm.snapshot()
        try:
            return self._run(contract, function, args, sender)
        finally:
            self.evm.revert(checkpoint)

    def transact(self, contract: Contract, function: str, args: Sequence[AbiValue] = (), *,
                 sender: str) -> CallResult:
        """Run ``function`` as a transaction from ``sender``; state changes persist.

        Raises
        ------
        ContractRevertError
            With the decoded custom error when the contract reverts.
        ExecutionHaltedError
            On out-of-gas and other exceptional halts.
        """
        self._start_transaction()
        try:
            return self._run(contract, function, args, sender)
        finally:
            self._dirty = True

    def _run(self, contract: Contract, function: str, args: Sequence[AbiValue], sender: str | None) -> CallResult:
        entry = contract.abi.function(function)
        calldata = contract.abi.encode_call(function, args)
        caller = sender or DEFAULT_CALLER
        try:
            output = self.evm.message_call(caller, contract.address, calldata)
        except RuntimeError as exc:
            raise self._translate(exc, contract.abi) from exc
        result = self.evm.result
        if result is None:
            raise EvmError("pyrevm returned no execution result")
        logs = tuple(self._decode_log(log.address, log.data[0], log.data[1]) for log in result.logs)
        values = decode(entry.output_types, bytes(output)) if entry.output_types else ()
        return CallResult(values=values, gas_used=result.gas_used, intrinsic_gas=intrinsic_gas(calldata), logs=logs)

    def _decode_log(self, address: str, topics: Sequence[bytes], data: bytes) -> Log:
        emitter = self._contracts.get(_address(address))
        topics_t = tuple(bytes(t) for t in topics)
        entry = emitter.abi.events.get(topics_t[0]) if emitter and topics_t else None
        if entry is None:
            return Log(address=_address(address), event=None, args={}, topics=topics_t, data=bytes(data))
        indexed_types = [t for t, ix in zip(entry.input_types, entry.indexed, strict=True) if ix]
        plain_types = [t for t, ix in zip(entry.input_types, entry.indexed, strict=True) if not ix]
        indexed_values = iter(_decode_topic(t, topic) for t, topic in zip(indexed_types, topics_t[1:], strict=True))
        plain_values = iter(decode(plain_types, bytes(data)))
        args = {name: next(indexed_values) if ix else next(plain_values)
                for name, ix in zip(entry.input_names, entry.indexed, strict=True)}
        return Log(address=_address(address), event=entry.name, args=args, topics=topics_t, data=bytes(data))

    def _translate(self, exc: RuntimeError, abi: ContractAbi) -> EvmError:
        result = self.evm.result  # pyrevm sets it for reverts and halts, None when validation failed
        if result is None or result.is_success:
            return EvmError(f"pyrevm rejected the transaction: {exc}")
        if result.is_halt:
            return ExecutionHaltedError(result.reason, result.gas_used)
        if result.reason == "Revert":
            gas_used = result.gas_used
            data = compat.revert_output(exc, gas_used)  # no API for the payload: pinned parser
            head, body = data[:4], data[4:]
            if head in abi.errors:
                entry = abi.errors[head]
                return ContractRevertError(entry.name, decode(entry.input_types, body), data, gas_used)
            if head == _ERROR_STRING_SELECTOR:
                return ContractRevertError("Error", (decode_error_string(body),), data, gas_used)
            if head == _PANIC_SELECTOR:
                return ContractRevertError("Panic", decode(["uint256"], body), data, gas_used)
            return ContractRevertError(None, (), data, gas_used)
        return EvmError(f"pyrevm failed with result {result.reason!r}: {exc}")


def _decode_topic(abi_type: str, topic: bytes) -> AbiValue:
    """An indexed event argument: value types are stored in the topic, reference types only hashed."""
    parsed = parse_abi_type(abi_type)
    if isinstance(parsed, BasicType) and not parsed.arrlist and parsed.base not in ("string", "bytes"):
        (value,) = decode([abi_type], topic)
        return value  # type: ignore[no-any-return]
    return topic
