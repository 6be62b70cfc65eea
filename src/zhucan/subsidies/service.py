"""The subsidy programme: the monthly issue, 敬老分 expiry, frozen cards of elders
who died or moved away, and the time bank (the policy in force: subsidies.policy). Every credit and debit is a ledger transfer posted with
money.service.post_transfer inside write_transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

from zhucan.access import Role, Staff, keeps_timebank
from zhucan.audit import service as audit
from zhucan.db.codes import split_codes
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, Forbidden, NotFound
from zhucan.money import queries as ledger
from zhucan.money import rules as money_rules
from zhucan.money import service as money
from zhucan.money.rules import AccountRef
from zhucan.people import queries as people
from zhucan.people import rules as people_rules
from zhucan.subsidies import queries, rules
from zhucan.subsidies.policy import policy_in_force, policy_versions
from zhucan.subsidies.schemas import (
    ElderStatusIn,
    ElderStatusOut,
    ExpiryOut,
    FrozenCard,
    FrozenCards,
    IssueOut,
    SubsidyPolicy,
    TimebankIn,
    TimebankOut,
    TimebankStatus,
)

# Elders per write transaction: small enough that a batch holds the shared fund rows only
# briefly while the lunch rush keeps ordering, large enough that a city's issue ends in minutes.
BATCH = 100

# ---------------------------------------------------------------- elders who died or moved away


async def set_elder_status(elder_id: int, data: ElderStatusIn, actor: str) -> ElderStatusOut:
    """Freeze (or thaw) the elder's card: nothing is issued to it and nothing ordered with it,
    and what is on it stays there, listed in frozen_cards()."""

    async def work() -> ElderStatusOut:
        status = await people.elder_status(elder_id)
        if status is None:
            raise NotFound(f"没有编号为 {elder_id} 的老人")
        if status != data.status:
            await people.set_elder_status(elder_id, data.status)
            await audit.record(
                actor,
                "elder.status",
                f"elder:{elder_id}",
                {"from": status, "to": data.status, "note": data.note},
            )
        held = await money.balance(elder_id)
        return ElderStatusOut(
            elder_id=elder_id,
            status=data.status,
            card_frozen=data.status != "active",
            card_fen=held.card_fen,
            points=held.points,
        )

    return await write_transaction(work)


async def frozen_cards() -> FrozenCards:
    rows = await ledger.positive_elder_balances(
        list(money_rules.ELDER_KINDS), people.inactive_elder_ids()
    )
    statuses = await people.elder_statuses(sorted({r["elder"] for r in rows}))
    held: dict[int, dict] = {}
    for r in rows:
        card = held.setdefault(
            r["elder"],
            {"elder_id": r["elder"], "status": statuses[r["elder"]], "card_fen": 0, "points": 0},
        )
        card["card_fen" if r["kind"] == "elder_card" else "points"] = r["balance"]
    cards = [FrozenCard(**c) for c in held.values()]
    return FrozenCards(
        elders=len(cards),
        card_fen=sum(c.card_fen for c in cards),
        points=sum(c.points for c in cards),
        cards=cards,
    )


# ---------------------------------------------------------------- monthly issue and expiry


def _batches(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _lock_elders(elder_ids: list[int]) -> None:
    """Lock every elder of a batch before any shared fund, in id order, the order checkout
    locks in (elder, then funds), so a batch and an order never wait on each other in a cycle."""
    for elder_id in sorted(elder_ids):
        await money.lock_elder(elder_id)


async def _issue_batch(month: str, start: date, policy: SubsidyPolicy, batch: list[dict]) -> None:
    await queries.lock_issue_run(month)
    ids = [e["id"] for e in batch]
    done = await queries.granted_elders(month, ids)
    active = await people.active_among(ids)
    due = []
    for elder in batch:
        if elder["id"] in done or elder["id"] not in active:
            continue
        credit = rules.monthly_credit(
            policy,
            split_codes(elder["categories"]),
            people_rules.age_on(elder["birth_date"], start),
        )
        if credit.card_fen or credit.points:
            due.append((elder["id"], credit))
    await _lock_elders([elder_id for elder_id, _ in due])
    for elder_id, credit in due:
        reasons = "；".join(
            x
            for x in (
                credit.allowance and f"爱心卡：{credit.allowance}",
                credit.grant and f"敬老分：{credit.grant}",
            )
            if x
        )
        transfer = await money.post_transfer(
            f"issue:{month}:{elder_id}",
            "monthly_issue",
            [
                *money_rules.topup_legs(elder_id, "government", credit.card_fen),
                *money_rules.points_grant_legs(elder_id, credit.points),
            ],
            note=f"{month} 月度发放（{reasons}）",
            created_by="monthly_issue",
        )
        await queries.record_grant(month, elder_id, credit.card_fen, credit.points, transfer)


async def issue_month(month: str, today: date, tz: ZoneInfo, actor: str) -> IssueOut:
    """Credit each active elder's allowance and points for `month` once, however often and
    however concurrently it runs; expire the points due at the month's start first."""
    try:
        start = rules.parse_month(month)
    except ValueError as exc:
        raise BadInput(f"month：{exc}", field="month") from None
    first_policy_from = (await policy_versions())[0].effective_from
    if problem := rules.issue_month_problem(start, today, first_policy_from):
        raise BadInput(problem, field="month")
    expired = await expire_points(start, tz, actor)
    policy = await policy_in_force(start)
    await write_transaction(lambda: queries.start_issue_run(month, actor))
    elders = await people.active_elders()
    for batch in _batches(elders):
        await write_transaction(partial(_issue_batch, month, start, policy, batch))

    async def finish() -> IssueOut:
        totals = await queries.grant_totals(month)
        await queries.finish_issue_run(month)
        out = IssueOut(
            month=month,
            elders=totals["elders"],
            card_fen=totals["card_fen"],
            points=totals["points"],
            expired=expired,
            frozen=await frozen_cards(),
        )
        await audit.record(
            actor,
            "subsidy.issue",
            f"month:{month}",
            {
                "elders": out.elders,
                "card_fen": out.card_fen,
                "points": out.points,
                "expired_points": expired.points,
            },
        )
        return out

    return await write_transaction(finish)


