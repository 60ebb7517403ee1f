"""Who the sample members are: their profile, the planted edge cases, and the kind of
episode each other member is drawn.

The cases the plan rules care about (domain.md) are planted on the first ten members,
one plan after another; every other member is drawn at random.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset import canonical as C
from ecmx.core.dataset.identifiers import CIN_LETTERS
from ecmx.core.dataset.sample_plans import SamplePlan
from ecmx.core.dataset.sample_rows import FIRST_NAMES, LAST_NAMES, METHOD_POOL, SampleRows

# Average outreach attempts per member not yet enrolled per month: the benchmark workload.
ATTEMPTS_PER_MONTH = 3

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
SEX_POOL = ("F",) * 48 + ("M",) * 47 + ("U",) * 3 + ("X",) * 2
RANDOM_KINDS = (  # (episode kind, weight in percent)
    ("enrolled", 58), ("outreach", 12), ("pending_outreach", 10), ("disenrolled", 5),
    ("graduated", 3), ("declined_after", 3), ("declined_never", 2), ("unable_to_contact", 4),
    ("ineligible", 2), ("deceased", 1),
)  # fmt: skip
DISENROLL_REASONS = ("moved", "ineligible", "lower_level_of_care", "other")
KIND_POOL = tuple(kind for kind, weight in RANDOM_KINDS for _ in range(weight))
PLANTED = 10  # members 0..9 carry the edge cases; 10 carries the leading-zero ZIP


class SampleMembers(SampleRows):
    """Makes member ``i`` (``member(i)``, in order) and the rows of their episodes."""

    def __init__(
        self, rng: random.Random, period: Period, count: int, plans: tuple[SamplePlan, ...]
    ):
        super().__init__(rng, period)
        # Planted members go round robin; the rest are shuffled, so any five members
        # cover every plan and the plan shares stay even.
        rest = [plans[i % len(plans)] for i in range(PLANTED, count)]
        rng.shuffle(rest)
        self.plans = [plans[i % len(plans)] for i in range(min(count, PLANTED))] + rest
        self.cins = rng.sample(range(10**7), count)
        self.zero_zip = min(PLANTED, count - 1)

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
            plan=self.plan.id, first_name=self.pick(FIRST_NAMES), last_name=self.pick(LAST_NAMES),
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
