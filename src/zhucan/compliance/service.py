"""Inspections, findings, grades, camera alerts, sunshine levels and the compliance views."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from zhucan.access import Staff, role_label
from zhucan.audit import service as audit
from zhucan.canteens.schemas import Grade
from zhucan.canteens.tables import Canteen
from zhucan.clock import now_utc
from zhucan.compliance import rules
from zhucan.compliance.schemas import (
    AlertIn,
    AlertMonth,
    AlertOut,
    Assignment,
    AttentionCanteen,
    ChecklistFile,
    ChecklistItemOut,
    ComplianceSummary,
    DueEntry,
    ExpiryEntry,
    FindingOut,
    GradeHistoryEntry,
    InspectionIn,
    InspectionOut,
    ItemResultIn,
    PreviewFinding,
    RandomPlanIn,
    RandomPlanOut,
    ResolveIn,
    ScorePreviewIn,
    ScorePreviewOut,
    SunshineChangeOut,
    TargetsFile,
)
from zhucan.compliance.tables import (
    CameraAlert,
    ComplianceConfig,
    Finding,
    Inspection,
    RandomPlan,
    SunshineChange,
)
from zhucan.data_files import DataFileError, read_toml, validate
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, Forbidden, NotFound
from zhucan.people.tables import StaffUser
from zhucan.settings import PROJECT_ROOT

# A database nobody has loaded kitchens/ into still grades by the scheme shipped with zhucan.
BUNDLED = {
    "checklist": PROJECT_ROOT / "kitchens" / "checklist.toml",
    "targets": PROJECT_ROOT / "kitchens" / "targets.toml",
}
EXPIRY_NOTICE_DAYS = 30

# ---------------------------------------------------------------- the scheme (data files)


def read_checklist(path: Path) -> ChecklistFile:
    doc = validate(path, ChecklistFile, read_toml(path))
    problems = rules.checklist_problems([(i.code, i.points, i.key) for i in doc.item])
    categories = {c.code for c in doc.category}
    problems += [
        f"item.{n}.category：未知的检查类别 {i.category}（须是 {'、'.join(sorted(categories))} 之一）"
        for n, i in enumerate(doc.item)
        if i.category not in categories
    ]
    if problems:
        raise DataFileError(f"{path}: 字段 {problems[0]}")
    return doc


def read_targets(path: Path) -> TargetsFile:
    return validate(path, TargetsFile, read_toml(path))


async def _store_config(name: str, body: str) -> int:
    row = (
        await ComplianceConfig.select(ComplianceConfig.body)
        .where(ComplianceConfig.name == name)
        .first()
    )
    if row is not None and row["body"] == body:
        return 0
    if row is None:
        await ComplianceConfig.insert(
            ComplianceConfig(name=name, body=body, updated_at=now_utc())
        ).run()
    else:
        await (
            ComplianceConfig.update(
                {ComplianceConfig.body: body, ComplianceConfig.updated_at: now_utc()}
            )
            .where(ComplianceConfig.name == name)
            .run()
        )
    return 1


async def load_checklist_file(path: Path) -> int:
    """kitchens/checklist.toml → the checklist and grading numbers inspections are scored by."""
    return await _store_config("checklist", read_checklist(path).model_dump_json())


async def load_targets_file(path: Path) -> int:
    """kitchens/targets.toml → the yearly compliance targets (its other tables are not ours)."""
    doc = read_targets(path)
    return await _store_config(
        "targets",
        json.dumps(
            {str(y): t.model_dump(exclude_none=True) for y, t in doc.compliance.items()},
            sort_keys=True,
        ),
    )


async def _config_body(name: str) -> str | None:
    row = (
        await ComplianceConfig.select(ComplianceConfig.body)
        .where(ComplianceConfig.name == name)
        .first()
    )
    return None if row is None else row["body"]


async def scheme() -> ChecklistFile:
    body = await _config_body("checklist")
    if body is None:
        return read_checklist(BUNDLED["checklist"])
    return ChecklistFile.model_validate_json(body)


async def targets() -> dict[int, rules.YearTargets]:
    body = await _config_body("targets")
    if body is None:
        return read_targets(BUNDLED["targets"]).compliance
    return {int(y): rules.YearTargets.model_validate(t) for y, t in json.loads(body).items()}


async def checklist() -> list[ChecklistItemOut]:
    doc = await scheme()
    names = {c.code: c.name for c in doc.category}
    return [
        ChecklistItemOut(
            code=i.code,
            category=i.category,
            category_name=names[i.category],
            title=i.title,
            points=i.points,
            key=i.key,
        )
        for i in doc.item
    ]


# ---------------------------------------------------------------- helpers


def _day(value) -> date:
    """Raw SQL gives SQLite's dates back as ISO text and PostgreSQL's as dates."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _in(ids: list[int]) -> str:
    return ", ".join("{}" for _ in ids)


