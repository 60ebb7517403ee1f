"""The README's "The month over sFTP, with a ledger", run as a provider runs it, against a
real OpenSSH sshd (sshd.py) holding each plan's MIF: fetch --ingest brings every MIF into
the dataset, convert and send deliver every file, status shows them sent, due no longer
lists them, a second send sends nothing, a correction is --resend (issue 14, Done when).

The README's period (2025-11) is replaced by last month's, so that its deadlines are
today's: the walkthrough is what a provider does this week."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import yaml

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.calendar import DueRequest, run_due

from . import readme
from .readme import README_PERIOD, ledger
from .sshd import needs_sshd

pytestmark = needs_sshd

PLANS = ("calviva", "chpiv", "chwp", "healthnet", "partnership")


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def an_office(cli, sshd, root: Path, period: Period) -> Path:
    """The provider's folder (the current one): the sample dataset and its provider.yaml,
    every plan's sftp: pointing at its own folder on ``sshd``, each holding its MIF."""
    assert cli("sample-data", "--out", "my-dataset.xlsx", "--period", str(period)).code == 0
    remote = root / "remote"
    for plan in PLANS:  # the plans' MIFs, made before there is a workspace to record them
        run = cli("convert", "my-dataset.xlsx", "--plan", plan, "--kind", "mif",
                  "--period", str(period), "--out", remote / plan)  # fmt: skip
        assert run.code == 0, run.err
    profile = yaml.safe_load(Path("provider.yaml").read_text("utf-8"))
    for plan in PLANS:  # known_hosts: the workspace's default (.ecmx/known_hosts)
        profile["plans"][plan]["sftp"] = {"host": sshd.host, "port": sshd.port,
                                          "user": sshd.user, "path": str(remote / plan),
                                          "key": str(sshd.client_key)}  # fmt: skip
    Path("provider.yaml").write_text(yaml.safe_dump(profile), "utf-8")
    return remote


def test_the_readme_month_end_to_end(cli, sshd, tmp_path, monkeypatch):
    office = tmp_path / "office"
    office.mkdir()
    monkeypatch.chdir(office)
    monkeypatch.delenv("ECMX_WORKSPACE", raising=False)
    period = Period.containing(date.today()).shift(-1)
    remote = an_office(cli, sshd, tmp_path, period)
    mifs = tree(remote)
    commands = [[str(period) if a == README_PERIOD else a.replace(README_PERIOD, str(period))
                 for a in argv[1:]] for argv in readme.commands("The month over sFTP")]  # fmt: skip
    init, trust, fetch, convert, dry_run, send, status, due, resend = commands

    assert cli(*init).code == 0 and Path(".ecmx").is_dir()
    # Nobody at a terminal answers in a test: the same command with --yes.
    trusted = cli(*trust, "--yes")
    assert trusted.code == 0, trusted.err
    assert sshd.host_fingerprint in trusted.out + trusted.err

    fetched = cli(*fetch)
    assert fetched.code == 0, fetched.err
    got = ledger("SELECT plan, kind, ingested_at FROM files_received ORDER BY plan")
    assert [(r["plan"], r["kind"]) for r in got] == [(p, "mif") for p in PLANS]
    assert all(r["ingested_at"] for r in got)
    merged = Path(fetch[fetch.index("--out") + 1])
    assert merged.is_file()
    assert tree(remote) == mifs  # nothing remote changed

    made = cli(*convert)
    assert made.code == 0, made.err
    outbox = Path(convert[convert.index("--out") + 1])
    files = sorted(p.name for p in outbox.iterdir())
    # RTF and OTF/IOT per plan, and the CSPRTF of the three plans the sample provider is
    # the Community Supports provider of (provider.yaml community_supports: true)
    assert len(files) == 2 * len(PLANS) + 3

    plan_of = {name: plan for plan in PLANS
               for name in (r["path"] for r in ledger(
                   f"SELECT path FROM files_made WHERE plan = '{plan}'"))}  # fmt: skip
    assert len(plan_of) == len(files)

    dry = cli(*dry_run)
    assert dry.code == 0, dry.err
    assert all(name in dry.out for name in files)
    assert ledger("SELECT * FROM sends") == [] and tree(remote) == mifs

    sent = cli(*send)
    assert sent.code == 0, sent.err
    rows = ledger("SELECT * FROM sends")
    assert len(rows) == len(files) and {r["outcome"] for r in rows} == {"sent"}
    for path, plan in plan_of.items():
        name = Path(path).name
        copy = remote / plan / name
        assert copy.read_bytes() == (outbox / name).read_bytes(), name
    on_server = tree(remote)
    assert not [name for name in on_server if Path(name).name.startswith(".")]

    board = cli(*status)
    assert board.code == 0, board.err
    assert "not sent" not in board.out and "not made" not in board.out
    records = json.loads(cli(*status, "--format", "json").out)
    assert len(records) == len(files)
    assert all(str(r["state"]).startswith("sent") for r in records), records

    listed = cli(*due)
    assert listed.code == 0, listed.err
    cutoffs = [line for line in listed.out.splitlines() if "accepts a corrected" in line]
    assert cutoffs and all("sent on time; a correction is accepted" in c for c in cutoffs)
    result = run_due(DueRequest(workspace=Path.cwd()))
    owed = [d for d in (*result.upcoming, *result.overdue)
            if d.period == period and d.event.file in ("rtf", "otf") and d.event.role == "due"]  # fmt: skip
    assert owed == [], [(d.plan, d.event.file, d.date) for d in owed]

    again = cli(*send)
    assert again.code == 0, again.err
    assert "already sent" in again.out + again.err
    assert len(ledger("SELECT * FROM sends")) == len(files) and tree(remote) == on_server

    just_healthnet = [("healthnet" if a == "all" else a) for a in convert]
    corrected = cli(*just_healthnet, "--force")
    assert corrected.code == 0, corrected.err
    resent = cli(*resend)
    assert resent.code == 0, resent.err
    rows = ledger("SELECT * FROM sends WHERE resend = 1")
    # Health Net's RTF, OTF and CSPRTF (the sample provider serves Community Supports)
    assert len(rows) == 3 and {r["outcome"] for r in rows} == {"sent"}
