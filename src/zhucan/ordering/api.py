from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from zhucan.http.deps import Ctx
from zhucan.http.guards import current_staff, manages_path_canteen, signed_in
from zhucan.http.idempotency import IDEMPOTENCY_RESPONSES, IdempotencyKey, once, takeover_period
from zhucan.http.problems import problem_responses
from zhucan.menus.schemas import Slot
from zhucan.ordering import service
from zhucan.ordering.schemas import (
    KitchenView,
    MyOrder,
    OrderIn,
    OrderOut,
    OrderPreview,
    StatusIn,
)
from zhucan.params import DbId

# Card and PIN: a locked card (423), too many wrong PINs from one address (429).
CARD_CHECKS = problem_responses(423, 429)


class OrderController(Controller):
    path = "/orders"
    tags = ["orders"]

    @post(
        "/",
        operation_id="placeOrder",
        summary="点餐（刷卡或代为点餐；需 Idempotency-Key）",
        status_code=201,
        responses={**IDEMPOTENCY_RESPONSES, **CARD_CHECKS},
    )
    async def place(
        self,
        request: Request,
        ctx: Ctx,
        data: JSONBody[OrderIn],
        idempotency_key: IdempotencyKey,
    ) -> Response[OrderOut]:
        placer = await service.placer_of(
            current_staff(request), data, ctx.settings, ctx.client_address
        )
        outcome = await service.place_order_once(
            idempotency_key, data, placer, ctx.now, takeover_period(ctx.settings)
        )
        return outcome.response()

    @post(
        "/preview",
        operation_id="previewOrder",
        status_code=200,
        responses=CARD_CHECKS,
        summary="点餐前预览：政府补贴、敬老分、爱心卡和现金各付多少（不下单、不扣款）",
    )
    async def preview(
        self,
        request: Request,
        ctx: Ctx,
        data: JSONBody[OrderIn],
    ) -> OrderPreview:
        placer = await service.placer_of(
            current_staff(request), data, ctx.settings, ctx.client_address
        )
        return await service.preview_order(data, placer, ctx.today, ctx.now.time())

    @get(
        "/",
        operation_id="listMyOrders",
        summary="我的订单：志愿者、家属关联老人的订单，或热线话务员代点的订单（某一天，默认今天起）",
    )
    async def mine(
        self,
        request: Request,
        ctx: Ctx,
        meal_date: Annotated[
            date | None, QueryParameter(name="date", description="只看这一天；默认今天和之后的")
        ] = None,
    ) -> list[MyOrder]:
        return await service.my_orders(signed_in(request), meal_date or ctx.today, meal_date)

    @get("/{order_id:int}", operation_id="getOrder", summary="查看订单")
    async def get(self, request: Request, order_id: DbId) -> OrderOut:
        await service.ensure_can_see_order(signed_in(request), order_id)
        return await service.order_out(order_id)

    @post(
        "/{order_id:int}/cancel",
        operation_id="cancelOrder",
        summary="取消订单并原路退款（需 Idempotency-Key）",
        status_code=200,
        responses=IDEMPOTENCY_RESPONSES,
    )
    async def cancel(
        self, request: Request, order_id: DbId, idempotency_key: IdempotencyKey
    ) -> Response[OrderOut]:
        staff = signed_in(request)
        await service.ensure_can_see_order(staff, order_id)

        async def effects():
            return 200, await service.cancel_order(order_id, staff)

        return await once(
            request, idempotency_key, f"POST /orders/{order_id}/cancel", staff.username, {}, effects
        )

    @post(
        "/{order_id:int}/status",
        operation_id="setOrderStatus",
        summary="更新订单状态（食堂工作人员；关联的志愿者、家属可标记送达或不在家）",
        status_code=200,
    )
    async def status(self, request: Request, order_id: DbId, data: JSONBody[StatusIn]) -> OrderOut:
        return await service.set_status(order_id, data.status, signed_in(request))


class KitchenController(Controller):
    path = "/canteens/{code:str}/kitchen"
    tags = ["orders"]

    @get(
        "/",
        guards=[manages_path_canteen],
        operation_id="kitchenView",
        summary="后厨视图：各菜份数、订单与饮食备注、送餐单",
    )
    async def view(
        self,
        ctx: Ctx,
        code: FromPath[str],
        meal_date: Annotated[
            date | None, QueryParameter(name="date", description="用餐日期，默认今天")
        ] = None,
        slot: Annotated[Slot, QueryParameter(description="餐次")] = "lunch",
    ) -> KitchenView:
        return await service.kitchen_view(code, meal_date or ctx.today, slot)


ROUTES = [OrderController, KitchenController]