async def _canteen(code: str) -> dict:
    row = (
        await Canteen.select(Canteen.id, Canteen.code, Canteen.name, Canteen.license_issued)
        .where(Canteen.code == code)
        .first()
    )
    if row is None:
        raise NotFound(f"没有编号为 {code} 的食堂")
    return row


def _score(tenths: int) -> float:
    return tenths / 10


def _facts(row: dict) -> rules.InspectionFacts:
    return rules.InspectionFacts(
        day=_day(row["date"]),
        score_tenths=row["score_tenths"],
        key_failures=row["key_failures"],
        incident=bool(row["incident"]),
    )


# ---------------------------------------------------------------- grades of many canteens


async def grades(ids: list[int], as_of: date) -> dict[int, Grade]:
    """The grade of each canteen as of a day, in three grouped queries whatever the count."""
    if not ids:
        return {}
    grading = (await scheme()).grading
    window = await Inspection.raw(
        "SELECT i.canteen AS canteen_id, c.license_issued AS license_issued, COUNT(*) AS n, "
        "SUM(i.score_tenths) AS score_sum, "
        "MAX(CASE WHEN i.key_failures >= {} OR i.incident THEN 1 ELSE 0 END) AS capped "
        "FROM inspection i JOIN canteen c ON c.id = i.canteen "
        f"WHERE i.date >= {{}} AND i.date <= {{}} AND i.canteen IN ({_in(ids)}) "
        "GROUP BY i.canteen, c.license_issued",
        grading.ungraded_key_failures,
        rules.window_start(as_of, grading),
        as_of,
        *ids,
    )
    latest = await _latest_inspections(ids, as_of)
    alerts = await _alert_counts(ids, as_of.strftime("%Y-%m"))
    annual = {
        r["canteen_id"]: rules.window_grade(
            int(r["score_sum"]),
            r["n"],
            bool(r["capped"]),
            rules.licence_too_new(_day(r["license_issued"]), as_of, grading),
            grading,
        )
        for r in window
    }
    result = {}
    for canteen_id in ids:
        last = latest.get(canteen_id)
        result[canteen_id] = Grade(
            annual=annual.get(canteen_id),
            as_of=as_of,
            dynamic=last["dynamic_grade"] if last else None,
            score=_score(last["score_tenths"]) if last else None,
            camera_alerts_month=alerts.get(canteen_id, 0),
        )
    return result


async def _latest_inspections(ids: list[int], as_of: date) -> dict[int, dict]:
    rows = await Inspection.raw(
        "SELECT canteen_id, score_tenths, dynamic_grade, inspectors FROM ("
        "SELECT canteen AS canteen_id, score_tenths, dynamic_grade, inspectors, "
        "ROW_NUMBER() OVER (PARTITION BY canteen ORDER BY date DESC, id DESC) AS rn "
        f"FROM inspection WHERE date <= {{}} AND canteen IN ({_in(ids)})) latest WHERE rn = 1",
        as_of,
        *ids,
    )
    return {r["canteen_id"]: r for r in rows}


