"""GET /canteens/{code}/qr.png and /poster.png."""

import io

import zxingcpp
from litestar.testing import AsyncTestClient
from PIL import Image

from tests.conftest import requires_cjk_font
from tests.factories import Factory
from tests.problems import assert_problem
from zhucan.app import create_app


def decoded(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    return [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))]


async def test_qr_code_leads_to_the_canteen_page_under_the_public_url(client, factory):
    await factory.canteen("C1")
    assert decoded(await client.get("/api/v1/canteens/C1/qr.png")) == ["http://zhucan.test/c/C1"]


@requires_cjk_font
async def test_poster_is_a5_and_its_qr_code_scans(client, factory):
    await factory.canteen("ZH-CQ-01", name="长丰社区老年食堂")
    response = await client.get("/api/v1/canteens/ZH-CQ-01/poster.png")
    assert decoded(response) == ["http://zhucan.test/c/ZH-CQ-01"]
    image = Image.open(io.BytesIO(response.content))
    assert image.width >= 874 and image.height >= 1240


async def _qr_text(db, public_url: str | None, base_url: str) -> list[str]:
    """The QR code's text from an app of its own, reached at `base_url`."""
    app = create_app(db.settings(public_url=public_url))
    async with AsyncTestClient(app=app, base_url=base_url) as client:
        db.rebind()  # as the `client` fixture does: the app's pool lives on the portal's loop
        await Factory(client, db.settings()).canteen("C1")
        return decoded(await client.get("/api/v1/canteens/C1/qr.png"))


async def test_configured_public_url_is_used_as_given(db):
    assert await _qr_text(db, "https://meals.yinzhou.example/", "http://10.0.0.5:8000") == [
        "https://meals.yinzhou.example/c/C1"
    ]


async def test_without_a_public_url_the_request_address_is_used(db):
    assert await _qr_text(db, None, "http://192.0.2.7:8000") == ["http://192.0.2.7:8000/c/C1"]


async def test_unknown_canteen_has_neither(client):
    for kind in ("qr", "poster"):
        assert_problem(await client.get(f"/api/v1/canteens/NOPE/{kind}.png"), 404, "NOPE")
