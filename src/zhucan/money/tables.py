from piccolo.columns import BigInt, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.canteens.tables import Canteen
from zhucan.people.tables import Elder


class Account(Table, tablename="account"):
    """A ledger account; `balance` caches the sum of its entries on its normal side.

    The money migrations add CHECK (balance >= 0) on both engines, so no code path can leave an
    account overdrawn even if it forgot the conditional update.
    """

    id: Serial

    key = Varchar(length=64, unique=True)  # e.g. "elder_card:12", "canteen_receivable:3"
    kind = Varchar(length=24)
    unit = Varchar(length=8)  # fen | points
    normal_side = Varchar(length=6)  # debit | credit
    elder = ForeignKey(
        references=Elder, null=True, default=None, index=True, on_delete=OnDelete.no_action
    )
    canteen = ForeignKey(
        references=Canteen, null=True, default=None, index=True, on_delete=OnDelete.no_action
    )
    balance = BigInt(default=0)  # a city's subsidy fund outgrows int4 (21.47 million 元)
    created_at = Timestamptz()


class Transfer(Table, tablename="ledger_transfer"):
    """A movement between accounts; never edited, undone only by a reversing transfer."""

    id: Serial

    key = Varchar(length=120, unique=True)  # what it is for, so it can never be posted twice
    kind = Varchar(length=24)
    reverses: ForeignKey["Transfer"] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.no_action
    )
    note = Varchar(length=200, default="")
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()


class Entry(Table, tablename="ledger_entry"):
    """One leg of a transfer: debit positive, credit negative, in the account's unit."""

    id: Serial

    # The ledger is append-only: deleting what it refers to must fail, not cascade.
    transfer = ForeignKey(references=Transfer, index=True, on_delete=OnDelete.no_action)
    account = ForeignKey(references=Account, index=True, on_delete=OnDelete.no_action)
    amount = BigInt()
