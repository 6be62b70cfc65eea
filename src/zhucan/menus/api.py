from datetime import date, datetime

from litestar import Controller, Request, get, put
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody

from zhucan.errors import Forbidden, NotFound
from zhucan.menus import service
from zhucan.menus.schemas import MenuIn, MenuOut, Slot
from zhucan.people.auth import ROLE_NAMES, signed_in


async def admin_or_staff_of_path_canteen(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A guard for /canteens/{code}/…: admins, or canteen staff bound to that very canteen.
    Guards are coroutines: Litestar hands a plain function to a worker thread on every call."""
    staff = signed_in(connection)
    code = connection.path_params.get("code")
    if staff.role == "admin" or (staff.role == "canteen_staff" and staff.canteen_code == code):
        return
    if staff.role == "canteen_staff":
        raise Forbidden(f"只能管理本食堂（{staff.canteen_code}），不能管理 {code}")
    raise Forbidden(
        f"此操作仅限管理员和该食堂的工作人员，当前账号是{ROLE_NAMES.get(staff.role, staff.role)}"
    )


class MenuController(Controller):
    path = "/canteens/{code:str}/menus/{meal_date:date}/{slot:str}"
    tags = ["menus"]

    @put(
        "/",
        guards=[admin_or_staff_of_path_canteen],
        operation_id="putMenu",
        summary="发布或修改某日某餐次的菜单",
    )
    async def put(
        self,
        code: FromPath[str],
        meal_date: FromPath[date],
        slot: FromPath[Slot],
        data: JSONBody[MenuIn],
    ) -> MenuOut:
        return await service.put_menu(code, meal_date, slot, data)

    @get("/", operation_id="getMenu", summary="查看某日某餐次的菜单（含剩余份数）")
    async def get(
        self, code: FromPath[str], meal_date: FromPath[date], slot: FromPath[Slot]
    ) -> MenuOut:
        return await service.get_menu(code, meal_date, slot)


@get(
    "/canteens/{code:str}/menus/next",
    operation_id="getNextMenu",
    tags=["menus"],
    summary="下一个还能点的餐次的菜单（今天或之后几天）；没有则 404",
)
async def next_menu(request: Request, code: FromPath[str]) -> MenuOut:
    now = datetime.now(request.app.state.settings.tz)
    menu = await service.next_open_menu(code, now.date(), now.time())
    if menu is None:
        raise NotFound(f"{code} 最近 7 天没有还能点的菜单")
    return menu


ROUTES = [MenuController, next_menu]
