"""Which canteens are due for inspection, by the interval their last grade allows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from zhucan.canteens import queries as canteen_queries
from zhucan.compliance import config, grades, queries, rules
from zhucan.compliance.findings import open_findings
from zhucan.compliance.schemas import DueEntry


async def due(as_of: date) -> list[DueEntry]:
    """Active canteens whose next inspection is due on or before `as_of`, most overdue first."""
    grading = (await config.scheme()).grading
    canteens = await canteen_queries.canteens(active_only=True)
    history: dict[int, list[rules.InspectionFacts]] = defaultdict(list)
    for r in await queries.grading_facts_until(as_of):
        history[r["canteen"]].append(grades.facts(r))
    findings = await open_findings([c["id"] for c in canteens], as_of)
    entries = []
    for c in canteens:
        facts = history.get(c["id"], [])
        last = max((f.day for f in facts), default=None)
        grade = rules.annual_grade(last, facts, c["license_issued"], grading) if last else None
        # Neither inspected nor a licence date on file: nothing says it may wait.
        due_on = rules.next_due(last, grade, c["license_issued"], grading) or as_of
        if due_on > as_of:
            continue
        entries.append(
            DueEntry(
                code=c["code"],
                name=c["name"],
                last_inspection=last,
                annual_grade=grade,
                due=due_on,
                days_overdue=(as_of - due_on).days,
                status="overdue" if due_on < as_of else "due",
                open_findings=len(findings.get(c["id"], [])),
            )
        )
    return sorted(entries, key=lambda e: (e.due, e.code))
