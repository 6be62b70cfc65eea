"""The page a canteen's QR code opens on an elder's phone: `/c/{code}`.

Plain HTML forms, so ordering works without JavaScript (elder.js only adds the big keypad,
± buttons and reading the order number aloud):

1. GET  /c/{code}          canteen, grade, the next open menu; dishes, card number and PIN.
2. POST /c/{code}/preview  checks the PIN and shows who pays what (`ordering.service.preview_order`,
                           the order's own checkout). The PIN is not put back into the page: the
                           verified elder travels to step 3 in a signed ticket instead.
3. POST /c/{code}/order    places the order through the API's idempotent path with the
                           Idempotency-Key generated into step 2's form (a double tap or a resent
                           form never orders twice), then redirects (Post/Redirect/Get) to
4. GET  /c/{code}/done     the big order number, behind a signed receipt.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import jwt
from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from pydantic import ValidationError

from zhucan.clock import now_utc
from zhucan.compliance import canteen_profile as canteens
from zhucan.errors import BadInput, DomainError, NotAuthenticated
from zhucan.http.deps import Ctx
from zhucan.http.idempotency import takeover_period
from zhucan.menus import service as menus
from zhucan.ordering import service as ordering
from zhucan.ordering.schemas import OrderIn, OrderLineIn
from zhucan.people import service as people
from zhucan.settings import Settings

# Elder mode has no time limits: an elder may put the phone down between seeing the bill and
# confirming. The ticket only has to outlive any such pause, not a whole day: a page left open
# in a shared phone's history cannot order tomorrow on the elder's card.
TICKET_HOURS = 6
RECEIPT_DAYS = 2
_ALGORITHM = "HS256"

# What the order's refusals mean for an elder holding the phone, where the API's detail names
# request fields.
HINTS = {
    "cash_allowed": "爱心卡、补贴和敬老分不够付这一餐，您又选了不付现金。"
    "可以少点一些，或勾选“卡里钱不够时，我到柜台付现金”。",
    "card_no": "爱心卡号或密码不对，请再看一下卡上的号码。",
    # The page shows the meal that can be ordered now, so say why the chosen one is gone.
    "slot": "这一餐已经过了供应时间，或者还没有菜单，不能点了。下面是现在能点的一餐，请重新选菜。",
}


# The API's refusals start with the field they are about ("items[0].dish_id：…"); an elder is
# told only the reason.
_FIELD_PREFIX = re.compile(r"^[A-Za-z_][\w\[\].-]*：")


def _plain(error: DomainError) -> str:
    """What to tell an elder: the hint in plain words where there is one, else the reason."""
    return HINTS.get(error.field or "") or _FIELD_PREFIX.sub("", error.detail)


def _sign(purpose: str, claims: dict[str, Any], settings: Settings, ttl: timedelta) -> str:
    return jwt.encode(
        {"purpose": purpose, "exp": now_utc() + ttl, **claims},
        settings.secret_key,
        algorithm=_ALGORITHM,
    )


def _read(purpose: str, token: str, settings: Settings, code: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "purpose"]},
        )
    except jwt.InvalidTokenError:
        claims = {}
    if claims.get("purpose") != purpose or claims.get("canteen") != code:
        raise NotAuthenticated("请重新输入爱心卡号和密码", field="ticket")
    return claims


# A Chinese keyboard's full-width digits, which an elder's phone may well type.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _typed(text: str) -> str:
    """What was typed, with full-width digits made plain ("１２" → "12")."""
    return text.translate(_FULL_WIDTH_DIGITS).strip()


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _quantities(form) -> dict[str, str]:
    """dish id → the quantity as typed, from the form's qty_<dish id> fields."""
    return {
        name[4:]: qty
        for name, value in form.items()
        if name.startswith("qty_") and (qty := _typed(value))
    }


def _order_in(code: str, form, **who: Any) -> OrderIn:
    lines = []
    for dish_id, qty in _quantities(form).items():
        if not _digits(qty) or not 0 <= int(qty) <= 20:
            raise BadInput("份数请填 0 到 20 之间的数字", field="items")
        if int(qty):
            lines.append({"dish_id": dish_id, "qty": int(qty)})
    if not lines:
        raise BadInput("请至少选一个菜（在菜名旁边把份数改成 1）", field="items")
    try:
        return OrderIn(
            canteen=code,
            items=[OrderLineIn(**x) for x in lines],
            meal_date=form.get("meal_date") or None,
            slot=form.get("slot") or None,
            cash_allowed=form.get("cash_allowed") == "1",
            confirm_diet_clash=form.get("confirm_diet_clash") == "1",
            **who,
        )
    except ValidationError:
        raise BadInput("所选菜品或餐次有误，请返回重新选择", field="items") from None


