"""Three years of inspections for the demo district, showing the road to no grade C: canteens
start between rectifying and A and improve at every visit, visited as often as the due rules say."""

from __future__ import annotations

import random
from datetime import date, timedelta

from zhucan.access import Role, Staff
from zhucan.canteens import queries as canteen_queries
from zhucan.compliance import config, queries, rules
from zhucan.compliance.inspections import file_inspection
from zhucan.compliance.schemas import InspectionIn, ItemResultIn
from zhucan.people import queries as people

YEARS = 3
FIRST_SCORES = [66, 72, 57, 80, 86, 63, 77, 70, 91, 68]  # by canteen, in code order
IMPROVEMENT = 5  # points a canteen gains at each visit after rectifying its findings
BEST = 98
REINSPECT_AFTER_DAYS = 30


def _failed_items(rng: random.Random, items: list, score: int) -> set[str]:
    """Non-key items whose points add up to at most 100 − score, drawn at random."""
    deficit = 100 - score
    failed = set()
    for item in rng.sample(items, len(items)):
        if item.points <= deficit:
            failed.add(item.code)
            deficit -= item.points
    return failed


async def load_history(today: date, inspector_usernames: list[str]) -> int:
    """File the history unless any inspection exists (a second demo run adds nothing)."""
    if await queries.any_inspection():
        return 0
    doc = await config.scheme()
    minor = [i for i in doc.item if not i.key]
    row = (await people.staff_accounts(inspector_usernames[:1]))[inspector_usernames[0]]
    filer = Staff(id=row["id"], username=row["username"], role=Role.INSPECTOR)
    canteens = await canteen_queries.canteens(active_only=True)
    filed = 0
    for n, canteen in enumerate(canteens):
        rng = random.Random(canteen["code"])
        day = today - timedelta(days=365 * YEARS)
        if canteen["license_issued"] is not None:
            day = max(day, canteen["license_issued"] + timedelta(days=60))
        score = FIRST_SCORES[n % len(FIRST_SCORES)]
        kind = "routine"
        while day <= today:
            failed = _failed_items(rng, minor, score)
            result = await file_inspection(
                canteen["code"],
                InspectionIn(
                    date=day,
                    kind=kind,
                    inspectors=inspector_usernames,
                    results=[
                        ItemResultIn(item=i.code, verdict="fail" if i.code in failed else "pass")
                        for i in doc.item
                    ],
                    notes="演示数据",
                ),
                filer,
                today,
            )
            filed += 1
            score = min(BEST, score + IMPROVEMENT)
            if result.dynamic_grade in ("fair", "ungraded"):
                kind, day = "reinspection", day + timedelta(days=REINSPECT_AFTER_DAYS)
                continue
            kind = "random" if rng.random() < 0.3 else "routine"
            day = rules.next_due(day, result.annual_grade, canteen["license_issued"], doc.grading)
    return filed
