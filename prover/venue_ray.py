"""Run a venue's batch jobs on Ray: one task per batch, on actors that each set up their keys once.

A local Ray instance with ``workers`` CPUs is started unless Ray is already initialised in this process or an
``address`` of a running cluster is given.  Each :class:`BatchProver` actor takes one CPU, sets up the keys of
every circuit the run needs when it starts (from the content-hash cache), and proves one batch at a time in its
own long-lived prover process (:class:`~zkmargin.toolchain.prover_process.ProverProcess`), which loads each
witness calculator and proving key once and proves single-threaded.  A worker that dies is restarted and
its batch retried (up to :data:`TASK_RETRIES` times).  Every finished batch is written at once to the private
folder, so a run that stops for any reason resumes without proving those batches again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import ray
from ray import ObjectRef
from ray.exceptions import RayError

from zkmargin.engine.commitments import ParamsTree
from zkmargin.engine.errors import InputError
from zkmargin.prover.venue import VenueAccount, VenuePlan, check_batch_record, prove_batch
from zkmargin.statement.records import RecordError
from zkmargin.statement.venue import BATCH_SIZE, BatchPlan
from zkmargin.statement.venue_records import BATCH_FORMAT, VenueBatchRecord, read_venue_document
from zkmargin.toolchain.keys import SetupArtifacts, setup
from zkmargin.toolchain.prover_process import ProverProcess

#: How often Ray retries a batch whose worker died.
TASK_RETRIES: Final = 3

Progress = Callable[[str], Any]


class VenueRunError(RuntimeError):
    """A batch failed for good (after its retries); the finished batches are kept in the private folder."""


@dataclass(frozen=True)
class RunReport:
    """What a run did: batches proven now and kept from an earlier run, seconds, workers."""

    proven: int
    resumed: int
    seconds: float
    workers: int


def batch_file(private: Path, index: int) -> Path:
    """Where a finished batch is kept in the private folder."""
    return private / "batches" / f"batch-{index:05d}.json"


def status_folder(private: Path) -> Path:
    """Where each worker notes the batch it is proving (``worker-<pid>.json``)."""
    return private / "workers"


@ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=TASK_RETRIES)
class BatchProver:
    """A Ray worker that proves batches with keys it sets up (from the content-hash cache) once."""

    def __init__(self, circuits: list[str], private: str) -> None:
        self.keys: dict[str, SetupArtifacts] = {name: setup(name) for name in circuits}
        self.params: ParamsTree | None = None
        self.private = Path(private)
        self.process = ProverProcess()

    def prove(self, params: list[ObjectRef[ParamsTree]], members: Sequence[VenueAccount], plan: BatchPlan) -> str:
        """Prove one batch; the batch file's JSON.

        ``params`` holds the reference to the run's params tree, fetched at this worker's first batch (and again
        after a restart), so that the actor's constructor takes no object-store argument.
        """
        if self.params is None:
            self.params = ray.get(params[0])
        status = status_folder(self.private) / f"worker-{os.getpid()}.json"
        status.parent.mkdir(parents=True, exist_ok=True)
        status.write_text(json.dumps({"pid": os.getpid(), "batch": plan.index, "started": time.time()}))
        try:
            record = prove_batch(self.keys, self.params, members, plan, self.private / "scratch",
                                 process=self.process)
        finally:
            status.unlink(missing_ok=True)
        return record.model_dump_json(by_alias=True)


def plural(count: int, one: str, many: str) -> str:
    """``count`` and the noun: "1 batch", "2 batches"."""
    return f"{count:,} {one if count == 1 else many}"


def kept_batches(plan: VenuePlan, private: Path, params_root: int) -> dict[int, VenueBatchRecord]:
    """The batches an earlier run of this plan finished (their signals match the plan)."""
    kept: dict[int, VenueBatchRecord] = {}
    for index in range(len(plan.batches)):
        path = batch_file(private, index)
        if not path.exists():
            continue
        try:
            record: VenueBatchRecord = read_venue_document(path, BATCH_FORMAT)
        except RecordError:
            continue  # a torn write: prove it again
        if check_batch_record(record, plan, index, params_root):
            kept[index] = record
    return kept


def start_ray(workers: int, address: str | None) -> None:
    """Join the cluster at ``address``, or start a local instance with ``workers`` CPUs; nothing if Ray is up."""
    if ray.is_initialized():
        return
    options: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False, "include_dashboard": False,
                               "configure_logging": True}
    try:
        if address is not None:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=workers, **options)
    except (ConnectionError, RayError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise InputError(f"cannot start {where}: {' '.join(str(exc).split())}", field="--ray") from exc


def run_batches(plan: VenuePlan, params: ParamsTree, private: Path, *, workers: int, address: str | None = None,
                progress: Progress | None = None) -> tuple[list[VenueBatchRecord], RunReport]:
    """Prove every batch of ``plan`` not already finished in ``private``; the batch records in order.

    Progress lines name the batches done, the rate and the time left.

    Raises
    ------
    VenueRunError
        A batch failed after its retries (the message names it and the cause).
    """
    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    kept = kept_batches(plan, private, params.params_root)
    todo = [i for i in range(len(plan.batches)) if i not in kept]
    total = len(plan.batches)
    if kept:
        say(f"resuming: {len(kept)} of {total} batches were finished by an earlier run")
    results: dict[int, VenueBatchRecord] = dict(kept)
    used = 0
    if todo:
        start_ray(workers, address)
        circuits = plan.circuits()
        params_ref = ray.put(params)
        used = max(1, min(workers, len(todo)))
        actors = [BatchProver.remote(circuits, str(private)) for _ in range(used)]  # type: ignore[attr-defined]
        pending: dict[Any, tuple[int, Any]] = {}
        queue = list(todo)

        def submit(actor: Any) -> None:
            index = queue.pop(0)
            ref = actor.prove.remote([params_ref], plan.batch_accounts(index), plan.batches[index])
            pending[ref] = (index, actor)

        say(f"proving {plural(len(todo), 'batch', 'batches')} of up to {BATCH_SIZE} accounts on "
            f"{plural(used, 'worker', 'workers')}")
        for actor in actors:
            if queue:
                submit(actor)
        proving_start = time.perf_counter()
        finished = 0
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                ref = ready[0]
                index, actor = pending.pop(ref)
                try:
                    text = ray.get(ref)
                except RayError as exc:
                    raise VenueRunError(f"batch {index} failed after {TASK_RETRIES} retries: "
                                        f"{' '.join(str(exc).split())[:400]}") from exc
                record = VenueBatchRecord.model_validate_json(text)
                path = batch_file(private, index)
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(".partial")
                partial.write_text(text)
                partial.replace(path)
                results[index] = record
                finished += 1
                elapsed = time.perf_counter() - proving_start
                rate = finished / elapsed
                left = len(todo) - finished
                say(f"batch {index} done: {len(results)}/{total} batches, {rate * 60:.1f} batches/min, "
                    f"about {left / rate:.0f} s left" if left else
                    f"batch {index} done: {len(results)}/{total} batches, {rate * 60:.1f} batches/min")
                if queue:
                    submit(actor)
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
            for actor in actors:
                ray.kill(actor)
    report = RunReport(len(todo), len(kept), time.perf_counter() - start, used)
    return [results[i] for i in range(total)], report
