"""The ledger: accounts, transfers and their legs, balances; card top-ups.

Every function that posts a transfer must run inside `write_transaction` (the caller's), so the
legs, the cached balances and whatever the transfer pays for commit or vanish together.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from zhucan.audit import service as audit
from zhucan.db.engine import current_engine
from zhucan.db.tx import write_transaction
from zhucan.errors import Conflict, NotFound
from zhucan.money import queries, rules
from zhucan.money.rules import AccountRef, Leg
from zhucan.money.schemas import BalanceOut, LedgerReport, TopupIn, TopupOut
from zhucan.people import queries as people

# ---------------------------------------------------------------- accounts and transfers


def _require_transaction() -> None:
    if current_engine().current_transaction.get() is None:
        raise RuntimeError("ledger writes must run inside write_transaction")


async def _account_ids(refs: set[AccountRef]) -> dict[str, int]:
    """Ids of the accounts, creating the missing ones (concurrent creators do not collide)."""
    keys = sorted(r.key for r in refs)
    found = await queries.account_ids(keys)
    if missing := [r for r in refs if r.key not in found]:
        await queries.open_accounts(
            [
                {
                    "key": r.key,
                    "kind": r.kind,
                    "unit": r.unit,
                    "normal_side": r.normal_side,
                    "elder": r.owner if r.kind in rules.ELDER_KINDS else None,
                    "canteen": r.owner if r.kind in rules.CANTEEN_OWNED else None,
                }
                for r in missing
            ]
        )
        found = await queries.account_ids(keys)
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
    transfer_id = await queries.add_transfer(
        key, kind, reverses=reverses, note=note, created_by=created_by
    )
    net: dict[AccountRef, int] = defaultdict(int)
    for leg in legs:
        net[leg.account] += leg.amount
    ids = await _move_balances(
        {ref: rules.balance_change(ref.normal_side, amount) for ref, amount in net.items()}
    )
    await queries.add_entries(transfer_id, [(ids[leg.account.key], leg.amount) for leg in legs])
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
    """The ids of the accounts moved, by key: those that exist and stay at or above zero."""
    return await queries.move_balances(
        [(ref.key, change, ref.lock_rank) for ref, change in changes.items()]
    )


async def legs_of(transfer_id: int) -> list[Leg]:
    rows = await queries.transfer_legs(transfer_id)
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
    refs = {AccountRef(kind, elder_id) for kind in rules.ELDER_KINDS}
    keys = sorted(r.key for r in refs)
    balances = await queries.locked_balances(keys)
    if len(balances) < len(refs):  # the elder's first order or grant opens the accounts
        await _account_ids(refs)
        balances = await queries.locked_balances(keys)
    return BalanceOut(card_fen=balances["elder_card"], points=balances["elder_points"])


async def balance(elder_id: int) -> BalanceOut:
    if await people.elder_status(elder_id) is None:
        raise NotFound(f"没有编号为 {elder_id} 的老人")
    balances = await queries.elder_balances(elder_id, list(rules.ELDER_KINDS))
    return BalanceOut(
        card_fen=balances.get("elder_card", 0), points=balances.get("elder_points", 0)
    )


# ---------------------------------------------------------------- top-ups and grants


async def _require_active_elder(elder_id: int) -> None:
    status = await people.elder_status(elder_id)
    if status is None:
        raise NotFound(f"没有编号为 {elder_id} 的老人")
    if status != "active":
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
        if await queries.transfer_posted(key):
            return False
        for elder_id in {
            leg.account.owner
            for leg in legs
            # An elder's account always names its elder; the test only narrows the type.
            if leg.account.kind in rules.ELDER_KINDS and leg.account.owner is not None
        }:
            await _require_active_elder(elder_id)
        await post_transfer(key, kind, legs, note=note)
        return True

    return await write_transaction(work)


# ---------------------------------------------------------------- verification


async def verify() -> LedgerReport:
    accounts = await queries.accounts_with_entry_sums()
    problems = [
        f"转账 {r['transfer']} 的{'金额' if r['unit'] == 'fen' else '敬老分'}分录合计为 "
        f"{r['total']}，不为零"
        for r in await queries.unbalanced_transfers()
    ]
    for a in accounts:
        problems += rules.account_problems(
            a["key"], a["normal_side"], a["balance"], int(a["entries_sum"])
        )
    entries, transfers = await queries.ledger_size()
    return LedgerReport(
        balanced=not problems,
        accounts=len(accounts),
        entries=entries,
        transfers=transfers,
        problems=problems,
    )
