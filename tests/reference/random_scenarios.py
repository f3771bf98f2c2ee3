#!/usr/bin/env python3
"""Random but valid conformance scenarios (FORMAT.md) for differential testing.

    python3 random_scenarios.py --seed S --out DIR --count N [--profile wide]

Each file: sometimes a `policy` step, 1-3 ATEs, 3-8 organisations (some unlicensed or without
a contract), districts of every kind with capacities 1-4 (or small norms x doctors), 10-40
persons of every status and category (children near 5 and 18, representatives, insurance
windows, a few deceased), pre-existing attachments, then 30-120 events in non-decreasing date
order over 2024-2026 (applications of every channel/basis/document mix, deaths, closures with
and without successor) interleaved with queries about past and future dates.

--profile wide (the default profile is unchanged, file for file): a policy step in most files
(campaigns for some of 2017/2024-2026, one-day campaigns, norms with `doctors` districts, extra
holidays, working Saturdays/Sundays, free_choices_per_year 0 or 2); some stories in 2017;
events on campaign first/last days and the days around them, weekends, holidays and working
weekends; conscripts, convicts (with or without custody), pregnant persons, students, carers
(disabled_child_representative / foster_carer) applying on paper for others; DMS / VMS /
expired insurance on paper; temporary_residence with and without residence_proof; org_closed
bases after closures; applications to closed, unknown organisations and unknown districts;
reorganisation chains (A into B, later B into C); deaths of representatives; queries in
1900/1990/2016/2040/2100; applicant spelled out equal to the person; declared birth/sex
mismatches; and about half "clean" applications likely to pass, so the state keeps moving.
"""

import argparse
import datetime
import json
import os
import random

Date = datetime.date

ATES = ["ALMATY", "ASTANA", "SHYMKENT", "KARAGANDA"]
STATUSES = ["citizen"] * 6 + ["kandas", "refugee", "resident", "temporary", "eaeu_migrant"]
CATEGORIES = ["pensioner", "disabled", "disabled_child_representative", "foster_carer",
              "pregnant", "student", "conscript", "convict", "born_abroad", "institution_ward"]
CHANNELS = ["egov", "egov", "mobile", "service_centre", "clinic_paper"]
BASES = ["free_choice", "free_choice", "first_attachment", "residence_change",
         "work_or_study_change", "org_closed", "temporary_residence"]
DOCUMENTS = ["residence_proof", "representation_proof", "consent_of_family_member",
             "commission_protocol", "rector_letter", "insurance_contract"]
W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def check_digit(prefix):
    d = [int(c) for c in prefix]
    r = sum(d[i] * (i + 1) for i in range(11)) % 11
    if r == 10:
        r = sum(d[i] * W2[i] for i in range(11)) % 11
        if r == 10:
            return None
    return r


