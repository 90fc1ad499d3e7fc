"""Trusted setup: the checks on a ceremony ptau, the production path, progress reporting, and the prover's
own checks.

A *stand-in ceremony* ptau is written by ``devptau.js --contribution``: the powers of a seed's secrets plus
one contribution record, as ``powersoftau new`` + ``contribute`` + ``prepare phase2`` would leave them, so
``snarkjs powersoftau verify`` accepts it in seconds where a real preparation at power 15 takes ~15 min.
Small files made by snarkjs itself (``new``, ``contribute``, ``beacon``, ``prepare phase2`` at power 6) show
the checks agree with real ceremony files.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from zkmargin.cli.progress import Steps
from zkmargin.engine.account import AccountInts, encode_account
from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.io import load_portfolio
from zkmargin.engine.margin import margin_account
from zkmargin.prover.prove import CircuitMismatchError, compare_margin, prove_circuit
from zkmargin.prover.venue import batch_input, plan_venue
from zkmargin.prover.witness import circuit_input
from zkmargin.statement.commitments import new_salt
from zkmargin.statement.sizes import SIZES
from zkmargin.statement.venue import BATCH_CIRCUIT, VENUE_BATCH_SIGNALS
from zkmargin.toolchain import keys, tools
from zkmargin.toolchain.devptau import DEV_SEED, generate_dev_ptau, read_ptau_info
from zkmargin.toolchain.keys import (
    CACHE_DIR,
    MANIFEST_VERSION,
    SecurityLabel,
    SetupArtifacts,
    SetupError,
    check_ceremony_ptau,
    compile_estimate_s,
    describe_estimate,
    dev_ptau,
    groth16_setup_estimate_s,
    ptau_power,
    setup,
)
from zkmargin.toolchain.witness import calculate_witness
from zkmargin.verifier.trust import dev_key_reason

STANDIN_SEED = "stand-in ceremony (INSECURE)"
SMALL = 6  # ptau power of the fast checks
#: ptau power the `test` account circuit needs (63,123 constraints, circuits/constraints.json).
TEST_POWER = 16
#: ptau power of the venue batch circuit (21,638 constraints), which the ceremony-path test sets up.
BATCH_POWER = 15


def standin_ceremony(power: int) -> Path:
    """The cached stand-in ceremony ptau of ``power`` (one seed-derived contribution; INSECURE)."""
    path = CACHE_DIR / "ptau" / f"standin-ceremony-insecure-{power}.ptau"
    if not path.exists():
        tmp = path.with_name(f"{path.name}.partial-{os.getpid()}")
        generate_dev_ptau(power, STANDIN_SEED, tmp, contribution="stand-in ceremony contributor")
        tmp.replace(path)
    return path


class Recorder:
    """A :class:`~toolchain.keys.SetupProgress` that records what it is told."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.slow_steps: list[tuple[str, float | None]] = []

    def note(self, message: str) -> None:
        self.notes.append(message)

    @contextmanager
    def slow(self, title: str, estimate_s: float | None) -> Iterator[None]:
        self.slow_steps.append((title, estimate_s))
        yield


