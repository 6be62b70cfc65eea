from datetime import date
from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody, QueryParameter

from zhucan.access import Role
from zhucan.http.deps import Ctx
from zhucan.http.guards import requires, signed_in
from zhucan.params import DbId
from zhucan.subsidies import policy as subsidy_policy
from zhucan.subsidies import service
from zhucan.subsidies.schemas import (
    ElderStatusIn,
    ElderStatusOut,
    FrozenCards,
    IssueIn,
    IssueOut,
    SubsidyPolicy,
    TimebankIn,
    TimebankOut,
    TimebankStatus,
)


class SubsidyController(Controller):
    path = "/subsidies"
    tags = ["subsidies"]
    guards = [requires(Role.ADMIN)]

    @get("/policy", operation_id="getSubsidyPolicy", summary="查看某日执行的补贴政策（默认今天）")
    async def policy(
        self,
        ctx: Ctx,
        on: Annotated[date | None, QueryParameter(description="日期，默认今天")] = None,
    ) -> SubsidyPolicy:
        return await subsidy_policy.policy_in_force(on or ctx.today)

    @get(
        "/policy/versions",
        operation_id="listSubsidyPolicies",
        summary="补贴政策各版本（按生效日期，含已排期的）",
    )
    async def versions(self) -> list[SubsidyPolicy]:
        return await subsidy_policy.policy_versions()

    @put(
        "/policy",
        operation_id="putSubsidyPolicy",
        summary="自 effective_from 起以新政策替换（不能早于今天；已下的订单不受影响）",
    )
    async def put_policy(
        self, request: Request, ctx: Ctx, data: JSONBody[SubsidyPolicy]
    ) -> SubsidyPolicy:
        return await subsidy_policy.put_policy(data, ctx.today, signed_in(request).username)

    @post(
        "/issue",
        operation_id="issueMonthly",
        status_code=200,
        summary="月度发放爱心卡额度和敬老分（重复执行不会重复发放）",
    )
    async def issue(self, request: Request, ctx: Ctx, data: JSONBody[IssueIn]) -> IssueOut:
        return await service.issue_month(
            data.month, ctx.today, ctx.settings.tz, signed_in(request).username
        )

    @get(
        "/frozen-cards",
        operation_id="frozenCards",
        summary="已去世或迁出老人的冻结余额（爱心卡与敬老分）",
    )
    async def frozen(self) -> FrozenCards:
        return await service.frozen_cards()


class ElderStatusController(Controller):
    path = "/elders/{elder_id:int}/status"
    tags = ["elders"]

    @post(
        "/",
        guards=[requires(Role.ADMIN)],
        operation_id="setElderStatus",
        status_code=200,
        summary="设置老人状态：去世或迁出时冻结爱心卡，余额保留并单列",
    )
    async def set_status(
        self, request: Request, elder_id: DbId, data: JSONBody[ElderStatusIn]
    ) -> ElderStatusOut:
        return await service.set_elder_status(elder_id, data, signed_in(request).username)


class TimebankController(Controller):
    path = "/timebank/entries"
    tags = ["timebank"]

    @post("/", operation_id="logTimebankService", summary="登记时间银行服务时长（待管理员批准）")
    async def log(self, request: Request, ctx: Ctx, data: JSONBody[TimebankIn]) -> TimebankOut:
        return await service.log_service(data, signed_in(request), ctx.today)

    @get("/", operation_id="listTimebankEntries", summary="时间银行记录（志愿者只看本人的）")
    async def list(
        self,
        request: Request,
        status: Annotated[TimebankStatus | None, QueryParameter(description="按状态筛选")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[TimebankOut]:
        return await service.list_entries(signed_in(request), status, limit)

    @post(
        "/{entry_id:int}/approve",
        guards=[requires(Role.ADMIN)],
        status_code=200,
        operation_id="approveTimebankEntry",
        summary="批准并记入敬老分（只记一次）",
    )
    async def approve(self, request: Request, entry_id: DbId) -> TimebankOut:
        return await service.decide(entry_id, True, signed_in(request).username)

    @post(
        "/{entry_id:int}/reject",
        guards=[requires(Role.ADMIN)],
        status_code=200,
        operation_id="rejectTimebankEntry",
        summary="驳回时间银行记录",
    )
    async def reject(self, request: Request, entry_id: DbId) -> TimebankOut:
        return await service.decide(entry_id, False, signed_in(request).username)


ROUTES = [SubsidyController, ElderStatusController, TimebankController]
