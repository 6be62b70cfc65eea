"""How the ledger's tables (account, ledger_transfer, ledger_entry) are read and written; the only
module that names them. Postings run fixed SQL (db/sql.py): every order posts one."""

from __future__ import annotations

from piccolo.query import Select

from zhucan.clock import now_utc
from zhucan.db import sql
from zhucan.money.tables import Account, Entry, Transfer

# ---------------------------------------------------------------- posting


async def account_ids(keys: list[str]) -> dict[str, int]:
    """The ids of those accounts that exist, by key."""
    return {
        r["key"]: r["id"]
        for r in await sql.fetch(
            f"SELECT id, key FROM account WHERE key IN ({sql.placeholders(1, len(keys))})", *keys
        )
    }


async def open_accounts(accounts: list[dict]) -> None:
    """Create accounts (key, kind, unit, normal_side, elder, canteen) at a zero balance; one
    another transaction created meanwhile is left as it is, so concurrent openers never collide."""
    await Account.insert(
        *[Account(**account, balance=0, created_at=now_utc()) for account in accounts]
    ).on_conflict(action="DO NOTHING")


async def add_transfer(
    key: str, kind: str, *, reverses: int | None, note: str, created_by: str
) -> int:
    """A transfer's row (its legs follow, add_entries); its id."""
    statement, args = sql.insert(
        Transfer,
        [
            {
                "key": key,
                "kind": kind,
                "reverses": reverses,
                "note": note,
                "created_by": created_by,
                "created_at": now_utc(),
            }
        ],
        returning="id",
    )
    return (await sql.fetch(statement, *args))[0]["id"]


async def add_entries(transfer_id: int, entries: list[tuple[int, int]]) -> None:
    """The legs of a transfer, as (account id, amount): debit positive, credit negative."""
    if entries:
        statement, args = sql.insert(
            Entry,
            [
                {"transfer": transfer_id, "account": account, "amount": amount}
                for account, amount in entries
            ],
        )
        await sql.fetch(statement, *args)


