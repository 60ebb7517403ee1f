"""Long work off the request thread: jobs queue on one worker thread, each with progress.

One worker, so two jobs never race on the same period's files or the ledger: the second
waits its turn (the page says "waiting for ..."). A page starts a job with ``submit`` and
redirects to /jobs/N, which shows its progress until it ends, then its result or its one
line of error. A job that fails with a bug says so without a traceback on the page; the
traceback goes to the server's terminal with the exception's type only, never its text
(which could hold member values).
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecmx.core.errors import EcmxError

log = logging.getLogger("ecmx.web")

QUEUED, RUNNING, DONE, FAILED = "waiting", "running", "done", "failed"


@dataclass
class Job:
    """One piece of work as the page shows it. ``result`` is the job's result object."""

    id: int
    title: str
    kind: str  # which page renders the result: "make", "check", "claims", ...
    state: str = QUEUED
    stage: str = ""
    done: int = 0
    total: int = 0
    item: str = ""
    result: Any = None
    error: str = ""
    started: datetime = field(default_factory=datetime.now)
    ended: datetime | None = None
    extra: dict = field(default_factory=dict)  # what the page needs beside the result

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    def progress(self, stage: str, done: int, total: int, item: str = "") -> None:
        """The jobs' ``progress`` callback (core/jobs/common.py)."""
        self.stage, self.done, self.total, self.item = stage, done, total, item


class Runner:
    """Runs submitted work one at a time, in order, on a thread of its own."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecmx-job")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.jobs: dict[int, Job] = {}

    def submit(self, title: str, kind: str, work: Callable[[Job], Any], **extra) -> Job:
        """Queue ``work(job)``; its return value becomes ``job.result``."""
        with self._lock:
            job = Job(next(self._ids), title, kind, extra=extra)
            self.jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: int) -> Job | None:
        return self.jobs.get(job_id)

    def ahead_of(self, job: Job) -> list[Job]:
        """The jobs still waiting or running that were submitted before ``job``."""
        return [j for j in self.jobs.values() if j.id < job.id and not j.finished]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Any]) -> None:
        job.state = RUNNING
        try:
            job.result = work(job)
            job.state = DONE
        except EcmxError as exc:
            job.error, job.state = str(exc), FAILED
        except Exception as exc:  # a bug: the page says so; the terminal gets where
            job.error = (
                f"ecmx failed with an internal error ({type(exc).__name__}); this is a bug: "
                "please report it with the server's terminal output"
            )
            job.state = FAILED
            frames = traceback.extract_tb(exc.__traceback__)
            log.error(
                "job %s failed: %s at %s",
                job.id,
                type(exc).__name__,
                "; ".join(f"{f.filename}:{f.lineno}" for f in frames),
            )
        finally:
            job.ended = datetime.now()
