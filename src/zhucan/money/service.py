"""The ledger: accounts, transfers and their legs, balances; card top-ups; the policy in force.

Every function that posts a transfer must run inside `write_transaction` (the caller's), so the
legs, the cached balances and whatever the transfer pays for commit or vanish together.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from datetime import date

from zhucan.audit import service as audit
from zhucan.clock import now_utc
from zhucan.data_files import read_toml, validate
from zhucan.db import sql
from zhucan.db.engine import current_engine
from zhucan.db.tx import write_transaction
from zhucan.errors import Conflict, NotFound
from zhucan.money import rules
from zhucan.money.rules import AccountRef, Leg
from zhucan.money.schemas import BalanceOut, LedgerReport, SubsidyPolicy, TopupIn, TopupOut
from zhucan.money.tables import Account, Entry, Transfer
from zhucan.people.tables import Elder
from zhucan.settings import PROJECT_ROOT
from zhucan.subsidies import rules as subsidy_rules
from zhucan.subsidies.tables import PolicyVersion

POLICY_FILE = PROJECT_ROOT / "kitchens" / "policy.toml"


@functools.cache
def default_policy() -> SubsidyPolicy:
    return validate(POLICY_FILE, SubsidyPolicy, read_toml(POLICY_FILE))


# (stamp of the newest stored version, the versions in force) as this process last read them.
_versions: tuple[tuple | None, list[SubsidyPolicy]] = (None, [])


async def policy_versions() -> list[SubsidyPolicy]:
    """The versions in force by effective date: kitchens/policy.toml first, then those stored by
    PUT /subsidies/policy.

    Cached per process; another worker may have stored a version since, so every call reads the
    newest row's id and time (one index lookup on a tiny table) and re-reads only on a change.
    """
    global _versions
    newest = await sql.fetchrow(
        "SELECT id, created_at FROM subsidy_policy_version ORDER BY id DESC LIMIT 1"
    )
    # The engine is part of the stamp: a test run switches databases whose ids start over.
    stamp = (id(current_engine()), newest["id"], newest["created_at"]) if newest else None
    if stamp != _versions[0] or not _versions[1]:
        rows = await PolicyVersion.select(PolicyVersion.body).order_by(PolicyVersion.id)
        stored = [SubsidyPolicy.model_validate_json(r["body"]) for r in rows]
        _versions = (stamp, subsidy_rules.effective_versions([default_policy(), *stored]))
    return _versions[1]


async def policy_in_force(day: date) -> SubsidyPolicy:
    """The policy for orders on `day` (orders store their split, so a later change never
    touches them)."""
    return subsidy_rules.policy_on(await policy_versions(), day)


# ---------------------------------------------------------------- accounts and transfers


def _require_transaction() -> None:
    if current_engine().current_transaction.get() is None:
        raise RuntimeError("ledger writes must run inside write_transaction")


async def _account_ids(refs: set[AccountRef]) -> dict[str, int]:
    """Ids of the accounts, creating the missing ones (concurrent creators do not collide)."""
    keys = sorted(r.key for r in refs)
    query = f"SELECT id, key FROM account WHERE key IN ({sql.placeholders(1, len(keys))})"
    found = {r["key"]: r["id"] for r in await sql.fetch(query, *keys)}
    missing = [r for r in refs if r.key not in found]
    if missing:
        await Account.insert(
            *[
                Account(
                    key=r.key,
                    kind=r.kind,
                    unit=r.unit,
                    normal_side=r.normal_side,
                    balance=0,
                    elder=r.owner if r.kind in rules.ELDER_KINDS else None,
                    canteen=r.owner if r.kind in rules.CANTEEN_OWNED else None,
                    created_at=now_utc(),
                )
                for r in missing
            ]
        ).on_conflict(action="DO NOTHING")
        found = {r["key"]: r["id"] for r in await sql.fetch(query, *keys)}
    return found


async def post_transfer(
    key: str,
    kind: str,
    legs: list[Leg],
    *,
    note: str = "",
    created_by: str = "",
    reverses: int | None = None,
) -> int:
    """Record a transfer and move the cached balances; Conflict if any would go below zero."""
    _require_transaction()
    if unbalanced := rules.unbalanced_units(legs):
        raise ValueError(f"transfer {key} does not balance in {unbalanced}")
    transfer_id = (
        await sql.fetchrow(
            "INSERT INTO ledger_transfer (key, kind, reverses, note, created_by, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            key,
            kind,
            reverses,
            note,
            created_by,
            now_utc(),
        )
    )["id"]
    net: dict[AccountRef, int] = defaultdict(int)
    for leg in legs:
        net[leg.account] += leg.amount
    ids = await _move_balances(
        {ref: rules.balance_change(ref.normal_side, amount) for ref, amount in net.items()}
    )
    if legs:
        values = ", ".join(f"($1, ${2 * i + 2}, ${2 * i + 3})" for i in range(len(legs)))
        await sql.fetch(
            f"INSERT INTO ledger_entry (transfer, account, amount) VALUES {values}",
            transfer_id,
            *[x for leg in legs for x in (ids[leg.account.key], leg.amount)],
        )
    return transfer_id


async def _move_balances(changes: dict[AccountRef, int]) -> dict[str, int]:
    """Apply `changes` to the accounts' balances, opening accounts that do not exist yet;
    the accounts' ids by key. Conflict if a balance would go below zero."""
    moved = await _update_balances(changes)
    if len(moved) < len(changes):
        # Either an account to open (its first transfer) or a balance that is too low.
        left = {ref: change for ref, change in changes.items() if ref.key not in moved}
        ids = await _account_ids(set(left))
        moved |= await _update_balances(left)
        if short := sorted(
            (ref for ref in left if ref.key not in moved),
            key=lambda ref: (ref.lock_rank, ids[ref.key]),
        ):
            raise Conflict(
                f"{rules.ACCOUNT_KINDS[short[0].kind][2]}余额不足，需要 "
                f"{-changes[short[0]]}{'分' if short[0].unit == 'fen' else '敬老分'}"
            )
    return moved


