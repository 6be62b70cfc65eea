from datetime import date
from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from zhucan.access import Role
from zhucan.canteens.api import png_response, public_url
from zhucan.canteens.schemas import CanteenIn, CanteenPatch
from zhucan.compliance import (
    alerts,
    canteen_profile,
    config,
    due,
    findings,
    inspections,
    plans,
    posters,
    summary,
)
from zhucan.compliance.schemas import (
    AlertIn,
    AlertOut,
    CanteenDetail,
    CanteenSummary,
    ChecklistItemOut,
    ComplianceSummary,
    DueEntry,
    FindingOut,
    InspectionIn,
    InspectionOut,
    RandomPlanIn,
    RandomPlanOut,
    ResolveIn,
    ScorePreviewIn,
    ScorePreviewOut,
)
from zhucan.http.deps import Ctx
from zhucan.http.guards import requires, signed_in


class CanteenController(Controller):
    """The /canteens routes that show a canteen with its grade (its QR code is canteens')."""

    path = "/canteens"
    tags = ["canteens"]

    @get("/", operation_id="listCanteens", summary="食堂列表（含食品安全等级）")
    async def list(
        self,
        ctx: Ctx,
        region: Annotated[
            str | None, QueryParameter(description="只列出该区划（区、街道或社区）内的食堂")
        ] = None,
    ) -> list[CanteenSummary]:
        return await canteen_profile.summaries(ctx.today, region)

    @post("/", guards=[requires(Role.ADMIN)], operation_id="createCanteen", summary="登记食堂")
    async def create(self, request: Request, ctx: Ctx, data: JSONBody[CanteenIn]) -> CanteenSummary:
        return await canteen_profile.create(data, ctx.today, actor=signed_in(request).username)

    @patch(
        "/{code:str}",
        guards=[requires(Role.ADMIN)],
        operation_id="updateCanteen",
        summary="修改食堂信息",
    )
    async def update(
        self, request: Request, ctx: Ctx, code: FromPath[str], data: JSONBody[CanteenPatch]
    ) -> CanteenSummary:
        return await canteen_profile.patch(code, data, ctx.today, actor=signed_in(request).username)

    @get(
        "/{code:str}/poster.png",
        operation_id="canteenPoster",
        media_type="image/png",
        summary="食堂扫码点餐海报（A5，PNG，可打印；含等级与阳光厨房）",
    )
    async def poster(self, request: Request, ctx: Ctx, code: FromPath[str]) -> Response[bytes]:
        data = posters.poster_data(
            await canteen_profile.summary(code, ctx.today), public_url(request)
        )
        # Drawing takes most of a second of CPU: off the event loop, orders keep flowing.
        return png_response(await to_thread.run_sync(posters.render_poster, data))

    @get("/{code:str}", operation_id="getCanteen", summary="食堂详情（等级、检查历史、未整改问题）")
    async def get(
        self,
        ctx: Ctx,
        code: FromPath[str],
        as_of: Annotated[
            date | None, QueryParameter(description="按该日期计算等级，默认今天")
        ] = None,
    ) -> CanteenDetail:
        return await canteen_profile.detail(code, as_of or ctx.today)


class ComplianceController(Controller):
    path = "/compliance"
    tags = ["compliance"]

    @get("/checklist", operation_id="getChecklist", summary="食品安全量化分级检查表")
    async def checklist(self) -> list[ChecklistItemOut]:
        return await config.checklist()

    @post(
        "/score-preview",
        guards=[requires(Role.INSPECTOR, Role.ADMIN)],
        status_code=200,
        operation_id="previewScore",
        summary="按已勾选的结论试算得分、动态等级和整改期限（不保存）",
    )
    async def score_preview(self, ctx: Ctx, data: JSONBody[ScorePreviewIn]) -> ScorePreviewOut:
        return await inspections.preview(data, ctx.today)

    @get(
        "/summary",
        guards=[requires(Role.ADMIN, Role.INSPECTOR)],
        operation_id="complianceSummary",
        summary="年度食品安全目标进展（AB 级占比、阳光厨房、C 级食堂）",
    )
    async def summary(
        self,
        ctx: Ctx,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        as_of: Annotated[
            date | None, QueryParameter(description="按该日期统计；默认今天或该年年末")
        ] = None,
    ) -> ComplianceSummary:
        return await summary.summary(year, as_of, ctx.today, ctx.settings.tz)

    @get(
        "/due",
        guards=[requires(Role.INSPECTOR, Role.ADMIN)],
        operation_id="inspectionsDue",
        summary="到期或逾期应检查的食堂",
    )
    async def due(
        self,
        ctx: Ctx,
        as_of: Annotated[date | None, QueryParameter(description="按该日期计算，默认今天")] = None,
    ) -> list[DueEntry]:
        return await due.due(as_of or ctx.today)

    @post(
        "/random-plan",
        guards=[requires(Role.ADMIN)],
        operation_id="drawRandomPlan",
        summary="双随机抽取检查对象和检查员并公开",
    )
    async def draw(self, request: Request, data: JSONBody[RandomPlanIn]) -> RandomPlanOut:
        return await plans.draw_random_plan(data, signed_in(request))

    @get("/random-plans", operation_id="listRandomPlans", summary="已公开的双随机抽查计划")
    async def plans(self) -> list[RandomPlanOut]:
        return await plans.random_plans()


class CanteenComplianceController(Controller):
    path = "/canteens/{code:str}"
    tags = ["compliance"]

    @post(
        "/inspections",
        guards=[requires(Role.INSPECTOR)],
        operation_id="fileInspection",
        summary="录入一次检查（得分、动态等级、年度等级、整改问题）",
    )
    async def file(
        self, request: Request, ctx: Ctx, code: FromPath[str], data: JSONBody[InspectionIn]
    ) -> InspectionOut:
        return await inspections.file_inspection(code, data, signed_in(request), ctx.today)

    @get("/inspections", operation_id="listInspections", summary="食堂检查历史（最新在前）")
    async def history(self, ctx: Ctx, code: FromPath[str]) -> list[InspectionOut]:
        return await inspections.inspections(code, ctx.today)

    @post(
        "/findings/{item:str}/resolve",
        guards=[requires(Role.INSPECTOR)],
        status_code=200,
        operation_id="resolveFinding",
        summary="确认检查项问题已整改",
    )
    async def resolve(
        self,
        request: Request,
        ctx: Ctx,
        code: FromPath[str],
        item: FromPath[str],
        data: JSONBody[ResolveIn | None] = None,
    ) -> list[FindingOut]:
        return await findings.resolve(
            code, item, data or ResolveIn(), signed_in(request), ctx.today
        )

    @post(
        "/alerts",
        guards=[requires(Role.CANTEEN_STAFF)],
        operation_id="reportCameraAlert",
        summary="明厨亮灶摄像头告警上报",
    )
    async def alert(
        self, request: Request, ctx: Ctx, code: FromPath[str], data: JSONBody[AlertIn]
    ) -> AlertOut:
        return await alerts.record_alert(code, data, signed_in(request), ctx.settings.tz)


ROUTES = [CanteenController, ComplianceController, CanteenComplianceController]