async def _alert_counts(ids: list[int], month: str) -> dict[int, int]:
    rows = await CameraAlert.raw(
        "SELECT canteen AS canteen_id, COUNT(*) AS n FROM camera_alert "
        f"WHERE month = {{}} AND canteen IN ({_in(ids)}) GROUP BY canteen",
        month,
        *ids,
    )
    return {r["canteen_id"]: r["n"] for r in rows}


# ---------------------------------------------------------------- findings


def _finding_out(row: dict, as_of: date) -> FindingOut:
    resolved_on = row["resolved_on"] if row["resolved_on"] and row["resolved_on"] <= as_of else None
    return FindingOut(
        item=row["item"],
        title=row["title"],
        key=row["key"],
        opened_on=row["opened_on"],
        deadline=row["deadline"],
        status=rules.finding_status(row["deadline"], resolved_on, as_of),
        resolved_on=resolved_on,
        resolved_by=row["resolved_by"] if resolved_on else "",
        inspection_id=row["inspection"],
    )


FINDING_COLUMNS = [
    Finding.canteen,
    Finding.inspection,
    Finding.item,
    Finding.title,
    Finding.key,
    Finding.opened_on,
    Finding.deadline,
    Finding.resolved_on,
    Finding.resolved_by,
]


async def open_findings(ids: list[int], as_of: date) -> dict[int, list[FindingOut]]:
    """Findings opened by `as_of` and not resolved by then, per canteen, oldest deadline first."""
    if not ids:
        return {}
    rows = (
        await Finding.select(*FINDING_COLUMNS)
        .where(
            Finding.canteen.is_in(ids)
            & (Finding.opened_on <= as_of)
            & (Finding.resolved_on.is_null() | (Finding.resolved_on > as_of)),
        )
        .order_by(Finding.deadline)
        .order_by(Finding.item)
    )
    result: dict[int, list[FindingOut]] = defaultdict(list)
    for r in rows:
        result[r["canteen"]].append(_finding_out(r, as_of))
    return result


async def resolve(
    code: str,
    item: str,
    data: ResolveIn,
    staff: Staff,
    today: date,
) -> list[FindingOut]:
    """An inspector closes the open findings of one checklist item at a canteen."""
    canteen = await _canteen(code)
    day = data.date or today
    if day > today:
        raise BadInput("date：整改完成日期不能晚于今天", field="date")

    async def work() -> list[FindingOut]:
        where = (
            (Finding.canteen == canteen["id"])
            & (Finding.item == item)
            & Finding.resolved_on.is_null()
        )
        rows = await Finding.select(Finding.id, Finding.opened_on).where(where)
        if not rows:
            if item not in {i.code for i in (await scheme()).item}:
                raise NotFound(f"检查表中没有检查项 {item}")
            raise Conflict(f"食堂 {code} 的检查项 {item} 没有待整改的问题")
        opened = max(r["opened_on"] for r in rows)
        if day < opened:
            raise BadInput(
                f"date：整改完成日期不能早于问题发现日期 {opened.isoformat()}", field="date"
            )
        await (
            Finding.update({Finding.resolved_on: day, Finding.resolved_by: staff.username})
            .where(Finding.id.is_in([r["id"] for r in rows]))
            .run()
        )
        resolved = (
            await Finding.select(*FINDING_COLUMNS)
            .where(Finding.id.is_in([r["id"] for r in rows]))
            .order_by(Finding.opened_on)
        )
        return [_finding_out(r, today) for r in resolved]

    return await write_transaction(work)


# ---------------------------------------------------------------- inspections


async def _check_inspectors(usernames: list[str], canteen_code: str) -> None:
    duplicated = rules.repeated(usernames)
    if duplicated:
        raise BadInput(f"inspectors：检查员重复：{'、'.join(duplicated)}", field="inspectors")
    rows = await StaffUser.select(
        StaffUser.username,
        StaffUser.role,
        StaffUser.active,
        StaffUser.canteen.code.as_alias("canteen_code"),
    ).where(StaffUser.username.is_in(usernames))
    found = {r["username"]: r for r in rows}
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
        u for u in usernames if found[u]["role"] != "inspector" or not found[u]["active"]
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


