#!/usr/bin/env python3
"""Independent reference model of `emkhana replay` (standard library only).

    python3 model.py [--check] [--frozen-ageout] [--plans-hold-places] FILE...

Each FILE is replayed against a fresh, empty registry under the default policy of
../../docs/domain.md; one JSON object is printed per `apply` and `query` step
(../conformance/FORMAT.md, "Output lines").  With --check every step that
carries `expect` is compared, mismatches go to stderr as FILE:LINE, and the last line is
`N passed, N failed` (exit 1 on a mismatch).  A malformed scenario stops with exit 2.
--frozen-ageout is a diagnostic, not the reference reading: it emulates a design that fixes
the age-out district when a pediatric attachment is created (see J15), so that a
differential run can show what differs besides that.  --plans-hold-places is the reading
before ADR 0005 (capacity checks count the age-outs still to come, J13), kept to show which
scenarios the choice changes.

This model was written from the two spec documents only, without reading the C++ sources.
Every place where the text leaves room for more than one reading is listed here and marked
`J<n>` at the code that implements the choice.  (*) marks a call that was first read the
other way and changed after a differential run, because the other reading fits the text
better; the reason is given.

Judgement calls
---------------
J1  `policy.campaigns` overrides the default window *per year*: years not listed keep the
    default ("override parts of the default policy").  `holidays` / `working_weekends` are
    added to the built-in calendar; a later policy step replaces the lists of an earlier one.
J2  Holiday transfer: a fixed holiday (not 7 Jan, not Kurban ait) on Saturday/Sunday gives a
    day off on the first later day that is a working day and not already a holiday or a
    transferred day off; holidays are handled in date order (21-23 Mar on Sat/Sun/Mon ->
    Tue and Wed).  Policy `holidays` are not transferred; policy `working_weekends` are
    working days (also as transfer targets).  Kurban ait exists only for 2024-2026.
J3  Identity order (reported alone): invalid_iin (person, then applicant), unknown_person
    (person, then applicant), false_data, deceased.  `false_data` compares only the declared
    `birth`/`sex` with the register: DOMAIN.md says an IIN "need not match the real birth date
    or sex: take those from the population register, never from the IIN" and defines
    false_data as "the application declares a birth or sex that disagrees with the register"
    (FORMAT.md's "the IIN's birth date" is read as the date declared for that IIN).  An IIN is
    valid when it has 12 digits and a correct check digit (FORMAT.md: "invalid_iin (not 12
    digits or bad check digit)"); the date and century digits are not checked, so
    000000000000 is a valid IIN.  A person is `deceased` from the date of death (register
    `deceased` or a `death` step) on.
J4  (*) Representation.  A minor's application passes when the applicant is a registered
    representative or presents `representation_proof`, but never when the minor applies:
    "A minor (under 18) is attached by a legal representative".  An adult's passes when the
    applicant is the adult, a registered representative, or `consent_of_family_member` is
    presented.
J5  Paper channel: the person's categories (pensioner ... student) or a *DMS* (not VMS) policy
    valid on the application date, or the *applicant's* categories
    (disabled_child_representative, foster_carer).
J6  Documents apply on every channel: a convict always needs `commission_protocol`;
    `temporary_residence` always needs `residence_proof`; `rector_letter` only for a student
    under 18 on `clinic_paper`.
J7  Territory precedence when several special rules apply: convict (custody) > conscript
    (deployment) > pregnant / under 5 (residence) > general list.  `pregnant` is the category,
    whatever the sex.
J8  (*) Unknown organisation: `org_not_eligible` plus every rule that does not need the
    organisation's data.  Territory is not reported (FORMAT.md: "An apply naming an unknown
    organisation is refused org_not_eligible").  An ATE-dependent basis (residence_change,
    work_or_study_change, temporary_residence) does not hold: it must be "a basis that holds
    in the register", and an organisation absent from the register is in no ATE.  A chosen
    district is then "not of that organisation" (wrong_district).  A closed or unlicensed
    organisation is known: all its rules are evaluated (public case I1).
J9  (*) "Attached" means: an attachment covering the application date.  "One's own
    organisation" is the current one or that of a pending attachment ("the organisation one
    is attached to (or will be on a pending date)").  Applying to it is already_attached (no
    district or the same district) or a change of doctor (another district); neither is a
    change of organisation, so no timing rule (campaign, yearly limit, basis) applies to
    them (public cases H1/H3 for the current organisation).  All other rules apply,
    territory included.
J10 Effective date: the application date, except (a) a free choice by an attached person
    changing organisation: 1 January of the next year, and (b) a change of doctor inside the
    organisation of a pending attachment: the start of that attachment ("effective at once"
    cannot precede the attachment it changes).  wrong_district checks the age on that date.
J11 Yearly limit: counts approved applications with basis free_choice that changed the
    organisation of an attached person (not first attachments with basis free_choice, not
    changes of doctor), by application-date year, even if the move was later cancelled.
J12 `org_closed` basis: some (not cancelled) attachment of the person to an organisation
    that is closed on the application date overlaps [date-365, date-1].
J13 Capacity: panel size on a date = attachments covering it (not cancelled), as stored
    (ADR 0005, changed from the plan): an age-out still to come holds no place in the adult
    district, because the move is made "capacity notwithstanding" and which adult district it
    takes is only known on the birthday; the child leaves the pediatric panel on the 18th
    birthday all the same ("pediatrician under 18").  Plans still see the earlier plans (J15).
    When an application is checked, the applicant's own attachments (current, pending) are not
    counted: the approval ends or cancels them from the effective date on ("The latest
    approval wins").  "Room on every date from the effective date on" = count < capacity at
    the effective date and at every later start of an attachment in that district.
J14 Automatic district with no fitting district at all (e.g. only pediatric districts for an
    adult) is `capacity_exceeded` (there is no place for the person).
J15 Age-out: on the 18th birthday (29 Feb -> 1 Mar) the pediatric attachment is split; the
    adult district (therapist/GP of the same organisation) is "the one with the most free
    places" *on the birthday*, among those keeping room on every date from then on, ties
    the smaller id; if none keeps room, the most free places among all ("capacity
    notwithstanding").  The plan is always the one the current state gives: it is
    recomputed after every change (a death, an approval, a closure before the birthday can
    change it) and becomes history when the story reaches the birthday.  Age-outs are
    planned in birthday order (then IIN); each sees the earlier ones.  Pre-existing `attach`
    lines are one state: their order does not matter.
    (*) An organisation without adult districts: the attachment ends the day before the
    birthday (a pediatric district does not serve an adult: "pediatrician under 18"); the
    person may then attach anywhere as a first attachment.
J16 Reorganisation: attachments of the closed organisation covering the date or starting
    later are taken in (IIN, start) order; each goes to the successor from max(start, date)
    to its old end, into the fitting district (age on that start date) chosen as in J15
    (capacity notwithstanding).  No fitting district in the successor -> the person is left
    unattached (as liquidation), and so is the rest of that attachment's period (its
    planned age-out included).
J17 Liquidation / death on D: attachments covering D end on D-1, those starting on D or later
    are cancelled.
J18 "The latest approval wins": the new attachment [E, open) ends every other attachment of
    the person that covers E on E-1 and cancels every one starting on or after E.
J19 Ids (organisations, districts) are ordered as plain strings.
J20 Multiple `attach` lines are taken as given (no rules applied); a register `deceased` date
    does not end pre-existing attachments.
J21 (*) A pending move that is cancelled by a liquidation never starts, so it detaches no
    one: the attachment it would have ended continues (glossary: detachment is "automatic
    when a new one starts"; a free choice: "until then the old organisation serves the
    person").  A pending move that is moved to a successor still detaches.
    (*) Only a move that has not started yet is "pending": a move that already started has
    detached the old attachment for good, so cancelling its transferred continuation (the
    successor liquidated later, even the same day) leaves the person unattached, not back in
    the organisation they left (found by the wide differential profile).
"""

