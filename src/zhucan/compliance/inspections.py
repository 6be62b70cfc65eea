"""Inspections: checking a filled-in checklist, scoring it, filing it with its findings, and
reading a canteen's inspections back."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from zhucan.access import Role, Staff, role_label
from zhucan.audit import service as audit
from zhucan.canteens import service as canteens
from zhucan.compliance import config, grades, queries, rules
from zhucan.compliance.findings import finding_out
from zhucan.compliance.schemas import (
    ChecklistFile,
    FindingOut,
    InspectionIn,
    InspectionOut,
    ItemResultIn,
    PreviewFinding,
    ScorePreviewIn,
    ScorePreviewOut,
)
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict
from zhucan.people import queries as people


async def _check_inspectors(usernames: list[str], canteen_code: str) -> None:
    duplicated = rules.repeated(usernames)
    if duplicated:
        raise BadInput(f"inspectors：检查员重复：{'、'.join(duplicated)}", field="inspectors")
    found = await people.staff_accounts(usernames)
    unknown = [u for u in usernames if u not in found]
    if unknown:
        raise BadInput(f"inspectors：没有这些账号：{'、'.join(unknown)}", field="inspectors")
    own_staff = [u for u in usernames if found[u]["canteen_code"] == canteen_code]
    if own_staff:
        raise BadInput(
            f"inspectors：{'、'.join(own_staff)} 是食堂 {canteen_code} 的工作人员，不能检查本食堂",
            field="inspectors",
        )
    not_inspectors = [
        u for u in usernames if found[u]["role"] != Role.INSPECTOR or not found[u]["active"]
    ]
    if not_inspectors:
        names = "、".join(f"{u}（{role_label(found[u]['role'])}）" for u in not_inspectors)
        raise BadInput(f"inspectors：{names} 不是在职的检查员", field="inspectors")


def _scored_results(
    results: list[ItemResultIn],
    doc: ChecklistFile,
    complete: bool = True,
) -> list[tuple[str, rules.ItemResult]]:
    """Each given verdict checked against the checklist; `complete` also requires every item."""
    items = {i.code: i for i in doc.item}
    given = [r.item for r in results]
    unknown = [c for c in given if c not in items]
    if unknown:
        raise BadInput(f"results：检查表中没有检查项 {'、'.join(unknown)}", field="results")
    duplicated = rules.repeated(given)
    if duplicated:
        raise BadInput(
            f"results：检查项 {'、'.join(duplicated)} 给出了不止一个结论", field="results"
        )
    missing = [c for c in items if c not in given]
    if complete and missing:
        raise BadInput(f"results：缺少检查项 {'、'.join(missing)} 的结论", field="results")
    scored = []
    for r in results:
        item = items[r.item]
        if r.points is not None and r.verdict != "fail":
            raise BadInput(
                f"results：检查项 {r.item} 的 points 只用于不合格项的部分得分", field="results"
            )
        partial = Decimal(str(r.points or 0))
        if partial >= item.points:
            raise BadInput(
                f"results：检查项 {r.item} 不合格，部分得分须小于该项分值 {item.points}",
                field="results",
            )
        scored.append(
            (
                r.item,
                rules.ItemResult(
                    points=item.points, key=item.key, verdict=r.verdict, partial=partial
                ),
            )
        )
    return scored


async def file_inspection(
    code: str,
    data: InspectionIn,
    staff: Staff,
    today: date,
) -> InspectionOut:
    canteen = await canteens.require(code)
    if data.date > today:
        raise BadInput("date：检查日期不能晚于今天", field="date")
    await _check_inspectors(data.inspectors, code)
    doc = await config.scheme()
    scored = _scored_results(data.results, doc)
    try:
        score = rules.inspection_score(r for _, r in scored)
    except rules.RuleViolation as exc:
        raise BadInput(str(exc), field="results") from None
    failed_keys = rules.key_failures(r for _, r in scored)
    titles = {i.code: i.title for i in doc.item}

    async def work() -> int:
        if data.kind == "reinspection" and not await queries.inspected_by(canteen["id"], data.date):
            raise Conflict("kind：复查须在该食堂已有检查之后进行", field="kind")
        dynamic = rules.dynamic_grade(score, failed_keys, doc.grading)
        inspection_id = await queries.insert_inspection(
            {
                "canteen": canteen["id"],
                "date": data.date,
                "kind": data.kind,
                "inspectors": ",".join(data.inspectors),
                "results": json.dumps(
                    [
                        {
                            "item": code_,
                            "verdict": r.verdict,
                            "points": str(r.partial),
                            "max_points": r.points,
                            "key": r.key,
                        }
                        for code_, r in scored
                    ]
                ),
                "score_tenths": int(score * 10),
                "key_failures": failed_keys,
                "dynamic_grade": dynamic,
                "incident": data.incident,
                "notes": data.notes,
                "filed_by": staff.username,
            }
        )
        passed = [c for c, r in scored if r.verdict == "pass"]
        if passed:
            await queries.resolve_passed_items(
                canteen["id"], passed, data.date, f"inspection:{inspection_id}"
            )
        failed = [(c, r) for c, r in scored if r.verdict == "fail"]
        if failed:
            await queries.insert_findings(
                [
                    {
                        "canteen": canteen["id"],
                        "inspection": inspection_id,
                        "item": c,
                        "title": titles[c],
                        "key": r.key,
                        "opened_on": data.date,
                        "deadline": rules.finding_deadline(data.date, r.key, doc.grading),
                    }
                    for c, r in failed
                ]
            )
        await audit.record(
            staff.username,
            "inspection.file",
            f"canteen:{code}",
            {
                "inspection_id": inspection_id,
                "date": data.date,
                "kind": data.kind,
                "score": str(score),
                "dynamic_grade": dynamic,
            },
        )
        return inspection_id

    inspection_id = await write_transaction(work)
    return (await _inspections_of(canteen, today, only=inspection_id))[0]


async def preview(data: ScorePreviewIn, today: date) -> ScorePreviewOut:
    """Score, dynamic grade and findings of a partly ticked checklist, by the same rules as
    file_inspection, so the inspector's tablet never grades by rules of its own."""
    doc = await config.scheme()
    scored = _scored_results(data.results, doc, complete=False)
    results = [r for _, r in scored]
    failed_keys = rules.key_failures(results)
    applicable = any(r.verdict != "na" for r in results)
    score = rules.inspection_score(results) if applicable else None
    day = data.date or today
    titles = {i.code: i.title for i in doc.item}
    given = {c for c, _ in scored}
    return ScorePreviewOut(
        answered=len(scored),
        items=len(doc.item),
        missing=[i.code for i in doc.item if i.code not in given],
        score=None if score is None else float(score),
        key_failures=failed_keys,
        dynamic_grade=None
        if score is None
        else rules.dynamic_grade(score, failed_keys, doc.grading),
        findings=[
            PreviewFinding(
                item=c,
                title=titles[c],
                key=r.key,
                deadline=rules.finding_deadline(day, r.key, doc.grading),
            )
            for c, r in scored
            if r.verdict == "fail"
        ],
    )


async def _inspections_of(
    canteen: dict,
    today: date,
    only: int | None = None,
) -> list[InspectionOut]:
    rows = await queries.inspections_of(canteen["id"], only)
    grading = (await config.scheme()).grading
    history = (
        [grades.facts(r) for r in await queries.grading_history(canteen["id"], today)]
        if rows
        else []
    )
    findings: dict[int, list[FindingOut]] = defaultdict(list)
    for f in await queries.findings_of_inspections([r["id"] for r in rows]):
        findings[f["inspection"]].append(finding_out(f, today))
    return [
        InspectionOut(
            inspection_id=r["id"],
            canteen=canteen["code"],
            date=r["date"],
            kind=r["kind"],
            inspectors=r["inspectors"].split(","),
            score=grades.score(r["score_tenths"]),
            key_failures=r["key_failures"],
            dynamic_grade=r["dynamic_grade"],
            annual_grade=rules.annual_grade(r["date"], history, canteen["license_issued"], grading),
            incident=r["incident"],
            notes=r["notes"],
            findings=findings[r["id"]],
        )
        for r in rows
    ]


async def inspections(code: str, today: date) -> list[InspectionOut]:
    return await _inspections_of(await canteens.require(code), today)
