"""Synthetic sample datasets for demos, tests and benchmarks.

Everything is made up: names, CINs, NPIs, payer ids and file prefixes. Output is
deterministic for (members, seed, period) so tests and golden files can rely on
it; the cases the plan rules care about (domain.md) are planted on the first ten
members, one plan after another, and every other member is drawn at random.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from string import ascii_uppercase

import xlsxwriter
import yaml

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset import canonical as C
from ecmx.core.dataset.identifiers import CIN_LETTERS, npi_check_digit
from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.errors import OutputError
from ecmx.core.storage.atomic import atomic_directory, atomic_file, refuse_existing
from ecmx.core.storage.csv_text import escape_csv_text
from ecmx.core.storage.gcpause import gc_paused

PLANS = ("healthnet", "calviva", "chpiv", "chwp", "partnership")
# Average rows per member per month: the benchmark workload (outreach for members not
# yet enrolled, encounters for enrolled ones).
ATTEMPTS_PER_MONTH = 3
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
CITIES = (  # city, area code, ZIP
    ("Fresno", "559", "93721"), ("Visalia", "559", "93291"), ("El Centro", "760", "92243"),
    ("Calexico", "760", "92231"), ("Sacramento", "916", "95814"), ("Santa Rosa", "707", "95401"),
    ("Eureka", "707", "95501"), ("Redding", "530", "96001"), ("Los Angeles", "213", "90012"),
    ("Long Beach", "562", "90802"),
)  # fmt: skip
STREETS = ("Main St", "Oak Ave", "Olive Ave", "Mission Blvd", "E St", "Palm Dr", "Cedar Ln")
LANGUAGES = ("English",) * 12 + ("Spanish",) * 6 + ("Hmong", "Vietnamese", "Tagalog", "Punjabi")
CHILD_POF = ("ccs", "child_welfare", "avoidable_utilization", "homelessness", "smi_sud")
ADULT_POF = tuple(p for p in C.POPULATIONS_OF_FOCUS if p not in ("ccs", "child_welfare"))
DIAGNOSES = ("Z59.00", "Z59.1", "Z60.2", "F32.9", "F41.1", "E11.9", "I10", "F17.210", "Z91.19")
OUTREACH_STAFF = ("Carmen Sampleton", "Dev Testwood", "Lupe Mockley", "Sam Fakerson")
# Weighted pools: picking from a repeated tuple is much faster than rng.choices.
METHOD_POOL = ("phone",) * 9 + ("text",) * 4 + ("in_person",) * 3 + ("email", "mail", "video")
MODE_POOL = ("in_person",) * 10 + ("phone",) * 7 + ("video",) * 3
SEX_POOL = ("F",) * 48 + ("M",) * 47 + ("U",) * 3 + ("X",) * 2
FAILED_OUTCOME = {
    "phone": ("no answer", "left voicemail", "wrong number"),
    "text": ("no reply",), "email": ("no reply",), "mail": ("letter mailed",),
    "in_person": ("not home",), "video": ("no show",),
}  # fmt: skip
CHARGE = {"clinical": 125.0, "non_clinical": 85.0, "outreach": 150.0}
RANDOM_KINDS = (  # (episode kind, weight in percent)
    ("enrolled", 58), ("outreach", 12), ("pending_outreach", 10), ("disenrolled", 5),
    ("graduated", 3), ("declined_after", 3), ("declined_never", 2), ("unable_to_contact", 4),
    ("ineligible", 2), ("deceased", 1),
)  # fmt: skip
DISENROLL_REASONS = ("moved", "ineligible", "lower_level_of_care", "other")
KIND_POOL = tuple(kind for kind, weight in RANDOM_KINDS for _ in range(weight))
PLANTED = 10  # members 0..9 carry the edge cases; 10 carries the leading-zero ZIP
RANDOM = object()  # "draw this value", where None means blank


@dataclass
class SampleData:
    tables: dict[str, list[dict]]
    provider: dict


def _npi(first9: str) -> str:
    return first9 + npi_check_digit(first9)


def provider_profile() -> dict:
    """The sample provider, as provider.yaml holds it."""
    # Fixed, not seeded: golden files for different seeds share one provider.
    # Payer ids and file prefixes are synthetic; real ones come from each plan.
    codes = {"healthnet": "HN", "calviva": "CV", "chpiv": "IV", "chwp": "CHW", "partnership": "PHC"}
    return {
        "facility_name": "Sunrise Community Health",
        "npi": _npi("165432198"),
        "tin": "12-3456789",
        "phone": "5595550100",
        "address": "1200 Sunrise Ave Suite 200",
        "city": "Fresno",
        "state": "CA",
        "zip": "93721-2345",
        "taxonomy": "251S00000X",
        "provider_type": "Community-Based Organization",
        # rates per unit when an encounter has no charge; G9012-U8: the one-time outreach
        "rates": {"G9008": 125.0, "G9012": 85.0, "G9008-U8": 150.0, "G9012-U8": 150.0},
        "plans": {
            plan: {"file_prefix": f"SUNRISE_{code}", "payer_id": f"99{code[:2]}{i}"}
            for i, (plan, code) in enumerate(codes.items(), start=1)
        },
    }


@gc_paused()
def generate(members: int = 60, seed: int = 7, period: Period | str | None = None) -> SampleData:
    """A sample dataset; ``period`` defaults to last month (the month an RTF is due for)."""
    if isinstance(period, str):
        period = Period.parse(period)
    period = period or Period.containing(date.today()).shift(-1)
    gen = _Generator(random.Random(seed), period, members)
    for index in range(members):
        gen.member(index)
    _outreach_diagnoses(gen.tables)
    return SampleData(gen.tables, provider_profile())


def _outreach_diagnoses(tables: dict[str, list[dict]]) -> None:
    """A diagnosis (and at Partnership a TAR) on each member's first attempt: it is billed
    as the one-time outreach.

    Set without the random generator, so the rest of the sample stays as it was.
    """
    homeless = {m["member_id"] for m in tables["members"] if m["homeless"]}
    partnership = {m["member_id"] for m in tables["members"] if m["plan"] == "partnership"}
    first: dict[str, dict] = {}
    for row in tables["outreach"]:
        mid = row["member_id"]
        if mid not in first or row["date"] < first[mid]["date"]:
            first[mid] = row
    for mid, row in first.items():
        row["diagnosis_codes"] = "Z59.00" if mid in homeless else "Z71.89"
        if mid in partnership:  # Partnership pays outreach only with a TAR (seed 004)
            row["authorization_number"] = f"TAR{mid[1:]:0>8}"


class _Generator:
    def __init__(self, rng: random.Random, period: Period, count: int):
        self.rng, self.start, self.end = rng, period.start, period.end
        # Month bounds by offset from the period, computed once: Period.shift is slow per row.
        self.bounds = {n: (period.shift(n).start, period.shift(n).end) for n in range(-24, 1)}
        self.tables: dict[str, list[dict]] = {t.name: [] for t in C.TABLES}
        # Table.names is computed on each access: far too slow for a million rows.
        self.blank_rows = {t.name: dict.fromkeys(t.names) for t in C.TABLES}
        self.random = rng.random
        # Planted members go round robin; the rest are shuffled, so any five members
        # cover every plan and the plan shares stay even.
        rest = [PLANS[i % len(PLANS)] for i in range(PLANTED, count)]
        rng.shuffle(rest)
        self.plans = [PLANS[i % len(PLANS)] for i in range(min(count, PLANTED))] + rest
        self.cins = rng.sample(range(10**7), count)
        self.zero_zip = min(PLANTED, count - 1)
        self.clinicians = tuple(_npi(b) for b in ("181726354", "192837465", "156473829"))
        self.enrolled_count = 0

    def tar(self, mid: str) -> str | None:
        """Partnership pays U1/U2 services only with a TAR (seed 004): every Partnership
        episode has one; 7 in 10 drawn at random, the others from the member id (drawing
        them all would shift every later random value of the sample)."""
        if self.plan != "partnership":
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

    def member(self, i: int) -> None:
        rng, mid, self.plan = self.rng, f"M{i + 1:05d}", self.plans[i]
        city, area, zip_code = self.pick(CITIES)
        # No California ZIP starts with 0; this one exists to prove that ZIPs stay text.
        if i == self.zero_zip:
            zip_code = "01234"
        child = rng.random() < 0.25
        age = self.randint(1, 17 * 365) if child else self.randint(18 * 365 + 1, 85 * 365)
        homeless = rng.random() < 0.08
        pof = rng.sample(CHILD_POF if child else ADULT_POF, self.pick((0, 1, 1, 2)))
        if homeless and "homelessness" not in pof:
            pof = ["homelessness", *pof[:1]]
        spoken = self.pick(LANGUAGES)
        self.add(
            C.MEMBERS, member_id=mid, cin=f"9{self.cins[i]:07d}{self.pick(CIN_LETTERS)}",
            plan=self.plan, first_name=self.pick(FIRST_NAMES), last_name=self.pick(LAST_NAMES),
            dob=self.start - timedelta(days=age), sex=self.pick(SEX_POOL),
            phone=f"{area}555{self.randint(0, 9999):04d}",
            address=None if homeless and rng.random() < 0.5
            else f"{self.randint(100, 9999)} {self.pick(STREETS)}",
            city=city, state="CA", zip=zip_code, address_changed=rng.random() < 0.05,
            phone_changed=rng.random() < 0.05, homeless=homeless,
            populations_of_focus=";".join(pof) or None, language_spoken=spoken,
            language_written=spoken if rng.random() < 0.9 else "English",
            medicare_dual=not child and age > 65 * 365 and rng.random() < 0.6,
            mrn=f"MRN{self.randint(0, 9_999_999):07d}" if rng.random() < 0.9 else None,
        )  # fmt: skip
        kind = "planted" if i < PLANTED else self.pick(KIND_POOL)
        if kind == "planted":
            self.planted(i, mid, homeless)
        elif kind in ("enrolled", "disenrolled", "graduated", "declined_after", "deceased"):
            self.random_enrolled(kind, mid, homeless)
        else:
            self.random_outreach(kind, mid)

    def planted(self, i: int, mid: str, homeless: bool) -> None:
        s, month = self.start, self.month
        if i == 0:  # a) enrolled, then declined: end date kept, discontinuation date blank
            self.enrolled(mid, homeless, month(-4) + timedelta(3), s + timedelta(8), "declined",
                          reason="no_longer_wishes")  # fmt: skip
        elif i == 1:  # b) never enrolled, declined: discontinuation date, no enrollment dates
            self.attempt(mid, month(-1) + timedelta(2), "phone", False, 4)
            self.attempt(mid, month(-1) + timedelta(9), "text", False, 1)
            self.attempt(mid, s + timedelta(6), "phone", True, 9)
            self.episode(mid, "declined", assigned_date=month(-2) + timedelta(4),
                         discontinuation_date=s + timedelta(6),
                         discontinuation_reason="member_declined")  # fmt: skip
        elif i == 2:  # c) enrolled with a blank acuity (plans reject blank: default Low)
            self.enrolled(mid, homeless, month(-3) + timedelta(10), acuity=None)
        elif i == 3:  # d) not yet enrolled, mailed attempt in the period with no minutes
            self.attempt(mid, s + timedelta(2), "phone", False, 6)
            self.attempt(mid, s + timedelta(5), "mail", False, None)
            self.attempt(mid, s + timedelta(12), "text", False, 2)
            self.episode(mid, "outreach", assigned_date=month(-1) + timedelta(20))
        elif i == 4:  # e) 5 attempts, 3+ modalities, 85 days, all failed: unable to contact
            first = s - timedelta(80)
            for offset, method in zip((0, 20, 41, 62, 85), ("phone", "text", "mail", "phone",
                                                           "in_person"), strict=True):  # fmt: skip
                self.attempt(mid, first + timedelta(offset), method, False, 5)
            self.episode(mid, "unable_to_contact", assigned_date=first - timedelta(7),
                         discontinuation_date=s + timedelta(12),
                         discontinuation_reason="unable_to_contact")  # fmt: skip
        elif i == 5:  # f) an episode closed last year, then a current one
            old = month(-20) + timedelta(4)
            stop = month(-12) + timedelta(14)
            self.enrolled(mid, homeless, old, stop, "disenrolled", "moved", disc=stop)
            self.enrolled(mid, homeless, month(-2) + timedelta(6))
        else:  # g) pending outreach with attempts in the period, fractional minutes
            for offset, minutes in ((1, 12.4), (8, 0.6), (15, None if i == 9 else 7.5)):
                self.attempt(mid, s + timedelta(offset + i), "phone", False, minutes)
            self.episode(mid, "pending_outreach", assigned_date=month(-1) + timedelta(10 + i))

    def random_enrolled(self, kind: str, mid: str, homeless: bool) -> None:
        day, month, end = self.day, self.month, self.end
        if kind == "enrolled":
            self.enrolled(mid, homeless, day(month(-14), end))
        elif kind == "declined_after":
            start = day(month(-8), month(-1))
            self.enrolled(mid, homeless, start, day(start + timedelta(14), end), "declined",
                          self.pick(("no_longer_wishes", "member_declined")))  # fmt: skip
        else:
            start = day(month(-18), month(-4))
            stop = day(max(start + timedelta(30), month(-3)), end)
            reason = kind if kind != "disenrolled" else self.pick(DISENROLL_REASONS)
            self.enrolled(mid, homeless, start, stop, kind, reason, disc=stop)

    def random_outreach(self, kind: str, mid: str) -> None:
        rng, day, month, s, e = self.rng, self.day, self.month, self.start, self.end
        if kind == "unable_to_contact":  # the exclusion rule: 5+ attempts, 3 modalities, 90 days
            first = day(month(-6), s - timedelta(90))
            methods = ["phone", "text", self.pick(("mail", "in_person"))]
            methods += [self.pick(METHOD_POOL) for _ in range(self.randint(2, 4))]
            rng.shuffle(methods)
            later = sorted(day(first, first + timedelta(89)) for _ in methods[1:])
            for when, method in zip([first, *later], methods, strict=True):
                self.attempt(mid, when, method, False)
            self.episode(mid, kind, assigned_date=first - timedelta(self.randint(1, 14)),
                         discontinuation_date=later[-1] + timedelta(self.randint(1, 10)),
                         discontinuation_reason="unable_to_contact")  # fmt: skip
            return
        assigned = day(month(-1), s + timedelta(14)) if kind == "pending_outreach" else None
        assigned = assigned or day(month(-4), s - timedelta(10))
        earlier = self.randint(0, ATTEMPTS_PER_MONTH) if assigned < s else 0
        dates = [day(assigned, s - timedelta(1)) for _ in range(earlier)]
        if kind in ("outreach", "pending_outreach"):
            count = self.randint(1, 2 * ATTEMPTS_PER_MONTH - 1)
            dates += [day(max(assigned, s), e) for _ in range(count)]
            for when in sorted(dates):
                self.attempt(mid, when)
            self.episode(mid, kind, assigned_date=assigned)
            return
        # declined or ineligible before enrolling: failed attempts, then the decision
        stop = day(assigned + timedelta(7), e)
        for when in sorted(d for d in dates if d < stop):
            self.attempt(mid, when, successful=False)
        reason = "member_declined" if kind == "declined_never" else "ineligible"
        if kind == "declined_never":
            self.attempt(mid, stop, "phone", True)
        self.episode(mid, "declined" if kind == "declined_never" else kind, assigned_date=assigned,
                     discontinuation_date=stop, discontinuation_reason=reason)  # fmt: skip

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
        )  # fmt: skip
        if start >= self.month(-1) and assigned < start:  # recent enrollees: the attempts before
            before = start - timedelta(1)
            for when in sorted(day(assigned, before) for _ in range(self.randint(1, 3))):
                self.attempt(mid, when, successful=False)
        if rng.random() < 0.3:
            self.encounter(mid, start - timedelta(self.randint(1, 14)), homeless, "outreach")
            if self.plan == "partnership":  # Partnership pays outreach only with a TAR (004)
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


# Writers ----------------------------------------------------------------------------------

XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_urls": False,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
}
XLSX_MAX_ROWS = 1_048_576


def _flatten(data: dict, prefix: str = "") -> list[list]:
    rows = []
    for key, value in data.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append([f"{prefix}{key}", value])
    return rows


def _write_sheet(sheet, header, rows, date_format) -> None:
    for c, name in enumerate(header):
        sheet.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "true" if value else "false")
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write_number(r, c, value)


def _tables_to_write(sample: SampleData) -> list:
    return [t for t in C.TABLES if not (t.ecmx_managed and not sample.tables.get(t.name))]


def write_workbook(sample: SampleData, path: Path, *, force: bool = False) -> None:
    """One sheet per table plus a key/value ``provider`` sheet; identifiers stay text."""
    for name, rows in sample.tables.items():
        if len(rows) >= XLSX_MAX_ROWS:
            raise OutputError(f"{name} has too many rows for one xlsx sheet: write a CSV folder")
    with atomic_file(Path(path), force=force) as tmp:
        book = xlsxwriter.Workbook(str(tmp), XLSX_OPTIONS)
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for table in _tables_to_write(sample):
            names = table.names
            cells = ([row[n] for n in names] for row in sample.tables[table.name])
            _write_sheet(book.add_worksheet(table.name), names, cells, date_format)
        provider = _flatten(sample.provider)
        _write_sheet(book.add_worksheet("provider"), ("key", "value"), provider, date_format)
        book.close()


def _csv_cell(value) -> str:
    if type(value) is str:  # most cells: return at once
        return escape_csv_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _provider_yaml(sample: SampleData) -> str:
    return yaml.safe_dump(sample.provider, sort_keys=False, allow_unicode=True)


def write_csv_folder(sample: SampleData, path: Path, *, force: bool = False) -> None:
    """One CSV per table plus provider.yaml, all appearing at once (or not at all)."""
    with atomic_directory(Path(path), force=force) as tmp:
        for table in _tables_to_write(sample):
            with open(tmp / f"{table.name}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                names = table.names  # computed on each access: once per table, not per row
                writer.writerow(names)
                writer.writerows(
                    [_csv_cell(row[n]) for n in names] for row in sample.tables[table.name]
                )
        (tmp / PROVIDER_FILE).write_text(_provider_yaml(sample), encoding="utf-8")


def write_provider_yaml(sample: SampleData, path: Path, *, force: bool = False) -> None:
    with atomic_file(Path(path), force=force) as tmp:
        tmp.write_text(_provider_yaml(sample), encoding="utf-8")


@gc_paused()
def write_sample(sample: SampleData, out: Path, *, force: bool = False) -> list[Path]:
    """A workbook with provider.yaml beside it (``.xlsx``), else a CSV folder."""
    out = Path(out)
    workbook = out.suffix.lower() == ".xlsx"
    targets = [out, out.parent / PROVIDER_FILE] if workbook else [out]
    for target in targets:  # all checked first: never leave half a sample behind
        refuse_existing(target, force)
    from ecmx.core.storage.targets import prepare_folder

    prepare_folder(out.parent)
    if workbook:
        write_workbook(sample, out, force=force)
        write_provider_yaml(sample, targets[1], force=force)
    else:
        write_csv_folder(sample, out, force=force)
    return targets