import copy
import datetime
import json
import sys

Date = datetime.date
ONE_DAY = datetime.timedelta(days=1)

ADULT_AGE = 18


class ScenarioError(Exception):
    pass


def parse_date(value):
    return Date.fromisoformat(value)


def age_on(birth, day):
    """Completed years on `day` (someone born on 29 Feb has a birthday on 1 Mar)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth, years):
    try:
        return Date(birth.year + years, birth.month, birth.day)
    except ValueError:  # 29 Feb in a common year
        return Date(birth.year + years, 3, 1)


# --------------------------------------------------------------------------- IIN
SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def iin_check_digit(prefix11):
    """Check digit for 11 digits, or None when no IIN has that prefix (DOMAIN.md, "The IIN")."""
    d = [int(c) for c in prefix11]
    r = sum(d[i] * (i + 1) for i in range(11)) % 11
    if r == 10:
        r = sum(d[i] * SECOND_WEIGHTS[i] for i in range(11)) % 11
        if r == 10:
            return None
    return r


def iin_valid(iin):
    # J3: "invalid_iin (not 12 digits or bad check digit)"
    if not isinstance(iin, str) or len(iin) != 12 or not iin.isdigit():
        return False
    return iin_check_digit(iin[:11]) == int(iin[11])


# --------------------------------------------------------------------------- policy
FIXED_HOLIDAYS = [(1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7),
                  (5, 9), (7, 6), (8, 30), (10, 25), (12, 16)]
KURBAN_AIT = {2024: Date(2024, 6, 16), 2025: Date(2025, 6, 6), 2026: Date(2026, 5, 27)}


class Policy:
    def __init__(self):
        self.campaigns = {}  # year -> (start, end), overrides (J1)
        self.norms = {"gp": 1700, "therapist": 2200, "pediatrician": 900}
        self.extra_holidays = set()
        self.working_weekends = set()
        self.free_choices_per_year = 1
        self._days_off = {}

    def override(self, step):
        if "campaigns" in step:
            for c in step["campaigns"]:
                self.campaigns[int(c["year"])] = (parse_date(c["start"]), parse_date(c["end"]))
        if "norms" in step:
            for kind, n in step["norms"].items():
                self.norms[kind] = int(n)
        if "holidays" in step:
            self.extra_holidays = {parse_date(x) for x in step["holidays"]}
        if "working_weekends" in step:
            self.working_weekends = {parse_date(x) for x in step["working_weekends"]}
        if "free_choices_per_year" in step:
            self.free_choices_per_year = int(step["free_choices_per_year"])
        self._days_off = {}

    def campaign(self, year):
        """Campaign window (inclusive) of `year`.  DOMAIN.md: "15 Sep-15 Nov up to 2024,
        1 Sep-1 Nov from 2025 (2017: 5 Apr-30 Jun)"."""
        if year in self.campaigns:
            return self.campaigns[year]
        if year == 2017:
            return Date(2017, 4, 5), Date(2017, 6, 30)
        if year <= 2024:
            return Date(year, 9, 15), Date(year, 11, 15)
        return Date(year, 9, 1), Date(year, 11, 1)

    def in_campaign(self, day):
        start, end = self.campaign(day.year)
        return start <= day <= end

    # ---- working-day calendar (DOMAIN.md, "Deadlines")
    def _fixed(self, year):
        days = {Date(year, m, d) for m, d in FIXED_HOLIDAYS}
        if year in KURBAN_AIT:
            days.add(KURBAN_AIT[year])
        return days

    def _days_off_of(self, year):
        """Public holidays of `year` plus the days off transferred from those on a weekend (J2)."""
        if year in self._days_off:
            return self._days_off[year]
        fixed = self._fixed(year) | self._fixed(year + 1)
        off = set(self._fixed(year))
        transferred = set()
        for h in sorted(self._fixed(year)):
            if h.weekday() < 5:
                continue
            # "A holiday falling on Saturday or Sunday moves its day off to the next working
            # day, except 7 Jan and Kurban ait."
            if (h.month, h.day) == (1, 7) or KURBAN_AIT.get(year) == h:
                continue
            d = h + ONE_DAY
            while (d in fixed or d in transferred or d in self.extra_holidays
                   or not (d.weekday() < 5 or d in self.working_weekends)):
                d += ONE_DAY
            transferred.add(d)
        off |= transferred
        self._days_off[year] = off
        return off

    def is_working_day(self, day):
        if day in self.extra_holidays:
            return False
        if day in self._days_off_of(day.year) or day in self._days_off_of(day.year - 1):
            return False
        if day in self.working_weekends:
            return True
        return day.weekday() < 5

    def next_working_day_from(self, day):
        while not self.is_working_day(day):
            day += ONE_DAY
        return day


