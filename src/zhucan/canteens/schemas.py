from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhucan.canteens.rules import Kind, Size, SunshineLevel, licence_problem
from zhucan.params import IsoDate, Text
from zhucan.regions.schemas import CODE_PATTERN


class CanteenFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100)
    kind: Kind
    region: str = Field(min_length=1, max_length=32, description="所在社区/村的区划代码")
    size: Size
    address: str = Field(default="", max_length=200)
    license_no: str = Field(default="", max_length=64, description="食品经营许可证编号")
    license_issued: IsoDate | None = None
    license_expires: IsoDate | None = None
    insurance_expires: IsoDate | None = Field(default=None, description="食品安全责任保险到期日")
    sunshine_level: SunshineLevel = "none"
    capacity: int = Field(default=0, ge=0, le=100000, description="座位或每餐供餐能力")
    active: bool = True

    @model_validator(mode="after")
    def _licence_dates(self):
        problem = licence_problem(self.license_issued, self.license_expires)
        if problem:
            raise ValueError(problem)
        return self


class CanteenIn(CanteenFields):
    code: str = Field(min_length=1, max_length=32, pattern=CODE_PATTERN)


class CanteenPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A field left out stays as it is; only the dates may be set to null (unknown), so only
    # they are nullable in the OpenAPI document. Pydantic does not check the None defaults.
    # The type: ignores below are that choice: `| None` would put null in the document (and
    # Litestar does not honour pydantic's SkipJsonSchema).
    name: Text = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    kind: Kind = None  # type: ignore[assignment]
    region: str = Field(default=None, min_length=1, max_length=32)  # type: ignore[assignment]
    size: Size = None  # type: ignore[assignment]
    address: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    license_no: str = Field(default=None, max_length=64)  # type: ignore[assignment]
    license_issued: IsoDate | None = None
    license_expires: IsoDate | None = None
    insurance_expires: IsoDate | None = None
    sunshine_level: SunshineLevel = None  # type: ignore[assignment]
    capacity: int = Field(default=None, ge=0, le=100000)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required(cls, data):
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key not in (
                    "license_issued",
                    "license_expires",
                    "insurance_expires",
                ):
                    raise ValueError(f"{key}：不能设为空")
        return data
