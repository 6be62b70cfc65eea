from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zhucan.access import Role
from zhucan.params import Text
from zhucan.people.rules import (
    AgeTier,
    Category,
    DietTag,
    ElderStatus,
    RuleViolation,
    parse_id_number,
    validate_phone,
    validate_pin,
)


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    role: Role
    expires_in: int = Field(description="令牌有效秒数")


class ElderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=50)
    # The patterns document what the validators below check, with their Chinese messages.
    id_number: str = Field(
        description="18 位居民身份证号（校验位必须正确，年满 60 周岁）",
        json_schema_extra={"pattern": r"^\s*[0-9]{17}[0-9Xx]\s*$"},
    )
    phone: str = Field(default="", max_length=20)
    region: str = Field(min_length=1, max_length=32, description="户籍或居住社区/村的区划代码")
    categories: list[Category] = Field(default_factory=list, max_length=6)
    pin: str = Field(description="6 位数字爱心卡密码", json_schema_extra={"pattern": "^[0-9]{6}$"})
    lives_alone: bool = False
    diet: list[DietTag] = Field(default_factory=list, description="饮食要求（如软食、低盐）")
    allergies: list[str] = Field(
        default_factory=list, max_length=20, description="过敏原，如 花生、海鲜"
    )
    proxy_consent: bool = Field(default=False, description="是否同意由志愿者、家属、热线代为点餐")
    address: str = Field(default="", max_length=200)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        try:
            parse_id_number(value)
        except RuleViolation as exc:
            raise ValueError(str(exc)) from None
        return value.strip().upper()

    @field_validator("pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        try:
            return validate_pin(value)
        except RuleViolation as exc:
            raise ValueError(str(exc)) from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not value:
            return value
        try:
            return validate_phone(value)
        except RuleViolation as exc:
            raise ValueError(str(exc)) from None

    @field_validator("allergies")
    @classmethod
    def _allergies(cls, value: list[str]) -> list[str]:
        cleaned = sorted({a.strip() for a in value if a.strip()})
        if any(len(a) > 20 or "," in a for a in cleaned):
            raise ValueError("每个过敏原最多 20 个字符，且不能含逗号")
        return cleaned


class ElderOut(BaseModel):
    elder_id: int
    card_no: str
    name: str = Field(description="脱敏姓名，如 张*明")
    phone: str = Field(description="脱敏电话，如 138****1234")
    id_number: str = Field(description="脱敏身份证号，仅显示后 4 位")
    region: str
    categories: list[Category]
    age: int
    age_tier: AgeTier | None
    lives_alone: bool
    diet: list[DietTag]
    allergies: list[str]
    proxy_consent: bool
    address: str
    status: ElderStatus


class LinkIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)


class LinkOut(BaseModel):
    elder_id: int
    username: str
    role: Role


class StaffIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Role
    canteen: str | None = None
    display_name: str = Field(default="", max_length=100)