def rule_decide_by(policy, app_date, channel):
    """DOMAIN.md: received on its date if a working day, else the next working day;
    egov/mobile/service_centre: "the working day after receipt"; clinic_paper: "the day of
    receipt"."""
    received = policy.next_working_day_from(app_date)
    if channel == "clinic_paper":
        return received
    return policy.next_working_day_from(received + ONE_DAY)


# --------------------------------------------------------------------------- registry state
class Attachment:
    __slots__ = ("iin", "org", "district", "start", "end", "cancelled", "ageout_done",
                 "ended_by", "end_before")

    def __init__(self, iin, org, district, start, end=None):
        self.iin = iin
        self.org = org
        self.district = district
        self.start = start
        self.end = end  # inclusive; None = open
        self.cancelled = False
        self.ageout_done = False
        self.ended_by = None  # the later attachment whose start ended this one (J21)
        self.end_before = None  # the end this one had before that

    def covers(self, day):
        return not self.cancelled and self.start <= day and (self.end is None or day <= self.end)


def serves(kind, age):
    """DOMAIN.md: "pediatrician under 18, therapist 18+, GP all"."""
    if kind == "pediatrician":
        return age < ADULT_AGE
    if kind == "therapist":
        return age >= ADULT_AGE
    return True


class Registry:
    def __init__(self, frozen_ageout=False, plans_hold_places=False):
        # frozen_ageout: diagnostic emulation (not the reference reading) of a design that
        # decides the age-out district when the pediatric attachment is created (J15).
        self.frozen_ageout = frozen_ageout
        # plans_hold_places: diagnostic, the reading before ADR 0005 (capacity checks count
        # age-outs still to come).
        self.plans_hold_places = plans_hold_places
        self.policy = Policy()
        self.orgs = {}
        self.districts = {}
        self.persons = {}
        self.attachments = []
        self.free_choice_changes = []  # (iin, application date), J11
        self.clock = None
        self.is_plan = False
        self._plan = None

    def changed(self):
        self._plan = None

    def planned(self):
        """The plan as known at this point of the story (FORMAT.md): a copy in which every
        age-out still to come has been carried out, in birthday order (J15)."""
        if self.is_plan or self.frozen_ageout:
            return self
        if self._plan is None:
            plan = copy.deepcopy(self)
            plan.is_plan = True
            plan.advance(Date(9000, 1, 1))
            self._plan = plan
        return self._plan

    # ---- queries on the state
    def attachment_on(self, iin, day):
        found = [a for a in self.attachments if a.iin == iin and a.covers(day)]
        return found[-1] if found else None

    def pending_after(self, iin, day):
        return [a for a in self.attachments
                if a.iin == iin and not a.cancelled and a.start > day]

    def org_closed_on(self, org, day):
        return org["closed"] is not None and org["closed"] <= day

    def capacity(self, district):
        if district.get("capacity") is not None:
            return district["capacity"]
        return self.policy.norms[district["kind"]] * district.get("doctors", 1)

    def panel(self, district_id, exclude_iin=None, planned=None):
        """[(start, end)] of the attachments of a district (J13).  By default as stored: age-outs
        still to come hold no place yet, and a pediatric attachment already ends the day before
        the 18th birthday.  planned=True (or --plans-hold-places): the plan, age-outs included."""
        if planned is None:
            planned = self.plans_hold_places
        if planned:
            source = self.planned()
            return [(a.start, a.end) for a in source.attachments
                    if not a.cancelled and a.district == district_id and a.iin != exclude_iin]
        pediatric = self.districts[district_id]["kind"] == "pediatrician"
        out = []
        for a in self.attachments:
            if a.cancelled or a.district != district_id or a.iin == exclude_iin:
                continue
            end = a.end
            if pediatric:
                b = birthday(self.persons[a.iin]["birth"], ADULT_AGE)
                if a.start < b and (end is None or end >= b):
                    end = b - ONE_DAY
            out.append((a.start, end))
        return out

    @staticmethod
    def count_on(panel, day):
        return sum(1 for s, e in panel if s <= day and (e is None or day <= e))

    def free_places(self, district_id, day, exclude_iin=None, planned=None):
        return self.capacity(self.districts[district_id]) - self.count_on(
            self.panel(district_id, exclude_iin, planned), day)

    def has_room_from(self, district_id, day, exclude_iin=None, planned=None):
        """DOMAIN.md: "room on every date from the effective date on" (J13)."""
        cap = self.capacity(self.districts[district_id])
        panel = self.panel(district_id, exclude_iin, planned)
        dates = {day} | {s for s, _ in panel if s > day}
        return all(self.count_on(panel, d) < cap for d in dates)

    def choose_district(self, candidates, day, exclude_iin=None, notwithstanding=False,
                        planned=None):
        """DOMAIN.md: "among the fitting districts that keep room on every date from the
        effective date on" the one with "the most free places on the effective date", "ties
        go to the smaller id".  With capacity notwithstanding (age-out, reorganisation) and no
        district keeping room, the most free places among all fitting ones (J15)."""
        roomy = [d for d in candidates if self.has_room_from(d, day, exclude_iin, planned)]
        pool = roomy if roomy else (list(candidates) if notwithstanding else [])
        if not pool:
            return None
        return min(pool, key=lambda d: (-self.free_places(d, day, exclude_iin, planned), d))

    def fitting_districts(self, org_id, age):
        return sorted(i for i, d in self.districts.items()
                      if d["org"] == org_id and serves(d["kind"], age))

    # ---- the story clock and age-outs (J15)
    def advance(self, day):
        """Carry out every age-out whose birthday is on or before `day`."""
        if self.frozen_ageout:
            self.clock = day if self.clock is None or day > self.clock else self.clock
            return
        todo = []
        for a in self.attachments:
            if a.cancelled or a.ageout_done or self.districts[a.district]["kind"] != "pediatrician":
                continue
            b = birthday(self.persons[a.iin]["birth"], ADULT_AGE)
            if b <= day and a.start <= b and (a.end is None or a.end >= b):
                todo.append((b, a.iin, a.start, a))
        todo.sort(key=lambda t: t[:3])
        for b, _, _, a in todo:
            self.age_out(a, b)
        if self.clock is None or day > self.clock:
            self.clock = day

    def age_out(self, a, b):
        """DOMAIN.md: "A child who turns 18 moves on the birthday to an adult district
        (therapist or GP) of the same organisation, the one with the most free places,
        capacity notwithstanding, for the rest of that attachment's period"."""
        a.ageout_done = True
        adult = sorted(i for i, d in self.districts.items()
                       if d["org"] == a.org and d["kind"] != "pediatrician")
        if not adult:
            # J15: no adult district to move to; a pediatric district does not serve an
            # adult ("pediatrician under 18"), so the attachment ends.
            self.changed()
            a.end = b - ONE_DAY
            a.ended_by = None
            if a.end < a.start:
                a.cancelled = True
            return
        # Age-outs are taken in birthday order: this one sees the earlier ones, not the later.
        chosen = self.choose_district(adult, b, notwithstanding=True, planned=False)
        self.changed()
        new = Attachment(a.iin, a.org, chosen, b, a.end)
        new.ageout_done = True
        # The adult part now ends where the whole attachment would have ended (J21).
        new.ended_by, new.end_before = a.ended_by, a.end_before
        a.end, a.ended_by = b - ONE_DAY, None
        if a.end < a.start:
            a.cancelled = True
        self.add(new)

    # ---- writes
    def add(self, a):
        self.changed()
        self.attachments.append(a)
        if self.frozen_ageout and not a.ageout_done:
            self.plan_ageout_now(a)

    def plan_ageout_now(self, a):
        """Diagnostic emulation only: split a pediatric attachment at the 18th birthday as
        soon as it is created, choosing the adult district with what is known now."""
        if self.districts[a.district]["kind"] != "pediatrician":
            return
        b = birthday(self.persons[a.iin]["birth"], ADULT_AGE)
        if not (a.start < b and (a.end is None or a.end >= b)):
            return
        adult = sorted(i for i, d in self.districts.items()
                       if d["org"] == a.org and d["kind"] != "pediatrician")
        a.ageout_done = True
        if not adult:
            return  # stays
        chosen = self.choose_district(adult, b, notwithstanding=True, planned=False)
        new = Attachment(a.iin, a.org, chosen, b, a.end)
        new.ageout_done = True
        new.ended_by, new.end_before = a.ended_by, a.end_before
        a.end, a.ended_by = b - ONE_DAY, None
        self.attachments.append(new)

    def start_attachment(self, iin, org_id, district_id, effective):
        """DOMAIN.md: "The latest approval wins: it ends the person's other attachments the
        day before it starts and cancels those that would start later." (J18)"""
        new = Attachment(iin, org_id, district_id, effective)
        self.changed()
        for a in self.attachments:
            if a.iin != iin or a.cancelled:
                continue
            if a.start >= effective:
                a.cancelled = True
                for old in self.attachments:
                    if old.ended_by is a:
                        old.ended_by = new  # the new approval is now the move that detaches
            elif a.end is None or a.end >= effective:
                a.ended_by, a.end_before = new, a.end
                a.end = effective - ONE_DAY
        self.add(new)

    def end_from(self, a, day):
        """J17: unattached from `day` on."""
        self.changed()
        if a.start >= day:
            self.cancel(a)
        elif a.end is None or a.end >= day:
            a.end = day - ONE_DAY
            a.ended_by = None

    def cancel(self, a):
        """A cancelled pending move never starts, so it detaches no one: the attachment it
        would have ended keeps its former end (J21; glossary: detachment is "automatic when a
        new one starts"; "until then the old organisation serves the person")."""
        self.changed()
        a.cancelled = True
        for old in self.attachments:
            if old.ended_by is a and not old.cancelled:
                old.end, old.ended_by = old.end_before, None

    def death(self, iin, day):
        """DOMAIN.md: "from the death date the person is unattached and the place is free;
        pending moves are cancelled"."""
        person = self.persons.get(iin)
        if person is None:
            return
        if person["deceased"] is None or day < person["deceased"]:
            person["deceased"] = day
        for a in self.attachments:
            if a.iin == iin and not a.cancelled:
                self.end_from(a, day)

    def org_close(self, org_id, day, successor):
        org = self.orgs.get(org_id)
        if org is None:
            return
        if org["closed"] is None or day < org["closed"]:
            org["closed"] = day
        affected = [a for a in self.attachments
                    if a.org == org_id and not a.cancelled and (a.end is None or a.end >= day)]
        affected.sort(key=lambda a: (a.iin, a.start))
        for a in affected:
            self.changed()
            start = max(a.start, day)
            chosen = None
            if successor is not None and successor in self.orgs:
                # Reorganisation: "its people are attached to the successor, spread over its
                # fitting districts by most free places, capacity notwithstanding ... pending
                # moves into the closed organisation move to the successor. People are taken
                # in IIN order." (J16)
                age = age_on(self.persons[a.iin]["birth"], start)
                fitting = self.fitting_districts(successor, age)
                if fitting:
                    chosen = self.choose_district(fitting, start, notwithstanding=True)
            if chosen is None:
                # Liquidation: "from that date its people are unattached ...; pending moves
                # into it are cancelled."
                self.end_from(a, day)
                continue
            moved = Attachment(a.iin, successor, chosen, start, a.end)
            moved.ended_by, moved.end_before = a.ended_by, a.end_before
            if a.start >= day:
                a.cancelled = True
            else:
                a.end, a.ended_by = day - ONE_DAY, None
            for old in self.attachments:
                if old.ended_by is a:
                    # A pending move still happens, into the successor (J21).  A move that
                    # has already started has detached `old` for good: cancelling its
                    # continuation in the successor (e.g. the successor is liquidated the
                    # same day) must not bring `old` back.
                    old.ended_by = moved if a.start >= day else None
            self.add(moved)
        self.changed()