@pytest.fixture(scope="module")
def snarkjs_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ptau files of power 6 made by snarkjs: fresh, beacon only, and contribution + beacon (all prepared)."""
    folder = tmp_path_factory.mktemp("snarkjs-ptau")
    new, contributed, beaconed = folder / "new.ptau", folder / "contributed.ptau", folder / "beaconed.ptau"
    tools.snarkjs(["powersoftau", "new", "bn128", str(SMALL), str(new)])
    tools.snarkjs(["powersoftau", "contribute", str(new), str(contributed), "--name=first",
                   "-e=some entropy for the test"])
    tools.snarkjs(["powersoftau", "beacon", str(contributed), str(beaconed), "0a0b0c0d", "10", "-n=final beacon"])
    only_beacon = folder / "only_beacon.ptau"
    tools.snarkjs(["powersoftau", "beacon", str(new), str(only_beacon), "0a0b0c0d", "10", "-n=public beacon"])
    out = {}
    for name, raw in (("new", new), ("ceremony", beaconed), ("only_beacon", only_beacon)):
        out[name] = folder / f"{name}_final.ptau"
        tools.snarkjs(["powersoftau", "prepare", "phase2", str(raw), str(out[name])])
    out["unprepared"] = beaconed
    return out


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def butterfly(params: ParamsTree) -> AccountInts:
    return encode_account(load_portfolio(EXAMPLES / "portfolios" / "butterfly.json"), params.table)


def test_ceremony_ptau_of_too_small_power_is_rejected_before_setup() -> None:
    small = dev_ptau(10, seed="stand-in ceremony (INSECURE)")
    assert ptau_power(small) == 10
    with pytest.raises(SetupError, match=rf"has power 10; the test circuit .* needs power {TEST_POWER}"):
        setup("test", ptau=small)


def test_not_a_ptau_file_is_rejected(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.ptau"
    bogus.write_bytes(b"not a ptau file at all")
    with pytest.raises(SetupError, match=r"not a \.ptau file"):
        setup("test", ptau=bogus)


# --------------------------------------------------------------------------- checks on a ceremony ptau


def test_a_real_snarkjs_ceremony_file_is_accepted(snarkjs_files: dict[str, Path]) -> None:
    recorder = Recorder()
    check = check_ceremony_ptau(snarkjs_files["ceremony"], progress=recorder)
    assert (check.power, check.contributions) == (SMALL, 2)
    assert check.names == ("Contribution #2: final beacon", "Contribution #1: first")
    [(title, estimate)] = recorder.slow_steps  # snarkjs powersoftau verify is the one slow step
    assert "snarkjs powersoftau verify" in title and estimate is not None and estimate > 0


def test_the_stand_in_ceremony_file_is_accepted_like_a_real_one() -> None:
    info = read_ptau_info(standin_ceremony(SMALL))
    assert (info.contributions, info.beacons, info.prepared) == (1, 0, True)
    check = check_ceremony_ptau(standin_ceremony(SMALL))
    assert check.names == ("Contribution #1: stand-in ceremony contributor",)


def test_a_fresh_accumulator_is_refused(snarkjs_files: dict[str, Path]) -> None:
    with pytest.raises(SetupError, match=r"new_final\.ptau has no contributions"):
        check_ceremony_ptau(snarkjs_files["new"])


def test_a_file_finished_only_by_a_public_beacon_is_refused(snarkjs_files: dict[str, Path]) -> None:
    with pytest.raises(SetupError, match=r"only public beacons as contributions"):
        check_ceremony_ptau(snarkjs_files["only_beacon"])


def test_an_unprepared_file_is_refused(snarkjs_files: dict[str, Path]) -> None:
    with pytest.raises(SetupError, match=r"not prepared for phase 2"):
        check_ceremony_ptau(snarkjs_files["unprepared"])


def test_the_dev_ptau_is_refused_as_dev() -> None:
    with pytest.raises(SetupError, match=r"INSECURE dev ptau: its tau derives from the public seed "
                                         r"'zkmargin-insecure-dev-setup-v1'"):
        check_ceremony_ptau(dev_ptau(SMALL))


def test_a_dev_tau_is_refused_even_with_a_valid_contribution_record(tmp_path: Path) -> None:
    # snarkjs accepts this file (its contribution chain is consistent): only the tau check catches it
    disguised = generate_dev_ptau(SMALL, DEV_SEED, tmp_path / "disguised.ptau", contribution="honest, really")
    assert read_ptau_info(disguised).contributions == 1
    with pytest.raises(SetupError, match=r"INSECURE dev ptau"):
        check_ceremony_ptau(disguised)


def test_another_seeds_dev_ptau_is_refused_for_having_no_contributions() -> None:
    with pytest.raises(SetupError, match=r"has no contributions"):  # the stand-in this test file used to use
        check_ceremony_ptau(dev_ptau(SMALL, seed=STANDIN_SEED))


def test_a_tampered_point_is_found_by_snarkjs(tmp_path: Path) -> None:
    data = bytearray(standin_ceremony(SMALL).read_bytes())
    tau_g1 = 12 + 12 + 44 + 12  # payload of section 2 (after the file header and section 1)
    data[tau_g1 + 64 * 5:tau_g1 + 64 * 6] = data[tau_g1 + 64 * 4:tau_g1 + 64 * 5]  # tauG1[5] := tauG1[4]
    tampered = tmp_path / "tampered.ptau"
    tampered.write_bytes(bytes(data))
    with pytest.raises(SetupError, match=r"^snarkjs powersoftau verify rejects .*tampered\.ptau: ERROR: "):
        check_ceremony_ptau(tampered)


@pytest.mark.parametrize("cut", [64, 5000])
def test_a_truncated_file_is_refused(cut: int, tmp_path: Path) -> None:
    data = standin_ceremony(SMALL).read_bytes()
    truncated = tmp_path / "truncated.ptau"
    truncated.write_bytes(data[:-cut])
    with pytest.raises(SetupError, match=r"truncated"):
        check_ceremony_ptau(truncated)


def test_setup_refuses_the_dev_ptau_before_the_slow_setup() -> None:
    recorder = Recorder()
    with pytest.raises(SetupError, match=r"INSECURE dev ptau"):
        setup("test", ptau=dev_ptau(TEST_POWER), progress=recorder)
    assert not any("groth16" in title for title, _ in recorder.slow_steps)


def test_setup_refuses_a_ptau_without_contributions() -> None:
    with pytest.raises(SetupError, match=r"has no contributions"):
        setup("test", ptau=dev_ptau(TEST_POWER, seed=STANDIN_SEED))


# --------------------------------------------------------------------------- progress and labels


def test_estimates_are_rough_and_say_so() -> None:
    assert describe_estimate(12) == "about 10 s"
    assert describe_estimate(95) == "about 2 min"
    assert describe_estimate(4000) == "about 1 h 7 min"
    assert 60 < groth16_setup_estimate_s(20_526) < 150  # ~1.5 min measured
    assert 200 < groth16_setup_estimate_s(54_239) < 400  # ~5 min measured


def test_a_cache_hit_reports_no_step(test_keys: SetupArtifacts, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    assert setup("test", progress=recorder).vkey == test_keys.vkey
    assert recorder.notes == []
    assert [title for title, _ in recorder.slow_steps if not title.startswith("compiling")] == []
    # the compile step is a cache hit too: the displays show nothing for a step shorter than their quiet time
    out = StringIO()
    setup("test", progress=Steps(Console(file=out, width=120), quiet_s=3600))
    lines: list[str] = []
    monkeypatch.setattr(keys, "QUIET_S", 3600.0)
    setup("test", progress=lines.append)
    assert out.getvalue() == "" and lines == []


def test_steps_show_a_slow_step_with_its_estimate() -> None:
    out = StringIO()
    steps = Steps(Console(file=out, width=120), quiet_s=0.0)
    with steps.slow("groth16 setup (20,526 constraints, ptau 2^15)", 95.0):
        pass
    text = out.getvalue()
    assert "groth16 setup (20,526 constraints, ptau 2^15) … (about 2 min, estimated)" in text
    assert "✓ groth16 setup" in text


def test_the_dev_keys_are_labelled_insecure(test_keys: SetupArtifacts) -> None:
    security = test_keys.manifest["security"]
    assert security == {"label": "insecure-dev", "ptau_verified": False, "contributions": 0}
    assert test_keys.security is SecurityLabel.INSECURE_DEV and test_keys.insecure
    assert test_keys.manifest["manifest_version"] == MANIFEST_VERSION


@pytest.mark.parametrize(("label", "insecure"), [("ceremony", False), ("insecure-dev", True)])
def test_insecure_follows_the_security_label(test_keys: SetupArtifacts, label: str, insecure: bool) -> None:
    manifest = {**test_keys.manifest, "security": {"label": label}, "insecure_dev_setup": not insecure}
    assert dataclasses.replace(test_keys, manifest=manifest).insecure is insecure


def test_a_manifest_of_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    assert keys._read_manifest(path) is None
    path.write_text(json.dumps({"manifest_version": 2, "insecure_dev_setup": True, "vkey_id": "x"}))
    with pytest.raises(SetupError, match=r"manifest version 2, .* delete"):
        keys._read_manifest(path)


# --------------------------------------------------------------------------- the production path


@pytest.mark.slow
def test_production_setup_contributes_verifies_and_records_hashes(example_params_tree: ParamsTree,
                                                                  tmp_path: Path) -> None:
    # the ceremony path on the venue batch circuit, the smallest of the production circuits: the same steps as
    # any size at a third of the `test` account circuit's cost
    ceremony = standin_ceremony(BATCH_POWER)
    # checks of the ptau, contribution, random beacon and `snarkjs zkey verify` inside
    ceremony_keys = setup(BATCH_CIRCUIT, ptau=ceremony)
    manifest = ceremony_keys.manifest
    assert not ceremony_keys.insecure and manifest["warning"] is None
    assert manifest["security"] == {"label": "ceremony", "ptau_verified": True, "contributions": 1,
                                    "contribution_names": ["Contribution #1: stand-in ceremony contributor"]}
    assert manifest["ptau"]["sha256"] == tools.sha256_file(ceremony) and manifest["ptau"]["power"] == BATCH_POWER
    assert manifest["zkey_sha256"] == tools.sha256_file(ceremony_keys.zkey)
    assert manifest["vkey_sha256"] == tools.sha256_file(ceremony_keys.vkey)
    assert manifest["circuit"]["r1cs_sha256"] == tools.sha256_file(ceremony_keys.circuit.r1cs)
    assert (ceremony_keys.directory / "manifest.json").is_file()
    dev_keys = setup(BATCH_CIRCUIT)
    assert ceremony_keys.vkey_id != dev_keys.vkey_id  # a contribution with fresh entropy gives other keys
    assert dev_key_reason(json.loads(ceremony_keys.vkey.read_text())) is None
    short_call = encode_account(load_portfolio(EXAMPLES / "portfolios" / "naked_short_call.json"),
                                example_params_tree.table)
    batch = plan_venue("ceremony", example_params_tree, [(1, short_call)]).batches[0]
    record = prove_circuit(ceremony_keys, batch_input(batch), list(batch.signals().values()), tmp_path, {},
                           names=VENUE_BATCH_SIGNALS)
    (tmp_path / "proof.json").write_text(json.dumps(record.snarkjs_proof()))
    (tmp_path / "public.json").write_text(json.dumps(record.public_signals))
    out = tools.snarkjs(["groth16", "verify", str(ceremony_keys.vkey), str(tmp_path / "public.json"),
                         str(tmp_path / "proof.json")])
    assert "OK" in out.stdout


@pytest.mark.slow
@pytest.mark.parametrize("field", ["maintenance_margin", "collateral_value", "scan_risk", "short_option_minimum"])
def test_engine_circuit_mismatch_is_a_hard_error_naming_the_field(example_params_tree: ParamsTree,
                                                                  test_keys: Any, field: str) -> None:
    account = butterfly(example_params_tree)
    honest = margin_account(example_params_tree.table, account)
    inputs, _ = circuit_input(example_params_tree, account, new_salt(), honest, SIZES["test"])
    witness = calculate_witness(test_keys.circuit, inputs)
    groups = [g for g, used in zip(inputs["group_id"], inputs["group_used"], strict=True) if used]
    compare_margin(test_keys, witness, honest, groups)  # agrees
    if field == "short_option_minimum":
        group = dataclasses.replace(honest.groups[0], short_option_minimum=honest.groups[0].short_option_minimum + 1)
        wrong = dataclasses.replace(honest, groups=(group, *honest.groups[1:]))
        name = "som[0]"
    else:
        wrong = dataclasses.replace(honest, **{field: getattr(honest, field) + 1})
        name = {"maintenance_margin": "mm", "collateral_value": "collateral", "scan_risk": "scanRisk"}[field]
    with pytest.raises(CircuitMismatchError, match=f"disagree on {re.escape(name)}:"):
        compare_margin(test_keys, witness, wrong, groups)


def test_compile_estimates_follow_the_recorded_constraint_counts() -> None:
    names = ("chunk_mini", "small", "chunk_large", "book_large")  # by recorded constraint count
    estimates = [e for e in (compile_estimate_s(name) for name in names) if e is not None]
    assert len(estimates) == len(names) and estimates == sorted(estimates)
    assert compile_estimate_s("account_nowhere") is None and compile_estimate_s("book_nowhere") is None
