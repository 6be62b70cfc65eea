"""Staff consoles: sign-in, volunteers and family (/v), the 12349 hotline (/hotline) and the
kitchen screen (/k/{code}).

The pages are server-rendered shells; static/js/staff.js signs in through POST /api/v1/auth/token
and fills them from the JSON API with the bearer token (static/js/console.js), so every rule and
permission stays in the API and no cookie exists for a CSRF attack to ride on.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from zhucan.access import ROLE_LABELS, Role
from zhucan.compliance import canteen_profile as canteens
from zhucan.http.deps import Ctx
from zhucan.menus import service as menus
from zhucan.menus.rules import DIET_NAMES, SLOT_NAMES
from zhucan.menus.schemas import Slot
from zhucan.ordering.rules import STATUS_NAMES
from zhucan.web.page_errors import PAGE_ERRORS

# Where each role lands after signing in; {canteen} is the account's canteen.
HOMES = {
    Role.VOLUNTEER: "/v",
    Role.FAMILY: "/v",
    Role.OPERATOR: "/hotline",
    Role.CANTEEN_STAFF: "/k/{canteen}",
    Role.ADMIN: "/admin",
    Role.INSPECTOR: "/inspect",
}
FULFILMENTS = {"dine_in": "堂食", "takeaway": "自取", "delivery": "送餐"}
# The names the consoles show for the API's codes.
LABELS = {
    "status": STATUS_NAMES,
    "slot": SLOT_NAMES,
    "fulfilment": FULFILMENTS,
    "diet": DIET_NAMES,
    "role": ROLE_LABELS,
}


def _console(template: str, **context) -> Template:
    return Template(template, context={"labels": LABELS, **context})


@get("/login", operation_id="loginPage", summary="工作人员登录页", include_in_schema=False)
async def login() -> Template:
    return _console("login.html", homes=HOMES)


@get(
    "/v",
    operation_id="volunteerConsole",
    summary="志愿者和家属：代点餐与送餐",
    include_in_schema=False,
)
async def volunteer() -> Template:
    return _console("volunteer_console.html")


@get(
    "/hotline",
    operation_id="hotlineConsole",
    summary="12349 热线：查找老人、代点餐",
    include_in_schema=False,
)
async def hotline() -> Template:
    return _console("hotline_console.html")


@get(
    "/k/{code:str}",
    operation_id="kitchenScreen",
    summary="后厨屏幕：份数与订单队列",
    include_in_schema=False,
    exception_handlers=PAGE_ERRORS,
)
async def kitchen(
    ctx: Ctx,
    code: FromPath[str],
    meal_date: Annotated[date | None, QueryParameter(name="date")] = None,
    slot: Annotated[Slot | None, QueryParameter()] = None,
) -> Template:
    """The coming slot unless a date and slot are asked for: the one the kitchen cooks next."""
    now = ctx.now
    canteen = await canteens.summary(code, now.date())
    if meal_date is None or slot is None:
        coming = await menus.next_open_menu(code, now.date(), now.time())
        meal_date, slot = (coming.meal_date, coming.slot) if coming else (now.date(), "lunch")
    return _console("kitchen_screen.html", canteen=canteen, meal_date=meal_date, slot=slot)


ROUTES = [login, volunteer, hotline, kitchen]