# --------------------------------------------------------------------------- the rules
PAPER_PERSON_CATEGORIES = {"pensioner", "disabled", "conscript", "convict", "born_abroad",
                           "institution_ward", "student"}
PAPER_APPLICANT_CATEGORIES = {"disabled_child_representative", "foster_carer"}


def insurance_valid(person, day, kinds):
    ins = person.get("insurance")
    if not ins or ins.get("kind") not in kinds:
        return False
    return parse_date(ins["from"]) <= day <= parse_date(ins["until"])


def rule_identity(reg, app):
    """FORMAT.md: "Identity failures stop the evaluation and are reported alone" (J3)."""
    iin = app["iin"]
    applicant = app.get("applicant", iin)
    if not iin_valid(iin) or not iin_valid(applicant):
        return "invalid_iin"
    if iin not in reg.persons or applicant not in reg.persons:
        return "unknown_person"
    person = reg.persons[iin]
    if "birth" in app and parse_date(app["birth"]) != person["birth"]:
        return "false_data"
    if "sex" in app and app["sex"] != person["sex"]:
        return "false_data"
    if person["deceased"] is not None and person["deceased"] <= app["_date"]:
        return "deceased"
    return None


def rule_consent(app):
    """DOMAIN.md: "Consent to access personal data of restricted access is required"."""
    return [] if app.get("consent", True) else ["no_consent"]


