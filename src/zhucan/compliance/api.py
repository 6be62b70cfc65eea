from datetime import date
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from zhucan.access import Role
from zhucan.compliance import service
from zhucan.compliance.schemas import (
    AlertIn,
    AlertOut,
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
from zhucan.http.deps import AppSettings, Today
from zhucan.http.guards import requires, signed_in


class ComplianceController(Controller):
    path = "/compliance"
    tags = ["compliance"]

    @get("/checklist", operation_id="getChecklist", summary="食品安全量化分级检查表")
    async def checklist(self) -> list[ChecklistItemOut]:
        return await service.checklist()

    @post(
        "/score-preview",
        guards=[requires(Role.INSPECTOR, Role.ADMIN)],
        status_code=200,
        operation_id="previewScore",
        summary="按已勾选的结论试算得分、动态等级和整改期限（不保存）",
    )
    async def score_preview(self, today: Today, data: JSONBody[ScorePreviewIn]) -> ScorePreviewOut:
        return await service.preview(data, today)

    @get(
        "/summary",
        guards=[requires(Role.ADMIN, Role.INSPECTOR)],
        operation_id="complianceSummary",
        summary="年度食品安全目标进展（AB 级占比、阳光厨房、C 级食堂）",
    )
    async def summary(
        self,
        today: Today,
        settings: AppSettings,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        as_of: Annotated[
            date | None, QueryParameter(description="按该日期统计；默认今天或该年年末")
        ] = None,
    ) -> ComplianceSummary:
        return await service.summary(year, as_of, today, settings.tz)

    @get(
        "/due",
        guards=[requires(Role.INSPECTOR, Role.ADMIN)],
        operation_id="inspectionsDue",
        summary="到期或逾期应检查的食堂",
    )
    async def due(
        self,
        today: Today,
        as_of: Annotated[date | None, QueryParameter(description="按该日期计算，默认今天")] = None,
    ) -> list[DueEntry]:
        return await service.due(as_of or today)

    @post(
        "/random-plan",
        guards=[requires(Role.ADMIN)],
        operation_id="drawRandomPlan",
        summary="双随机抽取检查对象和检查员并公开",
    )
    async def draw(self, request: Request, data: JSONBody[RandomPlanIn]) -> RandomPlanOut:
        return await service.draw_random_plan(data, signed_in(request))

    @get("/random-plans", operation_id="listRandomPlans", summary="已公开的双随机抽查计划")
    async def plans(self) -> list[RandomPlanOut]:
        return await service.random_plans()


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
        self, request: Request, today: Today, code: FromPath[str], data: JSONBody[InspectionIn]
    ) -> InspectionOut:
        return await service.file_inspection(code, data, signed_in(request), today)

    @get("/inspections", operation_id="listInspections", summary="食堂检查历史（最新在前）")
    async def history(self, today: Today, code: FromPath[str]) -> list[InspectionOut]:
        return await service.inspections(code, today)

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
        today: Today,
        code: FromPath[str],
        item: FromPath[str],
        data: JSONBody[ResolveIn | None] = None,
    ) -> list[FindingOut]:
        return await service.resolve(code, item, data or ResolveIn(), signed_in(request), today)

    @post(
        "/alerts",
        guards=[requires(Role.CANTEEN_STAFF)],
        operation_id="reportCameraAlert",
        summary="明厨亮灶摄像头告警上报",
    )
    async def alert(
        self, request: Request, settings: AppSettings, code: FromPath[str], data: JSONBody[AlertIn]
    ) -> AlertOut:
        return await service.record_alert(code, data, signed_in(request), settings.tz)


ROUTES = [ComplianceController, CanteenComplianceController]
