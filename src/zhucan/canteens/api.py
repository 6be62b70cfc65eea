from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from zhucan.canteens import service
from zhucan.canteens.qr import canteen_url, qr_png


def public_url(request: Request) -> str:
    # ZHUCAN_PUBLIC_URL (`zhucan serve` sets it); else the address this request came in on.
    return request.app.state.settings.public_url or str(request.base_url)


def png_response(content: bytes) -> Response[bytes]:
    return Response(content, media_type="image/png", headers={"Cache-Control": "no-cache"})


class CanteenController(Controller):
    """The canteen's own routes; the /canteens routes that show its grade are served by the
    food-safety domain above, which may read canteens."""

    path = "/canteens"
    tags = ["canteens"]

    @get(
        "/{code:str}/qr.png",
        operation_id="canteenQrCode",
        media_type="image/png",
        summary="食堂扫码点餐二维码（PNG）",
    )
    async def qr(self, request: Request, code: FromPath[str]) -> Response[bytes]:
        await service.require(code)
        return png_response(qr_png(canteen_url(public_url(request), code)))


ROUTES = [CanteenController]