def rule_representation(reg, app, person, day):
    """DOMAIN.md, "Who applies" (J4)."""
    applicant = app.get("applicant", app["iin"])
    docs = set(app.get("documents", []))
    registered = applicant in person["representatives"]
    if age_on(person["birth"], day) < ADULT_AGE:
        # "A minor (under 18) is attached by a legal representative": the minor is not one.
        ok = applicant != app["iin"] and (registered or "representation_proof" in docs)
    else:
        ok = applicant == app["iin"] or registered or "consent_of_family_member" in docs
    return [] if ok else ["no_representation"]


def rule_channel(reg, app, person, day):
    """DOMAIN.md, "Channels": clinic_paper only for the listed categories (J5)."""
    if app["channel"] != "clinic_paper":
        return []
    applicant = reg.persons[app.get("applicant", app["iin"])]
    if (person["categories"] & PAPER_PERSON_CATEGORIES
            or insurance_valid(person, day, {"dms"})
            or applicant["categories"] & PAPER_APPLICANT_CATEGORIES):
        return []
    return ["channel_not_allowed"]


def rule_documents(app, person, day):
    """DOMAIN.md: "a convict needs the RPN commission's commission_protocol; basis
    temporary_residence needs residence_proof ...; a student under 18 on paper needs
    rector_letter." (J6)"""
    docs = set(app.get("documents", []))
    cats = person["categories"]
    missing = False
    if "convict" in cats and "commission_protocol" not in docs:
        missing = True
    if app["basis"] == "temporary_residence" and "residence_proof" not in docs:
        missing = True
    if ("student" in cats and age_on(person["birth"], day) < ADULT_AGE
            and app["channel"] == "clinic_paper" and "rector_letter" not in docs):
        missing = True
    return ["missing_documents"] if missing else []


