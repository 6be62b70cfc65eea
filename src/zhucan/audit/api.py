from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from zhucan.access import Role
from zhucan.audit import service
from zhucan.audit.rules import ACTIONS
from zhucan.audit.schemas import AuditPage
from zhucan.http.deps import Ctx
from zhucan.http.guards import requires


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get(
        "/",
        guards=[requires(Role.ADMIN)],
        operation_id="listAudit",
        summary="审计日志：谁在何时做了什么（从新到旧，分页）",
    )
    async def list(
        self,
        ctx: Ctx,
        # The enum documents the service's check, which answers with the Chinese list.
        action: Annotated[
            str | None,
            QueryParameter(
                max_length=40,
                schema_extra={"enum": list(ACTIONS)},
                description="操作类型，如 canteen.update、card.topup",
            ),
        ] = None,
        actor: Annotated[
            str | None, QueryParameter(max_length=80, description="操作人用户名")
        ] = None,
        date_from: Annotated[date | None, QueryParameter(description="起始日期（含）")] = None,
        date_to: Annotated[date | None, QueryParameter(description="结束日期（含）")] = None,
        before: Annotated[
            int | None,
            QueryParameter(ge=1, description="只列出编号小于此值的记录（上一页的 next_before）"),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500, description="每页条数")] = 100,
    ) -> AuditPage:
        return await service.page(
            ctx.settings.tz,
            action=action,
            actor=actor,
            date_from=date_from,
            date_to=date_to,
            before=before,
            limit=limit,
        )


ROUTES = [AuditController]
