"""Rows of the sample dataset: values drawn at random, and the episode, outreach and
encounter rows a member gets.

The draws go through one ``random.Random`` in a fixed order: the sample is deterministic
for (members, seed, period), so golden files and tests rely on every call staying where it
is. sample_members.py decides who gets which rows; this module makes them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from string import ascii_uppercase

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset import canonical as C
from ecmx.core.dataset.identifiers import npi_check_digit
from ecmx.core.dataset.sample_plans import SamplePlan

# Average encounters per enrolled member per month: the benchmark workload.
ENCOUNTERS_PER_MONTH = 6

FIRST_NAMES = (
    "Ana", "Luis", "Maria", "James", "Linh", "Pao", "Rosa", "Miguel", "Grace", "Tomas",
    "Aiyana", "Deshawn", "Mei", "Omar", "Priya", "Yesenia", "Harold", "Nadia", "Kai", "Esther",
)  # fmt: skip
# Last names that no real person is likely to carry: the data must read as fake.
LAST_NAMES = (
    "Sampleton", "Testwood", "Fakerson", "Mockley", "Demoria", "Placeholt", "Dummond",
    "Synthwell", "Examplar", "Notreal", "Fictivo", "Stubbins", "Pseudon", "Madeup",
)  # fmt: skip
DIAGNOSES = ("Z59.00", "Z59.1", "Z60.2", "F32.9", "F41.1", "E11.9", "I10", "F17.210", "Z91.19")
OUTREACH_STAFF = ("Carmen Sampleton", "Dev Testwood", "Lupe Mockley", "Sam Fakerson")
# Weighted pools: picking from a repeated tuple is much faster than rng.choices.
METHOD_POOL = ("phone",) * 9 + ("text",) * 4 + ("in_person",) * 3 + ("email", "mail", "video")
MODE_POOL = ("in_person",) * 10 + ("phone",) * 7 + ("video",) * 3
FAILED_OUTCOME = {
    "phone": ("no answer", "left voicemail", "wrong number"),
    "text": ("no reply",), "email": ("no reply",), "mail": ("letter mailed",),
    "in_person": ("not home",), "video": ("no show",),
}  # fmt: skip
CHARGE = {"clinical": 125.0, "non_clinical": 85.0, "outreach": 150.0}
RANDOM = object()  # "draw this value", where None means blank


def npi(first9: str) -> str:
    """A made-up NPI with a valid check digit."""
    return first9 + npi_check_digit(first9)


def last_completion(start: date, cap: date) -> date | None:
    """The latest program completion assessment of an episode: every 6 months (CHWP's
    interval, the shortest a plan states) less 10 days, up to ``cap``. Drawn without the
    random source, so the other rows stay as they were."""
    done, k = None, 1
    while (when := start + timedelta(days=182 * k - 10)) <= cap:
        done, k = when, k + 1
    return done


class SampleRows:
    """The random draws and the rows of one sample; ``tables`` holds the rows made."""

    def __init__(self, rng: random.Random, period: Period):
        self.rng, self.start, self.end = rng, period.start, period.end
        # Month bounds by offset from the period, computed once: Period.shift is slow per row.
        self.bounds = {n: (period.shift(n).start, period.shift(n).end) for n in range(-24, 1)}
        self.tables: dict[str, list[dict]] = {t.name: [] for t in C.TABLES}
        # Table.names is computed on each access: far too slow for a million rows.
        self.blank_rows = {t.name: dict.fromkeys(t.names) for t in C.TABLES}
        self.random = rng.random
        self.clinicians = tuple(npi(b) for b in ("181726354", "192837465", "156473829"))
        self.enrolled_count = 0
        self.plan = SamplePlan("")  # the plan of the member being made

    def tar(self, mid: str) -> str | None:
        """A plan that pays U1/U2 services only with a TAR (billing.service_tar_required;
        Partnership, seed 004): every episode of its members has one; 7 in 10 drawn at
        random, the others from the member id (drawing them all would shift every later
        random value of the sample)."""
        if not self.plan.service_tar:
            return None
        if self.rng.random() < 0.7:
            return f"TAR{self.randint(10**7, 10**8 - 1)}"
        return f"TAR{mid[1:]:0>8}"

    def add(self, table: C.Table, **values) -> None:
        row = self.blank_rows[table.name].copy()
        width = len(row)
        row.update(values)
        if len(row) != width:  # a misspelt column would slip into the output
            raise ValueError(f"not {table.name} columns: {sorted(set(row) - set(table.names))}")
        self.tables[table.name].append(row)

    # random.choice and randint are exact but slow; these are fast enough for fake data.
    def pick(self, options: tuple | list | str):
        return options[int(self.random() * len(options))]

    def randint(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def minutes(self, low: int, high: int, fractional: float) -> float | int | None:
        r = self.rng.random()
        if r < 0.05:
            return None
        if r < 0.05 + fractional:
            return round(self.rng.uniform(low, high), 1)
        return self.randint(low, high)

    def day(self, low: date, high: date) -> date:
        if high <= low:
            return low
        return date.fromordinal(self.randint(low.toordinal(), high.toordinal()))

    def month(self, months: int) -> date:
        return self.bounds[months][0]

    def episode(self, mid: str, status: str, **values) -> None:
        self.add(C.ENROLLMENTS, member_id=mid, status=status, **values)

    def enrolled(self, mid, homeless, start, stop=None, status="enrolled", reason=None, *,
                 disc=None, acuity=RANDOM) -> None:  # fmt: skip
        rng, day, cap = self.rng, self.day, min(stop or self.end, self.end)
        assigned = start - timedelta(self.randint(3, 45))
        started = start + timedelta(self.randint(0, 30))
        completed = started + timedelta(self.randint(0, 60 - (started - start).days))
        plan_made = completed + timedelta(self.randint(0, 90 - (completed - start).days))
        revised = day(plan_made + timedelta(150), cap) if (cap - plan_made).days > 180 else None
        if acuity is RANDOM:
            acuity = None if rng.random() < 0.05 else self.pick(C.ACUITY)
        # A growing staff pool: at most 40 episodes per lead care manager (the limit is 1:50).
        k, self.enrolled_count = self.enrolled_count // 40, self.enrolled_count + 1
        first, last = FIRST_NAMES[k % 20], LAST_NAMES[k // 20 % 14]
        lcm = f"{first} {ascii_uppercase[k // 280 % 26]}. {last}"
        self.episode(
            mid, status, assigned_date=assigned,
            referral_date=None if rng.random() < 0.2 else assigned - timedelta(self.randint(0, 21)),
            enrollment_start=start, enrollment_end=stop, discontinuation_date=disc,
            discontinuation_reason=reason, acuity=acuity, lead_care_manager_name=lcm,
            lead_care_manager_phone=f"559555{k % 10000:04d}",
            lead_care_manager_email=f"{first}.{last}{k + 1}@sunrise-chc.example".lower(),
            assessment_started=started if started <= cap else None,
            assessment_completed=completed if completed <= cap else None,
            care_plan_created=plan_made if plan_made <= cap else None, care_plan_revised=revised,
            care_conference_date=day(start, cap) if rng.random() < 0.3 else None,
            authorization_number=self.tar(mid),
            program_completion_date=None if self.enrolled_count % 10 == 7 else last_completion(start, cap),
        )  # fmt: skip
        if start >= self.month(-1) and assigned < start:  # recent enrollees: the attempts before
            before = start - timedelta(1)
            for when in sorted(day(assigned, before) for _ in range(self.randint(1, 3))):
                self.attempt(mid, when, successful=False)
        if rng.random() < 0.3:
            self.encounter(mid, start - timedelta(self.randint(1, 14)), homeless, "outreach")
            if self.plan.outreach_tar:  # billing.outreach_tar_required (Partnership: 004)
                self.tables["encounters"][-1]["authorization_number"] = f"TAR{mid[1:]:0>8}"
        for months in (-2, -1, 0):
            low, high = max(start, self.bounds[months][0]), min(cap, self.bounds[months][1])
            if low > high:
                continue
            share = ((high - low).days + 1) / 30
            per_month = ENCOUNTERS_PER_MONTH if months == 0 else ENCOUNTERS_PER_MONTH // 2
            for _ in range(max(1, round(self.randint(1, 2 * per_month - 1) * share))):
                self.encounter(mid, day(low, high), homeless)

    def attempt(self, mid, when, method=None, successful=None, minutes=RANDOM) -> None:
        rng = self.rng
        method = method or self.pick(METHOD_POOL)
        if successful is None:
            successful = method != "mail" and rng.random() < 0.2
        if minutes is RANDOM:  # mail: blank or an odd figure, to exercise the 1-minute rule
            minutes = self.pick((None, 1, 0.5)) if method == "mail" else self.minutes(2, 30, 0.45)
        self.add(
            C.OUTREACH, member_id=mid, date=when, method=method, successful=successful,
            minutes=minutes, staff_type="clinical" if rng.random() < 0.15 else "non_clinical",
            contact_reason=self.pick(("initial outreach", "follow-up", "re-engagement")),
            outcome="spoke with member" if successful else self.pick(FAILED_OUTCOME[method]),
            staff_name=self.pick(OUTREACH_STAFF),
        )  # fmt: skip

    def encounter(self, mid: str, when: date, homeless: bool, kind: str = "service") -> None:
        rng = self.rng
        if kind == "service" and rng.random() < 0.08:
            kind = "care_team_meeting"
        staff = "non_clinical" if kind == "outreach" or rng.random() < 0.6 else "clinical"
        mode = self.pick(MODE_POOL)
        if mode != "in_person":  # telehealth: 10 = at home, 02 = elsewhere
            pos = "10" if rng.random() < 0.8 else "02"
        else:
            pos = self.pick(("04", "27") if homeless else ("11", "11", "12"))
        successful = rng.random() < 0.93
        codes = ["Z59.00" if homeless else self.pick(DIAGNOSES)]
        if rng.random() < 0.5 and (second := self.pick(DIAGNOSES)) != codes[0]:
            codes.append(second)
        self.add(
            C.ENCOUNTERS, member_id=mid, date=when, staff_type=staff, mode=mode,
            member_present=successful and kind != "care_team_meeting", successful=successful,
            minutes=self.minutes(10, 90, 0.25), place_of_service=pos,
            diagnosis_codes=";".join(codes),
            rendering_npi=self.pick(self.clinicians) if staff == "clinical" else None,
            charge=CHARGE["outreach" if kind == "outreach" else staff], kind=kind,
        )  # fmt: skip