def rule_eligibility(person, day):
    """DOMAIN.md: temporary and eaeu_migrant "only with a DMS or VMS policy valid on the
    application date"."""
    if person["status"] in ("temporary", "eaeu_migrant") and not insurance_valid(
            person, day, {"dms", "vms"}):
        return ["not_eligible"]
    return []


def rule_organisation(reg, org, day):
    """DOMAIN.md: "It must hold a PHC licence, have a contract with the Fund and not be closed
    on the application date."  FORMAT.md: an unknown organisation is org_not_eligible."""
    if org is None or not org["license"] or not org["contract"] or reg.org_closed_on(org, day):
        return ["org_not_eligible"]
    return []


def rule_territory(org, person, day):
    """DOMAIN.md, "Territory" (J7, J8)."""
    if org is None:
        return []
    ate = person["ate"]
    cats = person["categories"]
    if "convict" in cats:
        allowed = {ate.get("custody")}
    elif "conscript" in cats:
        allowed = {ate.get("deployment")}
    elif "pregnant" in cats or age_on(person["birth"], day) < 5:
        allowed = {ate.get("residence")}
    else:
        allowed = {ate.get(k) for k in ("registration", "residence", "temporary", "work", "study")}
    allowed.discard(None)
    return [] if org["ate"] in allowed else ["territory"]


def classify(current, pending, org_id, district_id, basis, day):
    """DOMAIN.md: "Applying to the organisation one is attached to (or will be on a pending
    date) with no district, or the same district, is already_attached. Choosing another
    district of one's own organisation is a change of doctor: allowed at any time, effective
    at once" (J9).  Returns (kind, effective date) with kind one of already_attached,
    change_of_doctor, new.

    J10: "The change takes effect on 1 January of the next year" for a free choice by an
    attached person; an unattached person: "it takes effect on the application date"; other
    bases: "effective on the application date".  A change of doctor inside the organisation
    of a pending attachment takes effect when that attachment starts (it cannot be "at once"
    in an organisation that does not serve the person yet)."""
    if current is not None and current.org == org_id:
        if district_id is None or district_id == current.district:
            return "already_attached", day
        return "change_of_doctor", day
    for p in pending:
        if p.org == org_id:
            if district_id is None or district_id == p.district:
                return "already_attached", p.start
            return "change_of_doctor", p.start
    if current is not None and basis == "free_choice":
        return "new", Date(day.year + 1, 1, 1)
    return "new", day


