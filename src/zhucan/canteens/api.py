from datetime import date
from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from zhucan.canteens import posters, service
from zhucan.canteens.schemas import CanteenDetail, CanteenIn, CanteenPatch, CanteenSummary
from zhucan.clock import today
from zhucan.people.auth import requires, signed_in


def _today(request: Request) -> date:
    return today(request.app.state.settings.tz)


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
        request: Request,
        region: Annotated[
            str | None, QueryParameter(description="只列出该区划（区、街道或社区）内的食堂")
        ] = None,
    ) -> list[CanteenSummary]:
        return await service.summaries(_today(request), region)

    @post("/", guards=[requires("admin")], operation_id="createCanteen", summary="登记食堂")
    async def create(self, request: Request, data: JSONBody[CanteenIn]) -> CanteenSummary:
        return await service.create(data, _today(request), actor=signed_in(request).username)

    @patch(
        "/{code:str}",
        guards=[requires("admin")],
        operation_id="updateCanteen",
        summary="修改食堂信息",
    )
    async def update(
        self, request: Request, code: FromPath[str], data: JSONBody[CanteenPatch]
    ) -> CanteenSummary:
        return await service.patch(code, data, _today(request), actor=signed_in(request).username)

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
    async def poster(self, request: Request, code: FromPath[str]) -> Response[bytes]:
        data = posters.poster_data(
            await service.summary(code, _today(request)), _public_url(request)
        )
        # Drawing takes most of a second of CPU: off the event loop, orders keep flowing.
        return _png(await to_thread.run_sync(posters.render_poster, data))

    @get("/{code:str}", operation_id="getCanteen", summary="食堂详情（等级、检查历史、未整改问题）")
    async def get(
        self,
        request: Request,
        code: FromPath[str],
        as_of: Annotated[
            date | None, QueryParameter(description="按该日期计算等级，默认今天")
        ] = None,
    ) -> CanteenDetail:
        return await service.detail(code, as_of or _today(request))


ROUTES = [CanteenController]
