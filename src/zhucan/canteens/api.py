from datetime import date
from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from zhucan.access import Role
from zhucan.canteens import posters, service
from zhucan.canteens.schemas import CanteenDetail, CanteenIn, CanteenPatch, CanteenSummary
from zhucan.http.deps import Today
from zhucan.http.guards import requires, signed_in


def _public_url(request: Request) -> str:
    # ZHUCAN_PUBLIC_URL (`zhucan serve` sets it); else the address this request came in on.
    return request.app.state.settings.public_url or str(request.base_url)


def _png(content: bytes) -> Response[bytes]:
    return Response(content, media_type="image/png", headers={"Cache-Control": "no-cache"})


class CanteenController(Controller):
    path = "/canteens"
    tags = ["canteens"]

    @get("/", operation_id="listCanteens", summary="食堂列表（含食品安全等级）")
    async def list(
        self,
        today: Today,
        region: Annotated[
            str | None, QueryParameter(description="只列出该区划（区、街道或社区）内的食堂")
        ] = None,
    ) -> list[CanteenSummary]:
        return await service.summaries(today, region)

    @post("/", guards=[requires(Role.ADMIN)], operation_id="createCanteen", summary="登记食堂")
    async def create(
        self, request: Request, today: Today, data: JSONBody[CanteenIn]
    ) -> CanteenSummary:
        return await service.create(data, today, actor=signed_in(request).username)

    @patch(
        "/{code:str}",
        guards=[requires(Role.ADMIN)],
        operation_id="updateCanteen",
        summary="修改食堂信息",
    )
    async def update(
        self, request: Request, today: Today, code: FromPath[str], data: JSONBody[CanteenPatch]
    ) -> CanteenSummary:
        return await service.patch(code, data, today, actor=signed_in(request).username)

    @get(
        "/{code:str}/qr.png",
        operation_id="canteenQrCode",
        media_type="image/png",
        summary="食堂扫码点餐二维码（PNG）",
    )
    async def qr(self, request: Request, code: FromPath[str]) -> Response[bytes]:
        await service.require(code)
        return _png(posters.qr_png(posters.canteen_url(_public_url(request), code)))

    @get(
        "/{code:str}/poster.png",
        operation_id="canteenPoster",
        media_type="image/png",
        summary="食堂扫码点餐海报（A5，PNG，可打印；含等级与阳光厨房）",
    )
    async def poster(self, request: Request, today: Today, code: FromPath[str]) -> Response[bytes]:
        data = posters.poster_data(await service.summary(code, today), _public_url(request))
        # Drawing takes most of a second of CPU: off the event loop, orders keep flowing.
        return _png(await to_thread.run_sync(posters.render_poster, data))

    @get("/{code:str}", operation_id="getCanteen", summary="食堂详情（等级、检查历史、未整改问题）")
    async def get(
        self,
        today: Today,
        code: FromPath[str],
        as_of: Annotated[
            date | None, QueryParameter(description="按该日期计算等级，默认今天")
        ] = None,
    ) -> CanteenDetail:
        return await service.detail(code, as_of or today)


ROUTES = [CanteenController]