async def _update_balances(changes: dict[AccountRef, int]) -> dict[str, int]:
    """One statement for all of a transfer's accounts (each a round trip before): the ids of
    those that exist and stay at or above zero, by key; the others are left unchanged.

    On PostgreSQL the rows are locked first, in `lock_rank` then id order, so two transfers
    never wait on each other in opposite orders; the UPDATE re-checks each balance on the row
    as it is after the lock, so two transfers can never both spend the same fen."""
    if not changes:
        return {}
    wanted, args = sql.rows_table(
        (("key", "TEXT"), ("change", "BIGINT"), ("lock_rank", "INTEGER")),
        [(ref.key, change, ref.lock_rank) for ref, change in changes.items()],
    )
    rows = await sql.fetch(
        f"WITH wanted AS MATERIALIZED (SELECT a.id, w.change FROM account a JOIN ({wanted}) w"
        f" ON a.key = w.key ORDER BY w.lock_rank, a.id{sql.lock_rows('a')})"
        " UPDATE account SET balance = account.balance + wanted.change FROM wanted"
        " WHERE account.id = wanted.id AND account.balance + wanted.change >= 0"
        " RETURNING account.id, account.key",
        *args,
    )
    return {r["key"]: r["id"] for r in rows}


async def legs_of(transfer_id: int) -> list[Leg]:
    rows = await sql.fetch(
        "SELECT e.amount, a.kind, a.elder, a.canteen FROM ledger_entry e"
        " JOIN account a ON a.id = e.account WHERE e.transfer = $1"
        " ORDER BY e.id",
        transfer_id,
    )
    return [Leg(AccountRef(r["kind"], r["elder"] or r["canteen"]), r["amount"]) for r in rows]


async def reverse_transfer(transfer_id: int, key: str, created_by: str = "") -> int:
    """A transfer that puts every leg of `transfer_id` back where it came from."""
    return await post_transfer(
        key,
        "reversal",
        rules.reversal(await legs_of(transfer_id)),
        created_by=created_by,
        reverses=transfer_id,
    )