async def _lots(elder_ids: list[int], tz: ZoneInfo) -> dict[int, list[rules.Lot]]:
    """Every credit of 敬老分 except a refund is a lot, dated by the month it was posted in, or
    for a monthly issue by the month it was for (an issue run late must not live longer)."""
    rows = await ledger.credits_to_elders("elder_points", elder_ids, except_kind="reversal")
    issued = {
        transfer: rules.parse_month(month)
        for transfer, month in (await queries.grant_months(elder_ids)).items()
    }
    by_month: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        month = issued.get(r["transfer"]) or r["at"].astimezone(tz).date().replace(day=1)
        by_month[r["elder"]][month] -= r["amount"]
    return {
        elder: [rules.Lot(m, p) for m, p in months.items()] for elder, months in by_month.items()
    }


async def _expire_batch(
    key_month: str, as_of: date, tz: ZoneInfo, elder_ids: list[int], actor: str
) -> None:
    done = await ledger.posted_keys([f"expire:{key_month}:{e}" for e in elder_ids])
    todo = [e for e in elder_ids if f"expire:{key_month}:{e}" not in done]
    if not todo:
        return
    await _lock_elders(todo)
    balances = await ledger.balances_of_elders("elder_points", todo)
    lots = await _lots(todo, tz)
    for elder_id in todo:
        points = rules.points_to_expire(lots.get(elder_id, []), balances.get(elder_id, 0), as_of)
        if points:
            await money.post_transfer(
                f"expire:{key_month}:{elder_id}",
                "points_expiry",
                money_rules.pair(
                    AccountRef("elder_points", elder_id), AccountRef("points_fund"), points
                ),
                note=f"发放满 {rules.POINTS_LIFETIME_MONTHS} 个月的敬老分到期",
                created_by=actor,
            )


async def expired_total(as_of: date) -> ExpiryOut:
    expired = await ledger.transfers_total(
        "points_expiry", f"expire:{rules.month_key(as_of)}:", "elder_points"
    )
    # One expiry transfer per elder and month: its count is the elders'.
    return ExpiryOut(as_of=as_of, elders=expired["transfers"], points=expired["amount"])


async def expire_points(as_of: date, tz: ZoneInfo, actor: str) -> ExpiryOut:
    """Expire, oldest first, the 敬老分 whose 12 months have run out by `as_of`; once a month."""
    key_month = rules.month_key(as_of)
    holders = await ledger.elders_holding("elder_points")
    for batch in _batches(holders):
        await write_transaction(partial(_expire_batch, key_month, as_of, tz, batch, actor))
    out = await expired_total(as_of)
    await write_transaction(
        lambda: audit.record(
            actor,
            "points.expire",
            f"month:{key_month}",
            {"elders": out.elders, "points": out.points},
        )
    )
    return out


# ---------------------------------------------------------------- time bank


async def _entries_out(rows: list[dict]) -> list[TimebankOut]:
    usernames = await people.staff_usernames(
        sorted({r["helper_staff"] for r in rows if r["helper_staff"] is not None})
    )
    return [
        TimebankOut(
            entry_id=r["id"],
            helped_elder_id=r["helped_elder"],
            helper_elder_id=r["helper_elder"],
            helper_username=usernames.get(r["helper_staff"]),
            service_date=r["service_date"],
            minutes=r["minutes"],
            description=r["description"],
            status=r["status"],
            points=r["points"],
            logged_by=r["logged_by"],
            decided_by=r["decided_by"],
            created_at=r["created_at"],
            decided_at=r["decided_at"],
        )
        for r in rows
    ]


