"""The year's food-safety progress across the canteens in service (the supervisor's summary)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from zhucan.canteens import queries as canteen_queries
from zhucan.compliance import config, rules
from zhucan.compliance.findings import open_findings
from zhucan.compliance.grades import grades
from zhucan.compliance.schemas import AttentionCanteen, ComplianceSummary, ExpiryEntry
from zhucan.compliance.sunshine import sunshine_levels

EXPIRY_NOTICE_DAYS = 30


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
    year, as_of = rules.summary_period(year, as_of, today)
    canteens = await canteen_queries.canteens(active_only=True)
    graded = await grades(canteens, as_of)
    sunshine = await sunshine_levels(canteens, as_of, tz)
    targets_year, year_targets = rules.targets_for(year, await config.targets())
    progress = rules.year_progress(
        [
            rules.CanteenStanding(
                annual_grade=graded[c["id"]].annual,
                size=c["size"],
                sunshine_level=sunshine[c["id"]],
                license_expires=c["license_expires"],
                insurance_expires=c["insurance_expires"],
            )
            for c in canteens
        ],
        as_of,
        year_targets,
    )
    attention = [c for c in canteens if graded[c["id"]].annual in rules.ATTENTION_GRADES]
    findings = await open_findings([c["id"] for c in attention], as_of)
    return ComplianceSummary(
        year=year,
        as_of=as_of,
        canteens=len(canteens),
        grades=progress.grades,
        **{k: v for k, v in progress.figures.items() if k != "max_c_or_rectifying"},
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
        targets_met=progress.targets_met,
        on_track=progress.on_track,
    )
