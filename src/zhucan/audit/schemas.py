from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="工作人员用户名、cli:<系统用户> 或 system")
    action: str
    action_label: str = Field(description="操作的中文名称")
    target: str = Field(description="对象，如 canteen:C1、elder:12")
    detail: dict[str, Any] = Field(description="操作要点；身份证号、电话已脱敏")


class AuditPage(BaseModel):
    entries: list[AuditEntryOut] = Field(description="按时间从新到旧")
    next_before: int | None = Field(description="下一页请求时作为 before 参数；没有更多时为 null")
