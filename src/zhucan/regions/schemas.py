from pydantic import BaseModel, ConfigDict, Field

from zhucan.params import Text

CODE_PATTERN = r"^[A-Za-z0-9_-]+$"


class RegionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=1, max_length=32, pattern=CODE_PATTERN, description="区划代码，字母、数字、-、_"
    )
    name: Text = Field(min_length=1, max_length=100)
    parent: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        pattern=CODE_PATTERN,
        description="上级区划代码；区/县不填",
    )


class RegionOut(BaseModel):
    code: str
    name: str
    parent: str | None
    level: str = Field(description="district | street | community")
    depth: int


class RegionsFile(BaseModel):
    """kitchens/regions.toml: the region tree, parents before children."""

    region: list[RegionIn]