async def move_balances(changes: list[tuple[str, int, int]]) -> dict[str, int]:
    """Add each (key, change, lock rank) to its account's balance in one statement (each a round
    trip before): the ids of the accounts that exist and stay at or above zero, by key; the
    others are left unchanged.

    On PostgreSQL the rows are locked first, in lock rank then id order, so two transfers never
    wait on each other in opposite orders; the UPDATE re-checks each balance on the row as it is
    after the lock, so two transfers can never both spend the same fen."""
    if not changes:
        return {}
    wanted, args = sql.rows_table(
        (("key", "TEXT"), ("change", "BIGINT"), ("lock_rank", "INTEGER")), changes
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


async def transfer_legs(transfer_id: int) -> list[dict]:
    """amount, and the account's kind, elder and canteen, of each leg in the order posted."""
    return await sql.fetch(
        "SELECT e.amount, a.kind, a.elder, a.canteen FROM ledger_entry e"
        " JOIN account a ON a.id = e.account WHERE e.transfer = $1"
        " ORDER BY e.id",
        transfer_id,
    )


async def locked_balances(keys: list[str]) -> dict[str, int]:
    """The balances of those accounts that exist, by kind, locked until the transaction ends
    (PostgreSQL; SQLite's one writer already holds the file)."""
    rows = await sql.fetch(
        f"SELECT kind, balance FROM account WHERE key IN ({sql.placeholders(1, len(keys))})"
        f" ORDER BY id{sql.lock_rows('account')}",
        *keys,
    )
    return {r["kind"]: r["balance"] for r in rows}


async def transfer_posted(key: str) -> bool:
    return await Transfer.exists().where(Transfer.key == key)


async def posted_keys(keys: list[str]) -> set[str]:
    """Those of `keys` that a transfer has."""
    return {r["key"] for r in await Transfer.select(Transfer.key).where(Transfer.key.is_in(keys))}


# ---------------------------------------------------------------- balances


async def elder_balances(elder_id: int, kinds: list[str]) -> dict[str, int]:
    """The balances of the elder's accounts of `kinds` that exist, by kind."""
    rows = await Account.select(Account.kind, Account.balance).where(
        (Account.elder == elder_id) & Account.kind.is_in(kinds)
    )
    return {r["kind"]: r["balance"] for r in rows}


async def balances_of_elders(kind: str, elder_ids: list[int]) -> dict[int, int]:
    """The balance of each of these elders' account of `kind` (those that exist), by elder."""
    return {
        r["elder"]: r["balance"]
        for r in await Account.select(Account.elder, Account.balance).where(
            (Account.kind == kind) & Account.elder.is_in(elder_ids)
        )
    }


async def elders_holding(kind: str) -> list[int]:
    """The elders whose account of `kind` holds something, by id."""
    return [
        r["elder"]
        for r in await Account.select(Account.elder)
        .where((Account.kind == kind) & (Account.balance > 0))
        .order_by(Account.elder)
    ]


async def positive_elder_balances(kinds: list[str], elders: Select) -> list[dict]:
    """elder, kind and balance of the accounts of `kinds` that hold something, of the elders
    the subquery `elders` selects, by elder."""
    return (
        await Account.select(Account.elder, Account.kind, Account.balance)
        .where(Account.elder.is_in(elders) & Account.kind.is_in(kinds) & (Account.balance > 0))
        .order_by(Account.elder)
    )


async def credits_to_elders(kind: str, elder_ids: list[int], except_kind: str) -> list[dict]:
    """Every credit to these elders' accounts of `kind` by a transfer not of `except_kind`:
    elder, amount (negative), transfer and its time `at`."""
    return await Entry.select(
        Entry.account.elder.as_alias("elder"),
        Entry.amount,
        Entry.transfer,
        Entry.transfer.created_at.as_alias("at"),
    ).where(
        (Entry.account.kind == kind)
        & Entry.account.elder.is_in(elder_ids)
        & (Entry.amount < 0)
        & (Entry.transfer.kind != except_kind)
    )


async def transfers_total(kind: str, key_prefix: str, account_kind: str) -> dict:
    """transfers: how many transfers of `kind` whose key starts with `key_prefix` moved an
    account of `account_kind`, and amount: their legs' sum on those accounts."""
    row = await sql.fetchrow(
        "SELECT COUNT(DISTINCT t.id) AS transfers, COALESCE(SUM(e.amount), 0) AS amount"
        " FROM ledger_transfer t JOIN ledger_entry e ON e.transfer = t.id"
        " JOIN account a ON a.id = e.account"
        " WHERE t.kind = $1 AND t.key LIKE $2 AND a.kind = $3",
        kind,
        key_prefix + "%",  # our keys hold no LIKE wildcards
        account_kind,
    )
    assert row is not None  # an aggregate always answers one row
    return {key: int(value) for key, value in row.items()}


# ---------------------------------------------------------------- verification


async def accounts_with_entry_sums() -> list[dict]:
    """key, normal_side, balance and entries_sum (the sum of its legs) of every account."""
    return await sql.fetch(
        "SELECT a.key, a.normal_side, a.balance, COALESCE(SUM(e.amount), 0) AS entries_sum"
        " FROM account a LEFT JOIN ledger_entry e ON e.account = a.id"
        " GROUP BY a.id, a.key, a.normal_side, a.balance ORDER BY a.key"
    )


async def unbalanced_transfers() -> list[dict]:
    """transfer, unit and total of each transfer whose legs in a unit do not sum to zero."""
    return await sql.fetch(
        "SELECT e.transfer, a.unit, SUM(e.amount) AS total FROM ledger_entry e"
        " JOIN account a ON a.id = e.account GROUP BY e.transfer, a.unit"
        " HAVING SUM(e.amount) <> 0 ORDER BY e.transfer"
    )


async def ledger_size() -> tuple[int, int]:
    """How many entries and transfers the ledger holds."""
    return await Entry.count(), await Transfer.count()