def rule_wrong_district(reg, org_id, district_id, person, effective):
    """DOMAIN.md: "A district serves by age on the effective date ... a chosen district that
    does not serve the person, or is not of that organisation, is wrong_district"."""
    if district_id is None:
        return []
    d = reg.districts.get(district_id)
    if d is None or d["org"] != org_id:
        return ["wrong_district"]
    if not serves(d["kind"], age_on(person["birth"], effective)):
        return ["wrong_district"]
    return []


def basis_holds(reg, app, person, org, current, day):
    """DOMAIN.md, "Outside the campaign ... with a basis that holds in the register"."""
    basis = app["basis"]
    if basis == "first_attachment":
        return False  # "first_attachment by an attached person is invalid_basis"
    if basis == "org_closed":
        # "an organisation the person was attached to within the 365 days before the
        # application date is closed (liquidated or reorganised) on that date" (J12)
        lo, hi = day - datetime.timedelta(days=365), day - ONE_DAY
        for a in reg.attachments:
            if a.iin != person["iin"] or a.cancelled:
                continue
            if a.start <= hi and (a.end is None or a.end >= lo) and reg.org_closed_on(
                    reg.orgs[a.org], day):
                return True
        return False
    if org is None:
        # J8: "a basis that holds in the register": an organisation absent from the register
        # is in no ATE of the person, so an ATE-dependent basis does not hold.
        return False
    ate = person["ate"]
    new_ate = org["ate"]
    cur_ate = reg.orgs[current.org]["ate"]
    if basis == "residence_change":
        return new_ate in {ate.get("residence"), ate.get("registration")} - {None} \
            and cur_ate != new_ate
    if basis == "work_or_study_change":
        return new_ate in {ate.get("work"), ate.get("study")} - {None} and cur_ate != new_ate
    if basis == "temporary_residence":
        return ate.get("temporary") is not None and new_ate == ate.get("temporary")
    return False


def rule_timing(reg, app, person, org, current, kind, day):
    """DOMAIN.md, "Timing" (J9, J11)."""
    if current is None or kind != "new":
        # "A person with no attachment ... may attach at any time, on any basis"
        return []
    if app["basis"] == "free_choice":
        reasons = []
        if not reg.policy.in_campaign(day):
            reasons.append("outside_campaign")
        used = sum(1 for i, d in reg.free_choice_changes if i == app["iin"] and d.year == day.year)
        if used >= reg.policy.free_choices_per_year:
            reasons.append("too_frequent")
        return reasons
    return [] if basis_holds(reg, app, person, org, current, day) else ["invalid_basis"]


def rule_capacity(reg, app, district_id, effective, age):
    """DOMAIN.md, "Capacity" (J13, J14).  Returns (reasons, district)."""
    if district_id is not None:
        if reg.has_room_from(district_id, effective, exclude_iin=app["iin"]):
            return [], district_id
        return ["capacity_exceeded"], None
    fitting = reg.fitting_districts(app["org"], age)
    chosen = reg.choose_district(fitting, effective, exclude_iin=app["iin"])
    if chosen is None:
        return ["capacity_exceeded"], None
    return [], chosen


def evaluate(reg, app):
    """All non-identity rules.  Returns (reasons, district, effective, kind)."""
    day = app["_date"]
    person = reg.persons[app["iin"]]
    org = reg.orgs.get(app["org"])
    district_id = app.get("district")
    current = reg.attachment_on(app["iin"], day)
    pending = reg.pending_after(app["iin"], day)
    kind, effective = classify(current, pending, app["org"], district_id, app["basis"], day)

    reasons = []
    reasons += rule_consent(app)
    reasons += rule_representation(reg, app, person, day)
    reasons += rule_channel(reg, app, person, day)
    reasons += rule_documents(app, person, day)
    reasons += rule_eligibility(person, day)
    reasons += rule_organisation(reg, org, day)
    reasons += rule_territory(org, person, day)
    if kind == "already_attached":
        reasons.append("already_attached")
    reasons += rule_wrong_district(reg, app["org"], district_id, person, effective)
    reasons += rule_timing(reg, app, person, org, current, kind, day)
    if reasons:
        return sorted(set(reasons)), None, effective, kind
    # "capacity_exceeded, which is checked only when all others pass"
    cap, chosen = rule_capacity(reg, app, district_id, effective,
                                age_on(person["birth"], effective))
    return cap, chosen, effective, kind


def alternatives(reg, app):
    """DOMAIN.md: "the organisations of the same ATE that would approve the same application
    sent to them without a chosen district, by id" (excluding the one applied to)."""
    ate = reg.orgs[app["org"]]["ate"]
    out = []
    for oid in sorted(reg.orgs):
        if oid == app["org"] or reg.orgs[oid]["ate"] != ate:
            continue
        alt = dict(app, org=oid)
        alt.pop("district", None)
        reasons, _, _, _ = evaluate(reg, alt)
        if not reasons:
            out.append(oid)
    return out


