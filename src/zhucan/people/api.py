import builtins
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from zhucan.access import Role
from zhucan.http.deps import Ctx
from zhucan.http.guards import requires, signed_in
from zhucan.http.problems import problem_responses
from zhucan.params import DbId
from zhucan.people import service
from zhucan.people.auth import issue_token
from zhucan.people.schemas import ElderIn, ElderOut, LinkIn, LinkOut, TokenOut, TokenRequest


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/token",
        operation_id="issueToken",
        summary="工作人员登录，获取令牌",
        status_code=200,
        responses=problem_responses(429),
    )
    async def token(self, ctx: Ctx, data: JSONBody[TokenRequest]) -> TokenOut:
        staff = await service.authenticate(data.username, data.password, client=ctx.client_address)
        return TokenOut(
            access_token=issue_token(
                staff, ctx.settings.secret_key, ctx.settings.token_ttl_seconds
            ),
            role=staff.role,
            expires_in=ctx.settings.token_ttl_seconds,
        )


class ElderController(Controller):
    path = "/elders"
    tags = ["elders"]

    @post(
        "/", guards=[requires(Role.ADMIN)], operation_id="createElder", summary="登记老人并发爱心卡"
    )
    async def create(self, request: Request, ctx: Ctx, data: JSONBody[ElderIn]) -> ElderOut:
        return await service.create_elder(
            data, ctx.settings, ctx.today, actor=signed_in(request).username
        )

    @get(
        "/",
        operation_id="listElders",
        summary="查找老人（管理员、热线）或本人关联的老人（志愿者、家属）",
    )
    async def list(
        self,
        request: Request,
        ctx: Ctx,
        q: Annotated[
            str | None, QueryParameter(max_length=50, description="姓名、电话尾号或 12 位爱心卡号")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> builtins.list[ElderOut]:  # `list` in here is the handler below
        return await service.visible_elders(signed_in(request), ctx.today, q, limit)

    @get("/{elder_id:int}", operation_id="getElder", summary="查看老人信息（个人信息脱敏）")
    async def get(self, request: Request, ctx: Ctx, elder_id: DbId) -> ElderOut:
        await service.ensure_can_view(signed_in(request), elder_id)
        return await service.get_elder(elder_id, ctx.today)

    @post(
        "/{elder_id:int}/links",
        guards=[requires(Role.ADMIN)],
        operation_id="linkElder",
        summary="关联志愿者或家属账号",
    )
    async def link(self, request: Request, elder_id: DbId, data: JSONBody[LinkIn]) -> LinkOut:
        return await service.link(elder_id, data.username, actor=signed_in(request).username)


ROUTES = [AuthController, ElderController]
