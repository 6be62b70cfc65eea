"""双随机 plans: canteens and inspector pairs drawn at random and published."""

from __future__ import annotations

import json

from zhucan.access import Staff
from zhucan.canteens import queries as canteen_queries
from zhucan.compliance import queries, rules
from zhucan.compliance.schemas import Assignment, RandomPlanIn, RandomPlanOut
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput
from zhucan.people import queries as people


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


async def draw_random_plan(data: RandomPlanIn, staff: Staff) -> RandomPlanOut:
    canteens = await canteen_queries.canteens(active_only=True)
    inspectors = await people.active_inspectors()
    latest = (
        await queries.latest_inspections([c["id"] for c in canteens], data.date) if canteens else {}
    )
    last_inspectors = {
        c["code"]: set(latest[c["id"]]["inspectors"].split(","))
        for c in canteens
        if c["id"] in latest
    }
    try:
        drawn = rules.draw_plan(
            [c["code"] for c in canteens], inspectors, last_inspectors, data.count, data.seed
        )
    except rules.RuleViolation as exc:
        raise BadInput(str(exc), field="count") from None
    values = {
        "plan_date": data.date,
        "seed": str(data.seed),
        "count": data.count,
        "assignments": json.dumps(
            [{"canteen": c, "inspectors": list(pair)} for c, pair in drawn], ensure_ascii=False
        ),
        "created_by": staff.username,
    }

    async def work() -> int:
        return await queries.insert_random_plan(values)

    plan_id = await write_transaction(work)
    return _plan_out(await queries.random_plan(plan_id), await canteen_queries.names())


async def random_plans() -> list[RandomPlanOut]:
    names = await canteen_queries.names()
    return [_plan_out(r, names) for r in await queries.random_plans()]