async def entry_out(entry_id: int) -> TimebankOut:
    row = await queries.timebank_entry(entry_id)
    if row is None:
        raise NotFound(f"没有编号为 {entry_id} 的时间银行记录")
    return (await _entries_out([row]))[0]


async def _active_elder(elder_id: int, field: str) -> dict:
    row = await people.elder_birth_date_and_status(elder_id)
    if row is None:
        raise BadInput(f"{field}：没有编号为 {elder_id} 的老人", field=field)
    if row["status"] != "active":
        raise Conflict(f"{field}：该老人已去世或迁出，爱心卡已冻结", field=field)
    return row


async def log_service(data: TimebankIn, staff: Staff, today: date) -> TimebankOut:
    """A volunteer logs their own hours; admins and hotline operators log anyone's."""
    helper_username = data.helper_username
    if staff.role is Role.VOLUNTEER:
        if data.helper_elder_id is not None or helper_username not in (None, staff.username):
            raise Forbidden("志愿者只能登记本人的服务时长")
        helper_username = staff.username
    elif not keeps_timebank(staff):
        raise Forbidden("只有志愿者本人、管理员和热线话务员可以登记时间银行服务")
    if data.helper_elder_id is None and helper_username is None:
        raise BadInput(
            "helper_elder_id：请指明服务者（低龄老人的 helper_elder_id 或志愿者的 "
            "helper_username）",
            field="helper_elder_id",
        )
    helped = await _active_elder(data.helped_elder_id, "helped_elder_id")
    helper_age, helper_staff = None, None
    if data.helper_elder_id is not None:
        helper = await _active_elder(data.helper_elder_id, "helper_elder_id")
        helper_age = people_rules.age_on(helper["birth_date"], data.service_date)
    else:
        assert helper_username is not None  # refused above when neither helper is named
        account = await people.staff_role(helper_username)
        if account is None or account["role"] != Role.VOLUNTEER:
            raise BadInput(
                f"helper_username：{helper_username} 不是志愿者账号", field="helper_username"
            )
        helper_staff = account["id"]
    problem = rules.timebank_problem(
        helper_age,
        people_rules.age_on(helped["birth_date"], data.service_date),
        data.helper_elder_id == data.helped_elder_id,
        data.service_date,
        today,
    )
    if problem:
        raise BadInput(problem[1], field=problem[0])

    async def work() -> int:
        return await queries.add_timebank_entry(
            helper_elder=data.helper_elder_id,
            helper_staff=helper_staff,
            helped_elder=data.helped_elder_id,
            service_date=data.service_date,
            minutes=data.minutes,
            description=data.description,
            logged_by=staff.username,
        )

    return await entry_out(await write_transaction(work))


async def list_entries(
    staff: Staff, status: TimebankStatus | None, limit: int
) -> list[TimebankOut]:
    helper_staff = None
    if staff.role is Role.VOLUNTEER:
        helper_staff = staff.id
    elif not keeps_timebank(staff):
        raise Forbidden("只有管理员、热线话务员和志愿者本人可以查看时间银行记录")
    return await _entries_out(await queries.timebank_entries(status, limit, helper_staff))


async def decide(entry_id: int, approve: bool, actor: str) -> TimebankOut:
    """Approve (credit the points once, through the ledger) or reject a pending entry; deciding
    the same way again changes nothing."""
    wanted: TimebankStatus = "approved" if approve else "rejected"

    async def work() -> TimebankOut:
        row = await queries.timebank_entry(entry_id)
        if row is None:
            raise NotFound(f"没有编号为 {entry_id} 的时间银行记录")
        if not await queries.decide_pending_entry(entry_id, wanted, actor):
            current = await entry_out(entry_id)
            if current.status == wanted:
                return current
            raise Conflict(
                f"该记录已{'批准' if current.status == 'approved' else '驳回'}，不能再改",
                field="status",
            )
        if approve:
            policy = await policy_in_force(row["service_date"])
            points = rules.timebank_points(row["minutes"], policy.timebank_points_per_hour)
            if row["helper_elder"] is not None:
                await _active_elder(row["helper_elder"], "helper_elder_id")
                await money.lock_elder(row["helper_elder"])
                earner = AccountRef("elder_points", row["helper_elder"])
            else:
                earner = AccountRef("volunteer_points", row["helper_staff"])
            transfer = await money.post_transfer(
                f"timebank:{entry_id}",
                "timebank_credit",
                money_rules.pair(AccountRef("points_fund"), earner, points),
                note=f"时间银行：{row['service_date']} 服务 {row['minutes']} 分钟",
                created_by=actor,
            )
            await queries.credit_timebank_entry(entry_id, points, transfer)
        await audit.record(actor, "timebank.decide", f"timebank:{entry_id}", {"status": wanted})
        return await entry_out(entry_id)

    return await write_transaction(work)
