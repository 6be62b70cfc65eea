"""Pure rules of the reports: yuan for people, what the government owes, ratios against
targets, statement reasons, the welfare signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from zhucan.money.rules import balance_change
from zhucan.reports.schemas import StatementLine

# ---------------------------------------------------------------- money for people


def yuan(fen: int) -> str:
    """12345 → "123.45": exact, never through a float."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


# What a spreadsheet reads as the start of a formula (OWASP, CSV injection): a canteen named
# "=HYPERLINK(…)" must reach the clerk's Excel as that text, never as a live formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> object:
    """A text value a spreadsheet would run as a formula, with the apostrophe that keeps it text;
    numbers and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def growth(value: int, baseline: int) -> float | None:
    """Year-on-year growth against a baseline: 0.25 for a quarter more, None without a baseline."""
    return None if baseline == 0 else round(value / baseline - 1, 4)


def government_fen(settled: dict[str, int]) -> int:
    """What the government owes a canteen: the meal subsidy and what the points were worth."""
    return settled["subsidy_fen"] + settled["points_fen"]


def on_track(target_coverage: float, target_meals: int, coverage: float | None, meals: int) -> bool:
    """Whether a year meets its targets for community coverage and meals."""
    return coverage is not None and coverage >= target_coverage and meals >= target_meals


# ---------------------------------------------------------------- the elder's statement

REASONS = {
    "order_payment": "订餐支付",
    "card_topup": "爱心卡充值",
    "monthly_issue": "月度发放",
    "points_expiry": "敬老分到期作废",
    "points_grant": "敬老分发放",
    "timebank_credit": "时间银行服务奖励",
    "opening_balance": "开户余额",
}


def reason(kind: str, key: str, note: str) -> str:
    """What a transfer was for, in the words of a statement."""
    if kind == "reversal":
        text = "取消订单退回" if key.startswith("order:") else "冲正"
    else:
        text = REASONS.get(kind, kind)
    if key.startswith("order:"):
        text += f"（订单 {key.split(':')[1]}）"
    return f"{text}：{note}" if note else text


def statement_lines(card: int, points: int, entries: list[dict[str, Any]]) -> list[StatementLine]:
    """A statement's lines from the opening balances of the elder's card (fen) and points and
    the entries on those accounts in transfer order (amount, kind of account, transfer,
    transfer_kind, key, note, at): one line per transfer, with the balances after it."""
    lines: list[StatementLine] = []
    for entry in entries:
        change = balance_change("credit", entry["amount"])
        if lines and lines[-1].transfer_id == entry["transfer"]:
            line = lines.pop()
        else:
            line = StatementLine(
                transfer_id=entry["transfer"],
                at=entry["at"],
                reason=reason(entry["transfer_kind"], entry["key"], entry["note"]),
                card_fen=0,
                points=0,
                card_balance_fen=card,
                points_balance=points,
            )
        if entry["kind"] == "elder_card":
            card += change
            line = line.model_copy(
                update={"card_fen": line.card_fen + change, "card_balance_fen": card}
            )
        else:
            points += change
            line = line.model_copy(
                update={"points": line.points + change, "points_balance": points}
            )
        lines.append(line)
    return lines


# ---------------------------------------------------------------- welfare signal

# "Usually eats through the programme": at least this many meals in the days before the quiet
# spell; a quiet spell of this many days with no meal (nor one ordered for today) raises a flag.
USUAL_MEALS = 8
USUAL_WINDOW_DAYS = 14
QUIET_DAYS = 2


def usual_window(today: date) -> tuple[date, date]:
    """The days (inclusive) whose meals tell whether an elder usually eats with us."""
    last = today - timedelta(days=QUIET_DAYS + 1)
    return last - timedelta(days=USUAL_WINDOW_DAYS - 1), last


@dataclass(frozen=True)
class MealFacts:
    usual_meals: int  # meals in usual_window(today)
    last_meal: date | None  # the latest meal date up to today
    last_not_home: date | None  # the latest delivery that came back not_home
    last_visit: date | None


@dataclass(frozen=True)
class Signal:
    kind: str  # no_meal | not_home
    since: date
    text: str


def welfare_signals(facts: MealFacts, today: date) -> list[Signal]:
    """Why an elder living alone should be visited; a visit on or after `since` clears it."""
    signals = []
    quiet_from = today - timedelta(days=QUIET_DAYS)
    if facts.usual_meals >= USUAL_MEALS and (
        facts.last_meal is None or facts.last_meal < quiet_from
    ):
        since = facts.last_meal + timedelta(days=1) if facts.last_meal else quiet_from
        signals.append(
            Signal(
                "no_meal",
                since,
                f"平时常来用餐（前 {USUAL_WINDOW_DAYS} 天 {facts.usual_meals} 餐），"
                f"自 {since} 起已 {(today - since).days} 天没有用餐",
            )
        )
    if facts.last_not_home is not None:
        signals.append(
            Signal("not_home", facts.last_not_home, f"{facts.last_not_home} 送餐上门无人应答")
        )
    return [s for s in signals if facts.last_visit is None or facts.last_visit < s.since]