def decide(reg, app):
    day = app["_date"]
    decide_by = rule_decide_by(reg.policy, day, app["channel"]).isoformat()
    failure = rule_identity(reg, app)
    if failure:
        return {"id": app["id"], "decision": "refused", "decide_by": decide_by,
                "reasons": [failure]}
    reasons, district, effective, kind = evaluate(reg, app)
    if reasons:
        out = {"id": app["id"], "decision": "refused", "decide_by": decide_by,
               "reasons": reasons}
        if "capacity_exceeded" in reasons:
            out["alternatives"] = alternatives(reg, app)
        return out
    current = reg.attachment_on(app["iin"], day)
    if (current is not None and kind == "new" and app["basis"] == "free_choice"):
        reg.free_choice_changes.append((app["iin"], day))  # J11
    reg.start_attachment(app["iin"], app["org"], district, effective)
    return {"id": app["id"], "decision": "approved", "org": app["org"], "district": district,
            "effective": effective.isoformat(), "decide_by": decide_by, "reasons": []}


def query(reg, iin, day):
    """FORMAT.md: "a later one: the plan as known at that point of the story" (J15)."""
    view = reg
    if reg.clock is None or day > reg.clock:
        view = reg.planned()
    a = view.attachment_on(iin, day)
    return {"iin": iin, "date": day.isoformat(), "org": a.org if a else None,
            "district": a.district if a else None}


# --------------------------------------------------------------------------- replay
REQUIRED = {
    "policy": [],
    "org": ["id", "ate"],
    "district": ["id", "org", "kind"],
    "person": ["iin", "birth", "sex", "status"],
    "attach": ["iin", "org", "district", "from"],
    "apply": ["id", "date", "iin", "org", "channel", "basis"],
    "death": ["iin", "date"],
    "org_close": ["org", "date"],
    "query": ["iin", "date"],
}


def run_step(reg, step):
    op = step["op"]
    reg.changed()
    if op == "policy":
        reg.policy.override(step)
    elif op == "org":
        reg.orgs[step["id"]] = {"id": step["id"], "ate": step["ate"],
                                "license": step.get("license", True),
                                "contract": step.get("contract", True),
                                "closed": None}
    elif op == "district":
        reg.districts[step["id"]] = {"id": step["id"], "org": step["org"], "kind": step["kind"],
                                     "doctors": step.get("doctors", 1),
                                     "capacity": step.get("capacity")}
    elif op == "person":
        reg.persons[step["iin"]] = {
            "iin": step["iin"], "birth": parse_date(step["birth"]), "sex": step["sex"],
            "status": step["status"], "ate": step.get("ate") or {},
            "categories": set(step.get("categories", [])),
            "insurance": step.get("insurance"),
            "representatives": list(step.get("representatives", [])),
            "deceased": parse_date(step["deceased"]) if step.get("deceased") else None}
    elif op == "attach":
        reg.add(Attachment(step["iin"], step["org"], step["district"],
                           parse_date(step["from"])))
    elif op == "apply":
        app = dict(step)
        app["_date"] = parse_date(step["date"])
        reg.advance(app["_date"])
        return decide(reg, app)
    elif op == "death":
        day = parse_date(step["date"])
        reg.advance(day)
        reg.death(step["iin"], day)
    elif op == "org_close":
        day = parse_date(step["date"])
        reg.advance(day)
        reg.org_close(step["org"], day, step.get("successor"))
    elif op == "query":
        return query(reg, step["iin"], parse_date(step["date"]))
    return None


def read_steps(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                step = json.loads(text)
            except json.JSONDecodeError as e:
                raise ScenarioError(f"{path}:{lineno}: bad JSON: {e}")
            op = step.get("op") if isinstance(step, dict) else None
            if op not in REQUIRED:
                raise ScenarioError(f"{path}:{lineno}: unknown op {op!r}")
            for field in REQUIRED[op]:
                if field not in step:
                    raise ScenarioError(f"{path}:{lineno}: {op}: missing field {field!r}")
            steps.append((lineno, step))
    return steps


def matches(expect, result):
    return all(result.get(k) == v for k, v in expect.items())


def main(argv):
    check = "--check" in argv
    frozen = "--frozen-ageout" in argv
    hold = "--plans-hold-places" in argv
    files = [a for a in argv if a not in ("--check", "--frozen-ageout", "--plans-hold-places")]
    if not files:
        print("usage: model.py [--check] FILE...", file=sys.stderr)
        return 2
    passed = failed = 0
    for path in files:
        reg = Registry(frozen_ageout=frozen, plans_hold_places=hold)
        try:
            steps = read_steps(path)
        except (OSError, ScenarioError) as e:
            print(str(e), file=sys.stderr)
            return 2
        for lineno, step in steps:
            try:
                result = run_step(reg, step)
            except (KeyError, ValueError, TypeError) as e:
                print(f"{path}:{lineno}: {e!r}", file=sys.stderr)
                return 2
            if result is None:
                continue
            print(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
            if check and "expect" in step:
                if matches(step["expect"], result):
                    passed += 1
                else:
                    failed += 1
                    print(f"{path}:{lineno}: expected {json.dumps(step['expect'])}, "
                          f"got {json.dumps(result)}", file=sys.stderr)
    if check:
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
