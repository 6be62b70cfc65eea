"""Pure rules about people: 居民身份证 numbers, 爱心卡 numbers, PINs, age tiers, masking."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from typing import Literal

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_CHARS = "10X98765432"
MIN_ELDER_AGE = 60
# 特困, 低保, 低保边缘, 残疾, 优抚对象, other: what a subsidy tier can be granted for.
Category = Literal["tekun", "dibao", "dibian", "disabled", "youfu", "other"]
# What an elder needs of every dish; menus tag dishes with these (and more).
DietTag = Literal["soft", "low_salt", "low_sugar", "low_fat", "vegetarian", "halal"]
AgeTier = Literal["age60", "age80", "age90"]
# Deceased and moved elders keep their records; their 爱心卡 is frozen.
ElderStatus = Literal["active", "deceased", "moved"]


class RuleViolation(ValueError):
    """Input breaks a rule; the message says which, in Chinese."""


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


# Digit classes are spelled [0-9]: Python's \d also matches full-width ０-９, which int() accepts.
# No one enrolled was born earlier: the oldest people alive were born after 1900.
FIRST_BIRTH_YEAR = 1900


def parse_id_number(id_number: str) -> date:
    """Validate an 18-character 居民身份证 number (GB 11643) and return the birth date in it."""
    value = id_number.strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise RuleViolation("身份证号必须是 18 位，前 17 位为数字，最后一位为数字或 X")
    if id_check_char(value[:17]) != value[17]:
        raise RuleViolation("身份证号校验位不正确，请核对号码")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise RuleViolation("身份证号中的出生日期不是有效日期") from None
    if birth.year < FIRST_BIRTH_YEAR:  # a mistyped year would enrol a 226-year-old at 90+ rates
        raise RuleViolation(
            f"身份证号中的出生年份 {birth.year} 早于 {FIRST_BIRTH_YEAR} 年，请核对号码"
        )
    return birth


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_tier(age: int) -> AgeTier | None:
    """The derived age tier a subsidy or points grant can hang on."""
    if age >= 90:
        return "age90"
    if age >= 80:
        return "age80"
    if age >= 60:
        return "age60"
    return None


def luhn_check_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right of the payload is doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_card_no(card_no: str) -> bool:
    return (
        bool(re.fullmatch(r"[0-9]{12}", card_no)) and luhn_check_digit(card_no[:11]) == card_no[11]
    )


def card_no_from(payload11: str) -> str:
    return payload11 + luhn_check_digit(payload11)


def validate_pin(pin: str) -> str:
    if not re.fullmatch(r"[0-9]{6}", pin or ""):
        raise RuleViolation("密码必须是 6 位数字")
    return pin


def pin_digest(secret_key: str, card_no: str, pin: str) -> str:
    """Keyed hash of a PIN: a database dump alone does not reveal it, and checking costs µs."""
    message = f"pin:{card_no}:{pin}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def id_number_digest(secret_key: str, id_number: str) -> str:
    """Keyed hash to find and de-duplicate elders by 身份证号 without storing it."""
    message = f"id:{id_number.strip().upper()}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """138****1234; shorter numbers lose the prefix so that at least four digits stay hidden."""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) >= 8:
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * len(phone)


def mask_id_last4(last4: str) -> str:
    return "*" * 14 + last4


def validate_phone(phone: str) -> str:
    value = phone.strip().replace(" ", "").replace("-", "")
    if not re.fullmatch(r"1[3-9][0-9]{9}|0[0-9]{9,11}", value):
        raise RuleViolation("电话号码须为 11 位手机号或带区号的固定电话")
    return value


PIN_ATTEMPTS = 5
PIN_LOCK_MINUTES = 15
