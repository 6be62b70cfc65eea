from datetime import date

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from zhucan.errors import NotFound
from zhucan.http.deps import Ctx
from zhucan.http.guards import manages_path_canteen
from zhucan.menus import service
from zhucan.menus.schemas import MenuIn, MenuOut, Slot


class MenuController(Controller):
    path = "/canteens/{code:str}/menus/{meal_date:date}/{slot:str}"
    tags = ["menus"]

    @put(
        "/",
        guards=[manages_path_canteen],
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
async def next_menu(ctx: Ctx, code: FromPath[str]) -> MenuOut:
    menu = await service.next_open_menu(code, ctx.now.date(), ctx.now.time())
    if menu is None:
        raise NotFound(f"{code} 最近 7 天没有还能点的菜单")
    return menu


ROUTES: list[ControllerRouterHandler] = [MenuController, next_menu]