async def lock_elder(elder_id: int) -> BalanceOut:
    """Lock the elder's card and points for the rest of the transaction and read them.

    SQLite's BEGIN IMMEDIATE already serialises writers; on PostgreSQL the row locks make the
    checkout's reads (balances, subsidised orders) stay true until it commits.
    """
    _require_transaction()
    refs = {AccountRef("elder_card", elder_id), AccountRef("elder_points", elder_id)}
    query = "SELECT kind, balance FROM account WHERE key IN ($1, $2) ORDER BY id" + sql.lock_rows(
        "account"
    )
    rows = await sql.fetch(query, *sorted(r.key for r in refs))
    if len(rows) < len(refs):  # the elder's first order or grant opens the accounts
        await _account_ids(refs)
        rows = await sql.fetch(query, *sorted(r.key for r in refs))
    balances = {r["kind"]: r["balance"] for r in rows}
    return BalanceOut(card_fen=balances["elder_card"], points=balances["elder_points"])


async def balance(elder_id: int) -> BalanceOut:
    if not await Elder.exists().where(Elder.id == elder_id):
        raise NotFound(f"没有编号为 {elder_id} 的老人")
    rows = await Account.select(Account.kind, Account.balance).where(
        (Account.elder == elder_id) & Account.kind.is_in(list(rules.ELDER_KINDS))
    )
    balances = {r["kind"]: r["balance"] for r in rows}
    return BalanceOut(
        card_fen=balances.get("elder_card", 0), points=balances.get("elder_points", 0)
    )


# ---------------------------------------------------------------- top-ups and grants


async def _require_active_elder(elder_id: int) -> None:
    row = await Elder.select(Elder.status).where(Elder.id == elder_id).first()
    if row is None:
        raise NotFound(f"没有编号为 {elder_id} 的老人")
    if row["status"] != "active":
        raise Conflict("该老人的爱心卡已冻结（已去世或迁出），不能充值")


async def topup(elder_id: int, data: TopupIn, created_by: str) -> TopupOut:
    """Credit the card from the source's fund; runs in the caller's write transaction."""
    await _require_active_elder(elder_id)
    await post_transfer(
        f"topup:{uuid.uuid4()}",
        "card_topup",
        rules.topup_legs(elder_id, data.source, data.amount_fen),
        note=data.note,
        created_by=created_by,
    )
    await audit.record(
        created_by,
        "card.topup",
        f"elder:{elder_id}",
        {"amount_fen": data.amount_fen, "source": data.source},
    )
    return TopupOut(card_fen=(await balance(elder_id)).card_fen)


async def post_once(key: str, kind: str, legs: list[Leg], note: str = "") -> bool:
    """Post a transfer for an elder's credit once per `key` (a month's grant, an opening
    balance); False when it was already posted."""

    async def work() -> bool:
        if await Transfer.exists().where(Transfer.key == key):
            return False
        for elder_id in {
            leg.account.owner for leg in legs if leg.account.kind in rules.ELDER_KINDS
        }:
            await _require_active_elder(elder_id)
        await post_transfer(key, kind, legs, note=note)
        return True

    return await write_transaction(work)


# ---------------------------------------------------------------- verification


async def verify() -> LedgerReport:
    accounts = await Account.raw(
        "SELECT a.key, a.normal_side, a.balance, COALESCE(SUM(e.amount), 0) AS entries_sum "
        "FROM account a LEFT JOIN ledger_entry e ON e.account = a.id "
        "GROUP BY a.id, a.key, a.normal_side, a.balance ORDER BY a.key"
    )
    unbalanced = await Entry.raw(
        "SELECT e.transfer, a.unit, SUM(e.amount) AS total FROM ledger_entry e "
        "JOIN account a ON a.id = e.account GROUP BY e.transfer, a.unit "
        "HAVING SUM(e.amount) <> 0 ORDER BY e.transfer"
    )
    problems = [
        f"转账 {r['transfer']} 的{'金额' if r['unit'] == 'fen' else '敬老分'}分录合计为 "
        f"{r['total']}，不为零"
        for r in unbalanced
    ]
    for a in accounts:
        problems += rules.account_problems(
            a["key"], a["normal_side"], a["balance"], int(a["entries_sum"])
        )
    return LedgerReport(
        balanced=not problems,
        accounts=len(accounts),
        entries=await Entry.count(),
        transfers=await Transfer.count(),
        problems=problems,
    )