def make_iin(rng, birth, sex, used):
    """A valid IIN: YYMMDD, century/sex digit, 4-digit serial, check digit."""
    century = {18: 1, 19: 3, 20: 5}[birth.year // 100] + (1 if sex == "F" else 0)
    while True:
        prefix = birth.strftime("%y%m%d") + str(century) + f"{rng.randrange(10000):04d}"
        r = check_digit(prefix)
        if r is None:
            continue  # "if r is still 10 no IIN has that prefix": pick another serial
        iin = prefix + str(r)
        if iin not in used:
            used.add(iin)
            return iin


def bad_iin(rng, iin):
    if rng.random() < 0.5:
        return iin[:11] + str((int(iin[11]) + 1 + rng.randrange(9)) % 10)
    return iin[:rng.choice([10, 11])]


def rand_date(rng, lo, hi):
    return lo + datetime.timedelta(days=rng.randrange((hi - lo).days + 1))


def iso(d):
    return d.isoformat()


def gen_policy(rng):
    step = {"op": "policy"}
    if rng.random() < 0.5:
        camps = []
        for year in (2024, 2025, 2026):
            if rng.random() < 0.5:
                start = Date(year, rng.choice([8, 9, 10]), rng.randrange(1, 28))
                end = start + datetime.timedelta(days=rng.randrange(20, 90))
                camps.append({"year": year, "start": iso(start), "end": iso(end)})
        if camps:
            step["campaigns"] = camps
    if rng.random() < 0.3:
        step["norms"] = {"gp": rng.randint(1, 3), "therapist": rng.randint(1, 3),
                         "pediatrician": rng.randint(1, 3)}
    if rng.random() < 0.3:
        step["holidays"] = [iso(rand_date(rng, Date(2024, 1, 1), Date(2026, 12, 31)))
                            for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.2:
        sats = []
        for _ in range(rng.randint(1, 3)):
            d = rand_date(rng, Date(2024, 1, 1), Date(2026, 12, 31))
            d += datetime.timedelta(days=(5 - d.weekday()) % 7)
            sats.append(iso(d))
        step["working_weekends"] = sats
    if rng.random() < 0.3:
        step["free_choices_per_year"] = rng.choice([0, 1, 2])
    return step if len(step) > 1 else None


HOLIDAY_SAMPLE = ["2024-01-01", "2024-03-08", "2024-03-21", "2024-05-09", "2024-06-16",
                  "2024-08-30", "2024-10-25", "2024-12-16", "2025-01-07", "2025-03-22",
                  "2025-06-06", "2025-07-06", "2025-08-30", "2025-10-25", "2026-03-08",
                  "2026-05-27", "2026-08-30", "2026-10-25", "2026-12-16"]


def gen_policy_wide(rng):
    """Wide profile: campaigns for some years (2017 and 2024 included), norms with districts
    given by doctors, extra holidays (often inside campaigns), working weekends,
    free_choices_per_year 0 or 2."""
    step = {"op": "policy"}
    if rng.random() < 0.6:
        camps = []
        for year in (2017, 2024, 2025, 2026):
            if rng.random() < 0.5:
                start = Date(year, rng.choice([3, 4, 8, 9, 10]), rng.randrange(1, 28))
                end = start + datetime.timedelta(days=rng.choice([0, 1, rng.randrange(10, 90)]))
                camps.append({"year": year, "start": iso(start), "end": iso(end)})
        if camps:
            step["campaigns"] = camps
    if rng.random() < 0.5:
        step["norms"] = {"gp": rng.randint(1, 3), "therapist": rng.randint(1, 3),
                         "pediatrician": rng.randint(1, 3)}
    if rng.random() < 0.4:
        hs = [iso(rand_date(rng, Date(2024, 8, 25), Date(2026, 11, 20)))
              for _ in range(rng.randint(1, 6))]
        step["holidays"] = sorted(set(hs + rng.sample(HOLIDAY_SAMPLE, 2)))
    if rng.random() < 0.3:
        sats = []
        for _ in range(rng.randint(1, 3)):
            d = rand_date(rng, Date(2024, 8, 1), Date(2026, 12, 31))
            d += datetime.timedelta(days=(5 + rng.randrange(2) - d.weekday()) % 7)
            sats.append(iso(d))
        step["working_weekends"] = sorted(set(sats))
    if rng.random() < 0.4:
        step["free_choices_per_year"] = rng.choice([0, 2])
    return step if len(step) > 1 else None


def campaign_window(policy, year):
    for c in (policy or {}).get("campaigns", []):
        if c["year"] == year:
            return Date.fromisoformat(c["start"]), Date.fromisoformat(c["end"])
    if year == 2017:
        return Date(2017, 4, 5), Date(2017, 6, 30)
    if year <= 2024:
        return Date(year, 9, 15), Date(year, 11, 15)
    return Date(year, 9, 1), Date(year, 11, 1)


def gen_scenario(rng, wide=False):
    lines = []

    def emit(step, comment=None):
        if comment:
            lines.append("# " + comment)
        lines.append(json.dumps(step, ensure_ascii=False))

    if wide:
        policy = gen_policy_wide(rng) if rng.random() < 0.75 else None
    else:
        policy = gen_policy(rng) if rng.random() < 0.4 else None
    if policy:
        emit(policy)
    small_norms = policy is not None and "norms" in policy
    # wide: some stories start in 2017 (the 2017 campaign is 5 Apr - 30 Jun)
    years = [2024, 2025, 2026]
    if wide and rng.random() < 0.2:
        years = [2017, 2017, 2018] + years

    ates = rng.sample(ATES, rng.randint(1, 3))
    orgs = []
    for i in range(rng.randint(3, 8)):
        oid = f"O{i + 1}"
        step = {"op": "org", "id": oid, "ate": rng.choice(ates)}
        if rng.random() < 0.12:
            step["license"] = False
        if rng.random() < 0.12:
            step["contract"] = False
        if rng.random() < 0.2:
            step["private"] = True
        emit(step)
        orgs.append(step)
    districts = []
    for o in orgs:
        kinds = rng.sample(["gp", "therapist", "pediatrician"], rng.randint(1, 3))
        if rng.random() < 0.3:
            kinds.append(rng.choice(["gp", "therapist", "pediatrician"]))
        counters = {}
        for kind in kinds:
            counters[kind] = counters.get(kind, 0) + 1
            did = f"{o['id']}-{kind[0].upper()}{counters[kind]}"
            step = {"op": "district", "id": did, "org": o["id"], "kind": kind}
            if small_norms and rng.random() < 0.5:
                step["doctors"] = rng.randint(1, 2)
            else:
                step["capacity"] = rng.randint(1, 4)
            emit(step)
            districts.append(step)

    story_start = Date(2024, 1, 1)
    used = set()
    persons = []
    n_persons = rng.randint(10, 40)
    for i in range(n_persons):
        r = rng.random()
        if r < 0.15:  # about to turn 18 during the story
            birth = rand_date(rng, Date(2006, 1, 1), Date(2008, 12, 31))
        elif r < 0.3:  # around 5
            birth = rand_date(rng, Date(2019, 1, 1), Date(2021, 12, 31))
        elif r < 0.4:  # young children and newborns
            birth = rand_date(rng, Date(2021, 1, 1), Date(2025, 6, 30))
        elif r < 0.5:
            birth = rand_date(rng, Date(2009, 1, 1), Date(2018, 12, 31))
        else:
            birth = rand_date(rng, Date(1940, 1, 1), Date(2005, 12, 31))
        if rng.random() < 0.03:  # leap-day births: when is the 18th (or 5th) birthday?
            birth = Date(rng.choice([2004, 2008, 2020]), 2, 29)
        sex = rng.choice("MF")
        iin_birth, iin_sex = birth, sex
        if rng.random() < 0.05:  # since 2013 an IIN need not match the birth date or sex
            iin_birth = rand_date(rng, Date(1950, 1, 1), Date(2020, 12, 31))
            iin_sex = rng.choice("MF")
        iin = make_iin(rng, iin_birth, iin_sex, used)
        status = rng.choice(STATUSES)
        ate = {}
        home = rng.choice(ates)
        if rng.random() < 0.9:
            ate["registration"] = home if rng.random() < 0.7 else rng.choice(ATES)
        if rng.random() < 0.9:
            ate["residence"] = home
        for key, p in (("temporary", 0.15), ("work", 0.3), ("study", 0.15),
                       ("deployment", 0.05), ("custody", 0.05)):
            if rng.random() < p:
                ate[key] = rng.choice(ATES)
        step = {"op": "person", "iin": iin, "birth": iso(birth), "sex": sex, "status": status,
                "ate": ate}
        if rng.random() < 0.35:
            cats = rng.sample(CATEGORIES, 1 if rng.random() < 0.85 else 2)
            step["categories"] = cats
        if wide:
            r = rng.random()
            if r < 0.1:
                step["categories"] = ["conscript"]
                ate["deployment"] = rng.choice(ATES)
            elif r < 0.2:
                step["categories"] = ["convict"]
                if rng.random() < 0.8:
                    ate["custody"] = rng.choice(ATES)
            elif r < 0.3:
                step["categories"] = ["pregnant"]
                step["sex"] = "F" if rng.random() < 0.9 else "M"
                ate["residence"] = rng.choice(ATES)
            elif r < 0.4:
                step["categories"] = [rng.choice(["disabled_child_representative", "foster_carer"])]
            elif r < 0.45:
                step["categories"] = ["student"]
            if rng.random() < 0.15:
                ate["temporary"] = rng.choice(ATES)
        if wide and (status in ("temporary", "eaeu_migrant") or rng.random() < 0.3):
            r = rng.random()
            kind = rng.choice(["dms", "vms"])
            if r < 0.3:  # expired before the story
                f = rand_date(rng, Date(2020, 1, 1), Date(2023, 6, 30))
                step["insurance"] = {"kind": kind, "from": iso(f),
                                     "until": iso(f + datetime.timedelta(days=rng.randrange(30, 180)))}
            elif r < 0.9:
                f = rand_date(rng, Date(2023, 1, 1), Date(2026, 6, 30))
                step["insurance"] = {"kind": kind, "from": iso(f),
                                     "until": iso(f + datetime.timedelta(days=rng.randrange(30, 720)))}
        elif status in ("temporary", "eaeu_migrant") or rng.random() < 0.15:
            if rng.random() < 0.8:
                f = rand_date(rng, Date(2023, 1, 1), Date(2026, 6, 30))
                step["insurance"] = {"kind": rng.choice(["dms", "vms"]), "from": iso(f),
                                     "until": iso(f + datetime.timedelta(days=rng.randrange(30, 720)))}
        if rng.random() < 0.06:
            step["deceased"] = iso(rand_date(rng, Date(2022, 1, 1), Date(2024, 6, 30)))
        persons.append(step)

    adults = [p for p in persons if p["birth"] < "2006-01-01"]
    for p in persons:
        if p["birth"] >= "2006-01-01" and adults and rng.random() < 0.85:
            p["representatives"] = [a["iin"] for a in rng.sample(adults, min(len(adults), rng.randint(1, 2)))]
        emit(p)

    # pre-existing attachments
    by_iin = {p["iin"]: p for p in persons}

    def age(p, d):
        b = Date.fromisoformat(p["birth"])
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))

    def fits(kind, a):
        return kind == "gp" or (kind == "pediatrician") == (a < 18)

    for p in persons:
        if p.get("deceased") or rng.random() < 0.4:
            continue
        b = Date.fromisoformat(p["birth"])
        hi = Date(years[0] - 1, 12, 31)
        frm = rand_date(rng, max(b, Date(hi.year - 8, 1, 1)), hi) if b < hi else None
        if frm is None:
            continue
        cands = [d for d in districts if fits(d["kind"], age(p, frm))]
        if not cands:
            continue
        d = rng.choice(cands)
        emit({"op": "attach", "iin": p["iin"], "org": d["org"], "district": d["id"], "from": iso(frm)})

    # events
    n_events = rng.randint(30, 120)
    dates = []
    for _ in range(n_events):
        r = rng.random()
        year = rng.choice(years)
        if wide and r < 0.25:  # campaign boundaries, weekends, holidays
            cs, ce = campaign_window(policy, year)
            r2 = rng.random()
            if r2 < 0.5:
                d = rng.choice([cs, ce, cs - datetime.timedelta(days=1), ce + datetime.timedelta(days=1)])
            elif r2 < 0.75:
                d = rand_date(rng, Date(year, 1, 1), Date(year, 12, 24))
                d += datetime.timedelta(days=(5 + rng.randrange(2) - d.weekday()) % 7)
            else:
                hs = [h for h in HOLIDAY_SAMPLE + (policy or {}).get("holidays", [])
                      + (policy or {}).get("working_weekends", []) if h.startswith(str(year))]
                d = Date.fromisoformat(rng.choice(hs)) if hs else Date(year, 1, 1)
            dates.append(d)
            continue
        if r < 0.45:  # around the campaigns
            d = rand_date(rng, Date(year, 8, 20), Date(year, 11, 25))
        elif r < 0.55:  # around new year
            d = rand_date(rng, Date(year, 12, 15), Date(year, 12, 31))
        else:
            d = rand_date(rng, Date(year, 1, 1), Date(year, 12, 31))
        dates.append(d)
    dates.sort()
    closed = set()
    dead = set()
    app_no = 0
    succ = {}
    for d in dates:
        r = rng.random()
        if r < 0.68:
            app_no += 1
            emit(gen_apply(rng, f"A{app_no}", d, persons, by_iin, orgs, districts, closed, age, fits,
                           wide))
        elif r < 0.73:
            alive = [p for p in persons if p["iin"] not in dead and not p.get("deceased")]
            if wide and rng.random() < 0.5:  # a representative dies
                reps = {x for p in persons for x in p.get("representatives", [])}
                alive = [p for p in alive if p["iin"] in reps] or alive
            if alive:
                p = rng.choice(alive)
                dead.add(p["iin"])
                emit({"op": "death", "iin": p["iin"], "date": iso(d)})
        elif r < 0.77:
            open_orgs = [o for o in orgs if o["id"] not in closed]
            if len(open_orgs) > 1:
                o = rng.choice(open_orgs)
                step = {"op": "org_close", "org": o["id"], "date": iso(d)}
                if wide and succ and rng.random() < 0.6:
                    # reorganisation chain: A into B, later B into C
                    heirs = [b for b in succ.values() if b not in closed]
                    heirs = [x for x in open_orgs if x["id"] in heirs]
                    if len(heirs) > 0 and len(open_orgs) > 1:
                        o = rng.choice(heirs)
                        step["org"] = o["id"]
                if rng.random() < (0.75 if wide else 0.55):
                    others = [x for x in open_orgs if x["id"] != o["id"]]
                    same = [x for x in others if x["ate"] == o["ate"]]
                    step["successor"] = rng.choice(same or others)["id"]
                    succ[o["id"]] = step["successor"]
                closed.add(o["id"])
                emit(step)
        else:
            p = rng.choice(persons)
            q = d + datetime.timedelta(days=rng.choice([-400, -60, -1, 0, 0, 1, 30, 120, 400])
                                       + rng.randint(-5, 5))
            if wide and rng.random() < 0.15:
                q = rng.choice([Date(1900, 1, 1), Date(1990, 6, 15), Date(2016, 12, 31),
                                Date(2040, 1, 1), Date(2100, 12, 31)])
            emit({"op": "query", "iin": p["iin"], "date": iso(q)})
    # a few queries at the end about the future
    for _ in range(rng.randint(1, 5)):
        p = rng.choice(persons)
        emit({"op": "query", "iin": p["iin"],
              "date": iso(rand_date(rng, Date(2024, 1, 1), Date(2028, 12, 31)))})
    return "\n".join(lines) + "\n"


