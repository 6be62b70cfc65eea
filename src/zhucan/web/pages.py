"""Server-rendered pages. Handlers only gather data from the domain services and render."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from zhucan.compliance import canteen_profile as canteens
from zhucan.compliance import plans
from zhucan.http.deps import Ctx
from zhucan.web.backoffice import ROUTES as BACKOFFICE_ROUTES
from zhucan.web.data_browser import ROUTES as DATA_BROWSER_ROUTES
from zhucan.web.elder import ROUTES as ELDER_ROUTES
from zhucan.web.inspector import ROUTES as INSPECTOR_ROUTES
from zhucan.web.page_errors import PAGE_ERRORS
from zhucan.web.staff import ROUTES as STAFF_ROUTES


@get("/", operation_id="homePage", summary="首页", include_in_schema=False)
async def home() -> Template:
    return Template("index.html")


class PublicPages(Controller):
    path = "/public"
    include_in_schema = False
    exception_handlers = PAGE_ERRORS

    @get("/canteens", operation_id="publicCanteensPage", summary="食堂食品安全公示页")
    async def canteens(self, ctx: Ctx) -> Template:
        as_of = ctx.today
        return Template(
            "public_canteens.html",
            context={"canteens": await canteens.summaries(as_of), "as_of": as_of},
        )

    @get("/canteens/{code:str}", operation_id="publicCanteenPage", summary="单个食堂公示页")
    async def canteen(self, ctx: Ctx, code: FromPath[str]) -> Template:
        as_of = ctx.today
        return Template(
            "public_canteen.html",
            context={"canteen": await canteens.detail(code, as_of), "as_of": as_of},
        )

    @get("/random-plans", operation_id="publicRandomPlansPage", summary="双随机抽查计划公示页")
    async def random_plans(self) -> Template:
        return Template("public_random_plans.html", context={"plans": await plans.random_plans()})


ROUTES: list[ControllerRouterHandler] = [
    home,
    PublicPages,
    *INSPECTOR_ROUTES,
    *BACKOFFICE_ROUTES,
    *DATA_BROWSER_ROUTES,
    *ELDER_ROUTES,
    *STAFF_ROUTES,
]
