from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, QueryParameter

from zhucan.access import Role
from zhucan.http.deps import Ctx
from zhucan.http.guards import requires, signed_in
from zhucan.params import DbId
from zhucan.people import service as people
from zhucan.reports import service
from zhucan.reports.schemas import (
    MealReport,
    MonthMeals,
    SettlementOut,
    Statement,
    VisitIn,
    VisitOut,
    WelfareAlert,
)
from zhucan.subsidies.rules import MONTH_PATTERN

# The pattern documents what the service's parse_month checks, with its Chinese message.
Month = Annotated[
    str,
    QueryParameter(
        max_length=7,
        schema_extra={"pattern": MONTH_PATTERN},
        description="结算月份 YYYY-MM（按用餐日期）",
    ),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ReportController(Controller):
    path = "/reports"
    tags = ["reports"]
    guards = [requires(Role.ADMIN)]

    @get(
        "/settlement",
        operation_id="settlementReport",
        summary="月度结算：各食堂的政府补贴与敬老分应付、爱心卡支付、现金",
    )
    async def settlement(self, month: Month) -> SettlementOut:
        return await service.settlement(month)

    @get(
        "/settlement.csv",
        operation_id="settlementCsv",
        media_type="text/csv",
        summary="月度结算 CSV（中文列名，分与元）",
    )
    async def settlement_csv(self, month: Month) -> Response:
        return _download(
            await service.settlement_csv(month),
            "text/csv; charset=utf-8",
            f"settlement-{month}.csv",
        )

    @get(
        "/settlement.xlsx",
        operation_id="settlementXlsx",
        media_type=XLSX,
        summary="月度结算 Excel 表（表头、合计行，分与元）",
    )
    async def settlement_xlsx(self, month: Month) -> Response:
        return _download(await service.settlement_xlsx(month), XLSX, f"settlement-{month}.xlsx")

    @get(
        "/meals",
        operation_id="mealReport",
        summary="年度助餐报告：人次、老人数、渠道、补贴人次、社区覆盖率，对照目标与基准年",
    )
    async def meals(
        self,
        year: Annotated[int, QueryParameter(ge=2000, le=2100)],
        baseline: Annotated[
            int | None,
            QueryParameter(
                ge=2000,
                le=2100,
                description="基准年，默认取目标文件中的 baseline_year",
            ),
        ] = None,
    ) -> MealReport:
        return await service.meal_report(year, baseline)

    @get(
        "/meals/monthly",
        operation_id="mealsByMonth",
        summary="某年每月助餐人次（有效订单，按用餐日期），用于对照“双倍增”目标",
    )
    async def meals_monthly(
        self,
        year: Annotated[int, QueryParameter(ge=2000, le=2100)],
    ) -> list[MonthMeals]:
        return await service.meals_by_month(year)


class StatementController(Controller):
    path = "/elders/{elder_id:int}/statement"
    tags = ["money"]

    @get("/", operation_id="elderStatement", summary="爱心卡与敬老分对账单：每笔变动及原因")
    async def statement(
        self,
        request: Request,
        ctx: Ctx,
        elder_id: DbId,
        date_from: Annotated[
            date | None, QueryParameter(name="from", description="开始日期，默认本月 1 日")
        ] = None,
        date_to: Annotated[
            date | None, QueryParameter(name="to", description="结束日期（含），默认今天")
        ] = None,
    ) -> Statement:
        await people.ensure_can_view(signed_in(request), elder_id)
        day = ctx.today
        return await service.statement(
            elder_id, date_from or day.replace(day=1), date_to or day, ctx.settings.tz
        )


class WelfareController(Controller):
    path = "/welfare/alerts"
    tags = ["welfare"]

    @get(
        "/",
        operation_id="welfareAlerts",
        summary="关爱提醒：独居老人平时常来用餐却连续两天未用餐，或送餐无人应答",
    )
    async def alerts(
        self,
        request: Request,
        ctx: Ctx,
        community: Annotated[
            str | None, QueryParameter(max_length=32, description="只看某社区（村）")
        ] = None,
    ) -> list[WelfareAlert]:
        return await service.welfare_alerts(signed_in(request), ctx.today, community)

    @post(
        "/{elder_id:int}/visits",
        operation_id="recordWelfareVisit",
        summary="登记上门探访（之后该老人的提醒消除）",
    )
    async def visit(
        self, request: Request, ctx: Ctx, elder_id: DbId, data: JSONBody[VisitIn]
    ) -> VisitOut:
        return await service.record_visit(elder_id, data, signed_in(request), ctx.today)


ROUTES = [ReportController, StatementController, WelfareController]
