"""Open data (一公开): the inspection history in Yelp's LIVES format (Local Inspector Value-Entry
Specification): businesses.csv, inspections.csv, violations.csv, feed_info.csv, legend.csv."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from zhucan.canteens import queries as canteen_queries
from zhucan.compliance import queries
from zhucan.compliance.config import scheme
from zhucan.compliance.rules import DYNAMIC_NAMES, TENTH
from zhucan.regions import queries as region_queries

# LIVES knows initial, routine, followup and complaint inspections; a 专项检查 is triggered by a
# complaint or an incident, a 随机 one is routine from the canteen's point of view.
LIVES_TYPES = {
    "routine": "routine",
    "random": "routine",
    "special": "complaint",
    "reinspection": "followup",
}
KIND_NAMES = {
    "routine": "日常检查",
    "random": "双随机抽查",
    "special": "专项检查",
    "reinspection": "复查",
}


def _lives_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _write(path: Path, header: list[str], rows: list[list]) -> int:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


async def export_lives(out: Path, today: date) -> dict[str, int]:
    """Write the five LIVES files into `out`; returns the rows written per file."""
    out.mkdir(parents=True, exist_ok=True)
    regions = await region_queries.all_regions()
    canteens = await canteen_queries.canteens()
    id_of = {r["code"]: r["id"] for r in regions}
    code_of_region = {r["id"]: r["code"] for r in regions}
    districts = await region_queries.districts(list({id_of[c["region"]] for c in canteens}))
    district_of = {
        code: code_of_region[districts[id_of[code]]] for code in {c["region"] for c in canteens}
    }
    name_of = {r["code"]: r["name"] for r in regions}
    code_of = {c["id"]: c["code"] for c in canteens}
    inspections = await queries.all_inspections()
    first_of: dict[int, int] = {}
    for i in inspections:
        first_of.setdefault(i["canteen"], i["id"])
    findings = await queries.all_findings()
    grading = (await scheme()).grading
    counts = {
        "businesses.csv": _write(
            out / "businesses.csv",
            [
                "business_id",
                "name",
                "address",
                "city",
                "state",
                "postal_code",
                "latitude",
                "longitude",
                "phone_number",
            ],
            [
                [
                    c["code"],
                    c["name"],
                    c["address"],
                    name_of[district_of[c["region"]]],
                    *[""] * 5,
                ]
                for c in canteens
            ],
        ),
        "inspections.csv": _write(
            out / "inspections.csv",
            ["business_id", "score", "date", "description", "type"],
            [
                [
                    code_of[i["canteen"]],
                    f"{i['score_tenths'] / 10:.1f}",
                    _lives_date(i["date"]),
                    f"{KIND_NAMES[i['kind']]}；动态等级 {DYNAMIC_NAMES[i['dynamic_grade']]}"
                    + (f"；{i['notes']}" if i["notes"] else ""),
                    "initial" if first_of[i["canteen"]] == i["id"] else LIVES_TYPES[i["kind"]],
                ]
                for i in inspections
            ],
        ),
        "violations.csv": _write(
            out / "violations.csv",
            ["business_id", "date", "code", "description"],
            [
                [
                    code_of[f["canteen"]],
                    _lives_date(f["opened_on"]),
                    f["item"],
                    ("【关键项】" if f["key"] else "")
                    + f"{f['title']}（整改期限 {f['deadline']}）",
                ]
                for f in findings
            ],
        ),
        "feed_info.csv": _write(
            out / "feed_info.csv",
            ["feed_date", "feed_version", "municipality_name", "municipality_url", "contact_email"],
            [
                [
                    _lives_date(today),
                    "1.0",
                    "、".join(sorted({r["name"] for r in regions if r["parent_code"] is None})),
                    "",
                    "",
                ]
            ],
        ),
        "legend.csv": _write(
            out / "legend.csv",
            ["minimum_score", "maximum_score", "description"],
            [
                [grading.excellent_from, 100, "优秀（大笑脸）"],
                [grading.good_from, grading.excellent_from - TENTH, "良好（微笑脸）"],
                [grading.fair_from, grading.good_from - TENTH, "一般（平脸）"],
                [0, grading.fair_from - TENTH, "不予评级（或两项以上关键项不合格）"],
            ],
        ),
    }
    return counts