async def _history_facts(canteen_id: int, until: date) -> list[dict]:
    return (
        await Inspection.select(
            Inspection.id,
            Inspection.date,
            Inspection.kind,
            Inspection.score_tenths,
            Inspection.key_failures,
            Inspection.dynamic_grade,
            Inspection.incident,
        )
        .where((Inspection.canteen == canteen_id) & (Inspection.date <= until))
        .order_by(Inspection.date, ascending=False)
        .order_by(Inspection.id, ascending=False)
    )


async def file_inspection(
    code: str,
    data: InspectionIn,
    staff: Staff,
    today: date,
) -> InspectionOut:
    canteen = await _canteen(code)
    if data.date > today:
        raise BadInput("date：检查日期不能晚于今天", field="date")
    await _check_inspectors(data.inspectors, code)
    doc = await scheme()
    scored = _scored_results(data.results, doc)
    try:
        score = rules.inspection_score(r for _, r in scored)
    except rules.RuleViolation as exc:
        raise BadInput(str(exc), field="results") from None
    failed_keys = rules.key_failures(r for _, r in scored)
    titles = {i.code: i.title for i in doc.item}

    async def work() -> int:
        if data.kind == "reinspection" and not await Inspection.exists().where(
            (Inspection.canteen == canteen["id"]) & (Inspection.date <= data.date)
        ):
            raise Conflict("kind：复查须在该食堂已有检查之后进行", field="kind")
        inspection = Inspection(
            canteen=canteen["id"],
            date=data.date,
            kind=data.kind,
            inspectors=",".join(data.inspectors),
            results=json.dumps(
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
            score_tenths=int(score * 10),
            key_failures=failed_keys,
            dynamic_grade=rules.dynamic_grade(score, failed_keys, doc.grading),
            incident=data.incident,
            notes=data.notes,
            filed_by=staff.username,
            created_at=now_utc(),
        )
        await inspection.save()
        passed = [c for c, r in scored if r.verdict == "pass"]
        if passed:
            await (
                Finding.update(
                    {
                        Finding.resolved_on: data.date,
                        Finding.resolved_by: f"inspection:{inspection.id}",
                    }
                )
                .where(
                    (Finding.canteen == canteen["id"])
                    & Finding.item.is_in(passed)
                    & Finding.resolved_on.is_null()
                    & (Finding.opened_on <= data.date)
                )
                .run()
            )
        failed = [(c, r) for c, r in scored if r.verdict == "fail"]
        if failed:
            await Finding.insert(
                *[
                    Finding(
                        canteen=canteen["id"],
                        inspection=inspection.id,
                        item=c,
                        title=titles[c],
                        key=r.key,
                        opened_on=data.date,
                        deadline=rules.finding_deadline(data.date, r.key, doc.grading),
                    )
                    for c, r in failed
                ]
            ).run()
        await audit.record(
            staff.username,
            "inspection.file",
            f"canteen:{code}",
            {
                "inspection_id": inspection.id,
                "date": data.date,
                "kind": data.kind,
                "score": str(score),
                "dynamic_grade": inspection.dynamic_grade,
            },
        )
        return inspection.id

    inspection_id = await write_transaction(work)
    return (await _inspections_of(canteen, today, only=inspection_id))[0]


async def preview(data: ScorePreviewIn, today: date) -> ScorePreviewOut:
    """Score, dynamic grade and findings of a partly ticked checklist, by the same rules as
    file_inspection, so the inspector's tablet never grades by rules of its own."""
    doc = await scheme()
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
    query = Inspection.select().where(Inspection.canteen == canteen["id"])
    if only is not None:
        query = query.where(Inspection.id == only)
    rows = await query.order_by(Inspection.date, ascending=False).order_by(
        Inspection.id, ascending=False
    )
    grading = (await scheme()).grading
    facts = [_facts(r) for r in await _history_facts(canteen["id"], today)] if rows else []
    findings: dict[int, list[FindingOut]] = defaultdict(list)
    for f in (
        await Finding.select(*FINDING_COLUMNS)
        .where(Finding.inspection.is_in([r["id"] for r in rows] or [0]))
        .order_by(Finding.item)
    ):
        findings[f["inspection"]].append(_finding_out(f, today))
    return [
        InspectionOut(
            inspection_id=r["id"],
            canteen=canteen["code"],
            date=r["date"],
            kind=r["kind"],
            inspectors=r["inspectors"].split(","),
            score=_score(r["score_tenths"]),
            key_failures=r["key_failures"],
            dynamic_grade=r["dynamic_grade"],
            annual_grade=rules.annual_grade(r["date"], facts, canteen["license_issued"], grading),
            incident=r["incident"],
            notes=r["notes"],
            findings=findings[r["id"]],
        )
        for r in rows
    ]


async def inspections(code: str, today: date) -> list[InspectionOut]:
    return await _inspections_of(await _canteen(code), today)


async def grade_history(
    canteen_id: int, licence_issued: date | None, as_of: date
) -> list[GradeHistoryEntry]:
    """One entry per inspection up to `as_of`, newest first, with the annual grade it left."""
    grading = (await scheme()).grading
    rows = await _history_facts(canteen_id, as_of)
    facts = [_facts(r) for r in rows]
    return [
        GradeHistoryEntry(
            inspection_id=r["id"],
            date=r["date"],
            kind=r["kind"],
            score=_score(r["score_tenths"]),
            key_failures=r["key_failures"],
            dynamic_grade=r["dynamic_grade"],
            annual_grade=rules.annual_grade(r["date"], facts, licence_issued, grading),
            incident=r["incident"],
        )
        for r in rows
    ]


# ---------------------------------------------------------------- camera alerts, sunshine levels


async def record_alert(code: str, data: AlertIn, staff: Staff, tz: ZoneInfo) -> AlertOut:
    if staff.canteen_code != code:
        raise Forbidden(f"只能上报本食堂（{staff.canteen_code}）的摄像头告警")
    canteen = await _canteen(code)
    month = data.at.astimezone(tz).strftime("%Y-%m")

    async def work() -> tuple[int, int]:
        alert = CameraAlert(
            canteen=canteen["id"],
            kind=data.kind,
            at=data.at,
            month=month,
            camera=data.camera,
            snapshot_url=data.snapshot_url,
            created_at=now_utc(),
        )
        await alert.save()
        count = await CameraAlert.count().where(
            (CameraAlert.canteen == canteen["id"]) & (CameraAlert.month == month)
        )
        return alert.id, count

    alert_id, count = await write_transaction(work)
    return AlertOut(
        alert_id=alert_id, canteen=code, month=month, month_count=count, **data.model_dump()
    )


async def alerts_by_month(canteen_id: int, as_of: date) -> list[AlertMonth]:
    """Alert counts of the last 12 months up to `as_of`'s month, newest first, months with none
    left out."""
    first = date(as_of.year - 1, as_of.month, 1) + timedelta(days=32)
    rows = await CameraAlert.raw(
        "SELECT month, COUNT(*) AS n FROM camera_alert WHERE canteen = {} AND month >= {} "
        "AND month <= {} GROUP BY month ORDER BY month DESC",
        canteen_id,
        first.strftime("%Y-%m"),
        as_of.strftime("%Y-%m"),
    )
    return [AlertMonth(month=r["month"], count=r["n"]) for r in rows]


async def record_sunshine(canteen_id: int, level: str) -> None:
    """Remember when a canteen reached `level`; the caller's transaction, if any, carries it."""
    last = (
        await SunshineChange.select(SunshineChange.level)
        .where(SunshineChange.canteen == canteen_id)
        .order_by(SunshineChange.changed_at, ascending=False)
        .order_by(SunshineChange.id, ascending=False)
        .first()
    )
    if last is None or last["level"] != level:
        await SunshineChange.insert(
            SunshineChange(canteen=canteen_id, level=level, changed_at=now_utc())
        ).run()


async def sunshine_levels(canteens: list[dict], as_of: date, tz: ZoneInfo) -> dict[int, str]:
    """Each canteen's sunshine level at the end of `as_of` (a day in `tz`): the last change
    recorded by then, or its current level when none was (registered before levels were kept)."""
    end = datetime.combine(as_of + timedelta(days=1), time(), tz).astimezone(UTC)
    levels = {c["id"]: c["sunshine_level"] for c in canteens}
    for r in (
        await SunshineChange.select(SunshineChange.canteen, SunshineChange.level)
        .where(SunshineChange.changed_at < end)
        .order_by(SunshineChange.changed_at)
        .order_by(SunshineChange.id)
    ):
        if r["canteen"] in levels:
            levels[r["canteen"]] = r["level"]
    return levels


async def sunshine_history(canteen_id: int) -> list[SunshineChangeOut]:
    rows = (
        await SunshineChange.select(SunshineChange.level, SunshineChange.changed_at)
        .where(SunshineChange.canteen == canteen_id)
        .order_by(SunshineChange.changed_at, ascending=False)
    )
    return [SunshineChangeOut(**r) for r in rows]


# ---------------------------------------------------------------- compliance views


async def due(as_of: date) -> list[DueEntry]:
    """Active canteens whose next inspection is due on or before `as_of`, most overdue first."""
    grading = (await scheme()).grading
    canteens = await Canteen.select(
        Canteen.id, Canteen.code, Canteen.name, Canteen.license_issued
    ).where(Canteen.active.eq(True))
    history: dict[int, list[rules.InspectionFacts]] = defaultdict(list)
    for r in await Inspection.select(
        Inspection.canteen,
        Inspection.date,
        Inspection.score_tenths,
        Inspection.key_failures,
        Inspection.incident,
    ).where(Inspection.date <= as_of):
        history[r["canteen"]].append(_facts(r))
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


def _expiring(canteen: dict, as_of: date) -> list[ExpiryEntry]:
    entries = []
    for document, column in (("licence", "license_expires"), ("insurance", "insurance_expires")):
        expires = canteen[column]
        if expires is None or (expires - as_of).days <= EXPIRY_NOTICE_DAYS:
            entries.append(
                ExpiryEntry(
                    code=canteen["code"],
                    name=canteen["name"],
                    document=document,
                    expires=expires,
                    days_left=None if expires is None else (expires - as_of).days,
                )
            )
    return entries


async def summary(
    year: int | None, as_of: date | None, today: date, tz: ZoneInfo
) -> ComplianceSummary:
    if as_of is None:
        as_of = today if year is None or year >= today.year else date(year, 12, 31)
    year = year or as_of.year
    canteens = (
        await Canteen.select(
            Canteen.id,
            Canteen.code,
            Canteen.name,
            Canteen.size,
            Canteen.sunshine_level,
            Canteen.license_expires,
            Canteen.insurance_expires,
        )
        .where(Canteen.active.eq(True))
        .order_by(Canteen.code)
    )
    ids = [c["id"] for c in canteens]
    graded = await grades(ids, as_of)
    sunshine = await sunshine_levels(canteens, as_of, tz)
    counts = dict.fromkeys(("A", "B", "C", "rectifying", "ungraded"), 0)
    for g in graded.values():
        counts[g.annual or "ungraded"] += 1
    attention = [c for c in canteens if graded[c["id"]].annual in ("C", "rectifying")]
    findings = await open_findings([c["id"] for c in attention], as_of)
    large_medium = [c for c in canteens if c["size"] in ("large", "medium")]
    figures: dict[str, float | int | None] = {
        "ab_ratio": rules.ratio(
            counts["A"] + counts["B"],
            counts["A"] + counts["B"] + counts["C"] + counts["rectifying"],
        ),
        "sunshine_ratio": rules.ratio(
            sum(sunshine[c["id"]] in ("video", "smart") for c in canteens), len(canteens)
        ),
        "smart_sunshine_large_medium_ratio": rules.ratio(
            sum(sunshine[c["id"]] == "smart" for c in large_medium), len(large_medium)
        ),
        "licence_valid_ratio": rules.ratio(
            sum(
                c["license_expires"] is not None and c["license_expires"] >= as_of for c in canteens
            ),
            len(canteens),
        ),
        "insurance_valid_ratio": rules.ratio(
            sum(
                c["insurance_expires"] is not None and c["insurance_expires"] >= as_of
                for c in canteens
            ),
            len(canteens),
        ),
        "max_c_or_rectifying": counts["C"] + counts["rectifying"],
    }
    targets_year, year_targets = rules.targets_for(year, await targets())
    met = rules.targets_met(year_targets, figures)
    return ComplianceSummary(
        year=year,
        as_of=as_of,
        canteens=len(canteens),
        grades=counts,
        **{k: v for k, v in figures.items() if k != "max_c_or_rectifying"},
        c_canteens=[c["code"] for c in attention],
        c_and_rectifying=[
            AttentionCanteen(
                code=c["code"],
                name=c["name"],
                annual_grade=graded[c["id"]].annual,
                camera_alerts_month=graded[c["id"]].camera_alerts_month,
                open_findings=findings.get(c["id"], []),
            )
            for c in attention
        ],
        camera_alerts_month=sum(g.camera_alerts_month for g in graded.values()),
        expiring=[e for c in canteens for e in _expiring(c, as_of)],
        targets_year=targets_year,
        targets=year_targets.model_dump(exclude_none=True),
        targets_met=met,
        on_track=all(met.values()),
    )


# ---------------------------------------------------------------- 双随机 plans


def _plan_out(row: dict, names: dict[str, str]) -> RandomPlanOut:
    return RandomPlanOut(
        plan_id=row["id"],
        date=row["plan_date"],
        seed=int(row["seed"]),
        count=row["count"],
        assignments=[
            Assignment(
                canteen=a["canteen"], name=names.get(a["canteen"], ""), inspectors=a["inspectors"]
            )
            for a in json.loads(row["assignments"])
        ],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


async def _canteen_names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Canteen.select(Canteen.code, Canteen.name)}


async def draw_random_plan(data: RandomPlanIn, staff: Staff) -> RandomPlanOut:
    canteens = await Canteen.select(Canteen.id, Canteen.code).where(Canteen.active.eq(True))
    inspectors = await StaffUser.select(StaffUser.username).where(
        (StaffUser.role == "inspector") & StaffUser.active.eq(True)
    )
    latest = await _latest_inspections([c["id"] for c in canteens], data.date) if canteens else {}
    last_inspectors = {
        c["code"]: set(latest[c["id"]]["inspectors"].split(","))
        for c in canteens
        if c["id"] in latest
    }
    try:
        drawn = rules.draw_plan(
            [c["code"] for c in canteens],
            [i["username"] for i in inspectors],
            last_inspectors,
            data.count,
            data.seed,
        )
    except rules.RuleViolation as exc:
        raise BadInput(str(exc), field="count") from None
    plan = RandomPlan(
        plan_date=data.date,
        seed=str(data.seed),
        count=data.count,
        assignments=json.dumps(
            [{"canteen": c, "inspectors": list(pair)} for c, pair in drawn], ensure_ascii=False
        ),
        created_by=staff.username,
        created_at=now_utc(),
    )

    async def work() -> None:
        await plan.save()

    await write_transaction(work)
    row = await RandomPlan.select().where(RandomPlan.id == plan.id).first()
    return _plan_out(row, await _canteen_names())


async def random_plans() -> list[RandomPlanOut]:
    rows = await RandomPlan.select().order_by(RandomPlan.id, ascending=False)
    names = await _canteen_names()
    return [_plan_out(r, names) for r in rows]