def gen_apply(rng, aid, d, persons, by_iin, orgs, districts, closed, age, fits, wide=False):
    if wide:
        return gen_apply_wide(rng, aid, d, persons, by_iin, orgs, districts, closed, age, fits)
    p = rng.choice(persons)
    iin = p["iin"]
    step = {"op": "apply", "id": aid, "date": iso(d), "iin": iin}
    # organisation: mostly in one of the person's ATEs
    r = rng.random()
    if r < 0.04:
        step["org"] = "NOPE"
    else:
        mine = [o for o in orgs if o["ate"] in p["ate"].values()]
        step["org"] = rng.choice(mine if mine and rng.random() < 0.8 else orgs)["id"]
    step["channel"] = rng.choice(CHANNELS)
    step["basis"] = rng.choice(BASES)
    # district
    r = rng.random()
    if r < 0.55:
        pass
    elif r < 0.9:
        own = [x for x in districts if x["org"] == step["org"]]
        if own:
            fit = [x for x in own if fits(x["kind"], age(p, d))]
            step["district"] = rng.choice(fit if fit and rng.random() < 0.8 else own)["id"]
    elif r < 0.95:
        step["district"] = rng.choice(districts)["id"]
    else:
        step["district"] = "X-9"
    # applicant
    minor = age(p, d) < 18
    r = rng.random()
    if minor:
        reps = p.get("representatives", [])
        if reps and r < 0.75:
            step["applicant"] = rng.choice(reps)
        elif r < 0.85:
            step["applicant"] = rng.choice(persons)["iin"]
        # else the minor applies alone
    else:
        if r < 0.12:
            step["applicant"] = rng.choice(persons)["iin"]
    if rng.random() < 0.03:
        step["applicant"] = bad_iin(rng, step.get("applicant", iin))
    if rng.random() < 0.05:
        step["consent"] = False
    elif rng.random() < 0.2:
        step["consent"] = True
    # documents
    docs = []
    cats = set(p.get("categories", []))
    if "convict" in cats and rng.random() < 0.7:
        docs.append("commission_protocol")
    if step["basis"] == "temporary_residence" and rng.random() < 0.75:
        docs.append("residence_proof")
    if "student" in cats and rng.random() < 0.6:
        docs.append("rector_letter")
    if "applicant" in step and rng.random() < 0.6:
        docs.append("representation_proof" if minor else "consent_of_family_member")
    if rng.random() < 0.1:
        docs.append(rng.choice(DOCUMENTS))
    if docs:
        step["documents"] = sorted(set(docs))
    # declared data and broken identities
    r = rng.random()
    if r < 0.15:
        step["birth"] = p["birth"]
        step["sex"] = p["sex"]
    elif r < 0.2:
        b = Date.fromisoformat(p["birth"]) + datetime.timedelta(days=rng.choice([-1, 1, 365]))
        step["birth"] = iso(b)
    elif r < 0.22:
        step["sex"] = "F" if p["sex"] == "M" else "M"
    r = rng.random()
    if r < 0.03:
        step["iin"] = bad_iin(rng, iin)
    elif r < 0.05:
        # a valid IIN that is not in the register
        b = Date(1980 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
        step["iin"] = make_iin(rng, b, rng.choice("MF"), set(by_iin))
    return step


def gen_apply_wide(rng, aid, d, persons, by_iin, orgs, districts, closed, age, fits):
    step = gen_apply(rng, aid, d, persons, by_iin, orgs, districts, closed, age, fits)
    p = by_iin.get(step["iin"])
    if p is None:
        return step
    minor = age(p, d) < 18
    if rng.random() < 0.45:  # a clean application, likely to pass: exercises the state
        for k in ("birth", "sex", "consent", "district"):
            step.pop(k, None)
        step["iin"] = p["iin"]
        if minor and p.get("representatives"):
            step["applicant"] = rng.choice(p["representatives"])
        else:
            step.pop("applicant", None)
        cats = set(p.get("categories", []))
        key = ("custody" if "convict" in cats else "deployment" if "conscript" in cats
               else "residence" if "pregnant" in cats or age(p, d) < 5 else None)
        places = [p["ate"].get(key)] if key else list(p["ate"].values())
        mine = [o for o in orgs if o["ate"] in places and o["id"] not in closed
                and o.get("license", True) and o.get("contract", True)]
        if mine:
            step["org"] = rng.choice(mine)["id"]
        step["channel"] = rng.choice(["egov", "mobile", "service_centre"])
        step["basis"] = rng.choice(["free_choice", "free_choice", "first_attachment",
                                    "residence_change", "work_or_study_change", "org_closed"])
        docs = {"commission_protocol"} if "convict" in cats else set()
        if docs:
            step["documents"] = sorted(docs)
        else:
            step.pop("documents", None)
        if rng.random() < 0.3:
            own = [x for x in districts if x["org"] == step["org"]]
            if own:
                step["district"] = rng.choice(own)["id"]
        return step
    r = rng.random()
    if r < 0.1:  # applicant equal to the person, spelled out
        step["applicant"] = p["iin"]
    elif r < 0.3:  # a disabled child's representative / foster carer applies on paper
        carers = [x for x in persons if set(x.get("categories", [])) &
                  {"disabled_child_representative", "foster_carer"}]
        if carers:
            step["applicant"] = rng.choice(carers)["iin"]
            step["channel"] = "clinic_paper"
            docs = set(step.get("documents", []))
            if rng.random() < 0.7:
                docs.add("representation_proof" if minor else "consent_of_family_member")
            step["documents"] = sorted(docs)
    elif r < 0.4 and p.get("insurance"):  # DMS vs VMS vs expired on paper
        step["channel"] = "clinic_paper"
        if rng.random() < 0.5:
            step["documents"] = sorted(set(step.get("documents", [])) | {"insurance_contract"})
    r = rng.random()
    if r < 0.15:
        step["basis"] = "org_closed"
    elif r < 0.25:
        step["basis"] = "temporary_residence"
        docs = set(step.get("documents", []))
        if rng.random() < 0.5:
            docs.add("residence_proof")
        else:
            docs.discard("residence_proof")
        if docs:
            step["documents"] = sorted(docs)
        else:
            step.pop("documents", None)
        if p["ate"].get("temporary") and rng.random() < 0.7:
            tmp = [o for o in orgs if o["ate"] == p["ate"]["temporary"]]
            if tmp:
                step["org"] = rng.choice(tmp)["id"]
                step.pop("district", None)
    elif r < 0.3 and closed:  # apply to a closed organisation
        step["org"] = rng.choice(sorted(closed))
    elif r < 0.33:
        step["district"] = "NOPE-1"
    r = rng.random()
    if r < 0.05:  # declared birth/sex mismatches
        step["birth"] = iso(Date.fromisoformat(p["birth"]) + datetime.timedelta(days=rng.choice([-366, 1])))
    elif r < 0.1:
        step["sex"] = "F" if p["sex"] == "M" else "M"
        step["birth"] = p["birth"]
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--profile", choices=["default", "wide"], default="default",
                    help="wide: policy overrides, boundary/holiday dates, paper carers, "
                         "territory categories, reorganisation chains, far queries, ...")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        rng = random.Random(f"{args.seed}-{i}")
        wide = args.profile == "wide"
        path = os.path.join(args.out, f"{'wide' if wide else 'random'}_{args.seed}_{i:04d}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(gen_scenario(rng, wide))


if __name__ == "__main__":
    main()
