"""Pure money rules: accounts and legs of the double-entry ledger; paying what the subsidy leaves
of a bill (points, card, cash) and the legs of that payment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

# kind → (unit, normal side, name). Debit-normal accounts grow with debits (what the government,
# charity, families and the cash drawer have put in); credit-normal ones with credits (what the
# programme holds for an elder or owes a canteen). A balance on its normal side is never negative.
ACCOUNT_KINDS = {
    "elder_card": ("fen", "credit", "爱心卡"),
    "elder_points": ("points", "credit", "敬老分"),
    # A volunteer's 时间银行 points (owner: staff account id), banked for when they need help.
    "volunteer_points": ("points", "credit", "志愿者敬老分"),
    "canteen_receivable": ("fen", "credit", "食堂应收"),
    "cash": ("fen", "debit", "食堂现金"),
    "subsidy_fund": ("fen", "debit", "政府补贴资金"),
    "points_fund": ("points", "debit", "敬老分发放"),
    # 敬老分 spent at a canteen (owner: canteen id): taken out of circulation there.
    "points_redeemed": ("points", "credit", "敬老分已兑付"),
    "charity_fund": ("fen", "debit", "慈善资金"),
    "family_topups": ("fen", "debit", "家属充值"),
}
ELDER_KINDS = ("elder_card", "elder_points")
CANTEEN_KINDS = ("canteen_receivable", "cash")
# Kinds whose accounts may belong to a canteen: its own, and the shares of the shared funds that
# its orders move (see order_payment_legs).
CANTEEN_OWNED = (*CANTEEN_KINDS, "subsidy_fund", "points_redeemed")
TOPUP_SOURCES = {"government": "subsidy_fund", "charity": "charity_fund", "family": "family_topups"}


@dataclass(frozen=True)
class AccountRef:
    kind: str
    owner: int | None = None  # elder id for elder kinds, canteen id for canteen kinds

    @property
    def key(self) -> str:
        return self.kind if self.owner is None else f"{self.kind}:{self.owner}"

    @property
    def unit(self) -> str:
        return ACCOUNT_KINDS[self.kind][0]

    @property
    def normal_side(self) -> str:
        return ACCOUNT_KINDS[self.kind][1]

    @property
    def lock_rank(self) -> int:
        """Accounts are always updated elder first, then canteen, then the shared funds, so two
        transfers never wait on each other in opposite orders (no deadlocks on PostgreSQL)."""
        return 0 if self.kind in ELDER_KINDS else 1 if self.kind in CANTEEN_KINDS else 2


@dataclass(frozen=True)
class Leg:
    account: AccountRef
    amount: int  # debit positive, credit negative


def balance_change(normal_side: str, amount: int) -> int:
    return amount if normal_side == "debit" else -amount


def unbalanced_units(legs: list[Leg]) -> list[str]:
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        totals[leg.account.unit] += leg.amount
    return [unit for unit, total in totals.items() if total != 0]


def pair(debit: AccountRef, credit: AccountRef, amount: int) -> list[Leg]:
    """Debit one account and credit another by the same amount (no legs for zero)."""
    return [Leg(debit, amount), Leg(credit, -amount)] if amount else []


def reversal(legs: list[Leg]) -> list[Leg]:
    return [Leg(leg.account, -leg.amount) for leg in legs]


def topup_legs(elder_id: int, source: str, amount_fen: int) -> list[Leg]:
    # The fund is debit-normal: its balance counts what its source has paid in.
    return pair(AccountRef(TOPUP_SOURCES[source]), AccountRef("elder_card", elder_id), amount_fen)


def points_grant_legs(elder_id: int, points: int) -> list[Leg]:
    return pair(AccountRef("points_fund"), AccountRef("elder_points", elder_id), points)


# ---------------------------------------------------------------- checkout


@dataclass(frozen=True)
class Split:
    total_fen: int
    subsidy_fen: int
    subsidy_tier: str | None
    points_used: int
    points_fen: int
    card_fen: int
    cash_fen: int


class NotCovered(ValueError):
    """Cash is not allowed and subsidy, points and card do not cover the bill."""


@dataclass(frozen=True)
class PointsTerms:
    """What a 敬老分 is worth and how much of a bill they may pay (the policy in force says)."""

    value_fen: int
    cap_percent: int  # of what the subsidy leaves


def pay_rest(
    bill_fen: int,
    subsidy_fen: int,
    subsidy_tier: str | None,
    terms: PointsTerms,
    *,
    card_held: int,
    points_held: int,
    use_points: bool,
    cash_allowed: bool,
) -> Split:
    """Split what the subsidy leaves of a bill into points, card and cash, in that order, out of
    what the elder holds (docs/design.md, money rules)."""
    rest = bill_fen - subsidy_fen
    points_used = 0
    if use_points:
        cap_fen = rest * terms.cap_percent // 100
        points_used = min(max(points_held, 0), cap_fen // terms.value_fen)
    points_fen = points_used * terms.value_fen
    card = min(max(card_held, 0), rest - points_fen)
    cash = rest - points_fen - card
    if cash > 0 and not cash_allowed:
        raise NotCovered(
            f"余额不足：本单 {bill_fen} 分，补贴 {subsidy_fen} 分、敬老分抵 {points_fen} 分、"
            f"爱心卡余额 {card_held} 分，还差 {cash} 分，且本单不允许现金支付（cash_allowed=false）"
        )
    return Split(
        total_fen=bill_fen,
        subsidy_fen=subsidy_fen,
        subsidy_tier=subsidy_tier,
        points_used=points_used,
        points_fen=points_fen,
        card_fen=card,
        cash_fen=cash,
    )


def order_payment_legs(split: Split, elder_id: int, canteen_id: int) -> list[Leg]:
    """The canteen is owed the whole bill: the government pays the subsidy and what the points
    are worth, the points are redeemed, the card pays its part, the cash drawer the rest.

    The government's share is booked on the subsidy fund's account for this canteen, and the
    points on this canteen's redeemed-points account: one shared row that every order of the
    city updated would make orders on PostgreSQL wait for each other until COMMIT
    (docs/benchmarks.md). Summed over canteens they are the fund as a whole.
    """
    receivable = AccountRef("canteen_receivable", canteen_id)
    return [
        *pair(
            AccountRef("subsidy_fund", canteen_id), receivable, split.subsidy_fen + split.points_fen
        ),
        *pair(
            AccountRef("elder_points", elder_id),
            AccountRef("points_redeemed", canteen_id),
            split.points_used,
        ),
        *pair(AccountRef("elder_card", elder_id), receivable, split.card_fen),
        *pair(AccountRef("cash", canteen_id), receivable, split.cash_fen),
    ]


# ---------------------------------------------------------------- verification


def account_problems(key: str, normal_side: str, cached: int, entries_sum: int) -> list[str]:
    problems = []
    expected = balance_change(normal_side, entries_sum)
    if cached != expected:
        problems.append(f"账户 {key} 的余额 {cached} 与分录合计 {expected} 不符")
    if cached < 0:
        problems.append(f"账户 {key} 的余额为负（{cached}）")
    return problems