def error_page(request: Request, error: DomainError) -> Template:
    """A refusal outside the order form (an unknown canteen code, …) as a page, not JSON."""
    return Template(
        "elder_error.html", context={"error": _plain(error)}, status_code=error.status_code
    )


class ElderPages(Controller):
    path = "/c/{code:str}"
    include_in_schema = False
    exception_handlers = {DomainError: error_page}

    async def _menu_page(
        self, now: datetime, code: str, form=None, error: DomainError | None = None
    ) -> Template:
        menu = await menus.next_open_menu(code, now.date(), now.time())
        form = form or {}
        context = {
            "code": code,
            "canteen": await canteens.summary(code, now.date()),
            "menu": menu,
            "today": now.date(),
            "card_no": form.get("card_no", ""),
            "quantities": _quantities(form),
            "cash_allowed": form.get("cash_allowed", "1") == "1",
            "error": error and _plain(error),
            "clashes": getattr(error, "clashes", None),
        }
        return Template(
            "elder_order.html", context=context, status_code=error.status_code if error else 200
        )

    @get("/", operation_id="elderOrderPage", summary="老人扫码点餐页")
    async def menu(self, ctx: Ctx, code: FromPath[str]) -> Template:
        return await self._menu_page(ctx.now, code)

    @post(
        "/preview", operation_id="elderPreviewPage", summary="老人点餐：核对付款", status_code=200
    )
    async def preview(
        self,
        request: Request,
        ctx: Ctx,
        code: FromPath[str],
    ) -> Template:
        now, settings = ctx.now, ctx.settings
        form = await request.form()
        card_no, pin = _typed(form.get("card_no", "")), _typed(form.get("pin", ""))
        try:
            if not (_digits(card_no) and len(card_no) == 12):
                raise BadInput("爱心卡号是卡上的 12 位数字，请再输一遍", field="card_no")
            if not (_digits(pin) and len(pin) == 6):
                raise BadInput("密码是 6 位数字，请再输一遍", field="pin")
            data = _order_in(code, form, card_no=card_no, pin=pin)
            elder_id = await people.verify_card_pin(
                card_no, pin, settings, client=ctx.client_address
            )
            preview = await ordering.preview_order(
                data, ordering.Placer(elder_id, "qr", None), now.date(), now.time()
            )
        except DomainError as error:
            return await self._menu_page(now, code, form, error)
        ticket = _sign(
            "elder-order",
            {"canteen": code, "elder": elder_id},
            settings,
            timedelta(hours=TICKET_HOURS),
        )
        return Template(
            "elder_preview.html",
            context={
                "code": code,
                "preview": preview,
                "ticket": ticket,
                "key": str(uuid.uuid4()),
                "today": now.date(),
                "cash_allowed": data.cash_allowed,
                "confirm_diet_clash": data.confirm_diet_clash,
            },
        )

    @post("/order", operation_id="elderPlaceOrder", summary="老人点餐：确认下单")
    async def order(self, request: Request, ctx: Ctx, code: FromPath[str]) -> Template | Redirect:
        now, settings = ctx.now, ctx.settings
        form = await request.form()
        try:
            claims = _read("elder-order", form.get("ticket", ""), settings, code)
            data = _order_in(code, form)
            key = form.get("key", "")
            if not key:
                raise BadInput("页面已过期，请重新点餐", field="key")
            outcome = await ordering.place_order_once(
                key,
                data,
                ordering.Placer(claims["elder"], "qr", None),
                now,
                takeover_period(settings),
            )
        except DomainError as error:
            return await self._menu_page(now, code, form, error)
        # A refusal stored under this key (sold out meanwhile, …): said again on every resend.
        if refusal := outcome.refusal():
            return await self._menu_page(now, code, form, refusal)
        receipt = _sign(
            "elder-receipt",
            {"canteen": code, "order": outcome.body["order_id"]},
            settings,
            timedelta(days=RECEIPT_DAYS),
        )
        return Redirect(f"/c/{code}/done?r={receipt}", status_code=303)

    @get("/done", operation_id="elderOrderDone", summary="老人点餐：订单号")
    async def done(
        self,
        ctx: Ctx,
        code: FromPath[str],
        r: Annotated[str, QueryParameter(description="签名的回执")] = "",
    ) -> Template | Redirect:
        try:
            claims = _read("elder-receipt", r, ctx.settings, code)
        except NotAuthenticated:
            return Redirect(f"/c/{code}", status_code=303)  # an old or mistyped link: start again
        order = await ordering.order_out(claims["order"])
        today = ctx.today
        return Template(
            "elder_done.html",
            context={
                "code": code,
                "order": order,
                "today": today,
                "canteen": await canteens.summary(code, today),
                # Digit by digit, the way a number is called out at a counter.
                "spoken": "您的订单号是，" + "，".join(str(order.order_id)),
            },
        )


ROUTES = [ElderPages]
