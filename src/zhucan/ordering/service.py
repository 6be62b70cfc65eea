"""Placing, cancelling and following orders; the kitchen's view of a meal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from zhucan.access import Role, Staff, acts_for_linked_elders, sees_every_elder, works_at
from zhucan.audit import service as audit
from zhucan.canteens import queries as canteens
from zhucan.canteens.rules import can_take_orders
from zhucan.clock import now_utc
from zhucan.db.codes import split_codes
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound
from zhucan.http.idempotency import Outcome, run_once
from zhucan.menus import queries as menus
from zhucan.menus import rules as menu_rules
from zhucan.money import rules as money_rules
from zhucan.money import service as money
from zhucan.money.schemas import BalanceOut
from zhucan.ordering import queries, rules
from zhucan.ordering.rules import Status
from zhucan.ordering.schemas import (
    DeliveryStop,
    DishPortions,
    KitchenOrder,
    KitchenView,
    MyOrder,
    OrderIn,
    OrderLineOut,
    OrderOut,
    OrderPreview,
)
from zhucan.people import queries as elders
from zhucan.people import rules as people_rules
from zhucan.people import service as people
from zhucan.regions import queries as regions
from zhucan.settings import Settings
from zhucan.subsidies import rules as subsidy_rules
from zhucan.subsidies.policy import policy_in_force
from zhucan.subsidies.schemas import SubsidyPolicy


@dataclass(frozen=True)
class Placer:
    """Who eats and who placed the order, once authenticated."""

    elder_id: int
    channel: str
    placed_by: str | None  # staff username; None when the elder used card and PIN

    @property
    def principal(self) -> str:
        return f"{self.placed_by or 'card'}:{self.elder_id}"


class DietClash(Conflict):
    """Dishes that do not suit the elder's diet or allergies, ordered without confirming."""

    def __init__(self, clashes: list[str]):
        super().__init__(
            "菜品与老人的饮食要求或过敏原冲突："
            + "；".join(clashes)
            + "。如已与老人确认仍要点，请设置 confirm_diet_clash 为 true",
            field="confirm_diet_clash",
        )
        self.clashes = clashes


async def placer_of(
    staff: Staff | None, data: OrderIn, settings: Settings, client: str | None = None
) -> Placer:
    """`client` is the request's address, for the per-address limit on PIN guessing."""
    if staff is None:
        if not data.card_no or not data.pin:
            raise NotAuthenticated(
                "刷卡点餐须提供爱心卡号 card_no 和 6 位密码 pin；工作人员代点须带登录令牌",
                field="card_no",
            )
        if data.elder_id is not None:
            raise BadInput(
                "elder_id：刷卡点餐只需 card_no 和 pin，不要同时提供 elder_id", field="elder_id"
            )
        return Placer(
            await people.verify_card_pin(data.card_no, data.pin, settings, client=client),
            "qr",
            None,
        )
    if data.elder_id is None:
        raise BadInput("elder_id：代为点餐必须指明老人编号 elder_id", field="elder_id")
    if data.card_no or data.pin:
        raise BadInput(
            "card_no：代为点餐用 elder_id 指明老人，不要提供 card_no 和 pin", field="card_no"
        )
    channel = rules.CHANNEL_BY_ROLE.get(staff.role)
    if channel is None:
        raise Forbidden("只有志愿者、家属、12349 热线话务员和食堂工作人员可以代老人点餐")
    elder = await elders.elder_for_order(data.elder_id)
    if elder is None:
        raise NotFound(f"没有编号为 {data.elder_id} 的老人")
    if channel == "counter":
        # The elder stands at the counter, so no consent to ordering by proxy is needed.
        if staff.canteen_code != data.canteen:
            raise Forbidden(f"食堂工作人员只能在本食堂（{staff.canteen_code}）代点餐")
    else:
        if channel == "proxy" and not await people.is_linked(data.elder_id, staff.id):
            raise Forbidden("该老人未与本账号关联，不能代为点餐")
        if not elder["proxy_consent"]:
            raise Forbidden("该老人未同意由他人代为点餐（proxy_consent），请老人本人到食堂刷卡点餐")
    return Placer(data.elder_id, channel, staff.username)


# ---------------------------------------------------------------- reading orders


# OrderOut's fields that meal_order stores under the same name; `canteen` is its code in OrderOut
# and its id in the table.
_STORED_AS_IS = [
    name for name in OrderOut.model_fields if name in queries.ORDER_COLUMNS and name != "canteen"
]


async def _orders_out(rows: list[dict]) -> list[OrderOut]:
    """Orders as the API shows them, from their meal_order rows (two statements for any
    number of them: their lines, their canteens' codes)."""
    lines = await queries.lines_of([row["id"] for row in rows])
    codes = await canteens.canteen_codes(sorted({row["canteen"] for row in rows}))
    return [
        OrderOut(
            order_id=row["id"],
            canteen=codes[row["canteen"]],
            elder_id=row["elder"],
            items=[OrderLineOut(**line) for line in lines[row["id"]]],
            **{name: row[name] for name in _STORED_AS_IS},
        )
        for row in rows
    ]


# Reading, cancelling and placing orders run fixed SQL (db/sql.py): the lunch rush's hot path.
async def order_out(order_id: int) -> OrderOut:
    row = await queries.order(order_id)
    if row is None:
        raise NotFound(f"没有编号为 {order_id} 的订单")
    return (await _orders_out([row]))[0]


async def _canteen_code(order: dict) -> str:
    return (await canteens.canteen_codes([order["canteen"]]))[order["canteen"]]


async def ensure_can_see_order(staff: Staff, order_id: int) -> None:
    """Only those who see every order learn that an id is unknown (404). Anyone else gets the
    403 of an order that is not theirs, so ids cannot be probed for a canteen's orders."""
    row = await queries.order(order_id)
    if row is None and sees_every_elder(staff):
        raise NotFound(f"没有编号为 {order_id} 的订单")
    if staff.role is Role.CANTEEN_STAFF:
        if row is None or not works_at(staff, await _canteen_code(row)):
            raise Forbidden("食堂工作人员只能查看本食堂的订单")
        return
    if row is None:
        raise people.not_linked()
    await people.ensure_can_view(staff, row["elder"])


# ---------------------------------------------------------------- placing


async def _take_portions(lines: list[tuple[dict, int]]) -> None:
    """Take the portions of every (menu item, qty) line, or refuse naming the first dish short
    (the refusal rolls the whole transaction back). The lock order of placing and cancelling an
    order: the elder, the dishes (menus.queries.add_sold), then the accounts (post_transfer);
    a cancellation locks the order first."""
    taken = await menus.add_sold([(item["id"], qty) for item, qty in lines])
    for item, qty in sorted(lines, key=lambda line: line[0]["id"]):
        if item["id"] not in taken:
            left = await menus.quota_and_sold(item["id"])
            if left is None:  # taken off the menu since the order read it
                raise Conflict(f"{item['name']}刚从菜单撤下，请刷新菜单后重新选择", field="items")
            short = menu_rules.shortage(
                item["name"], menu_rules.remaining(left["quota"], left["sold"]), qty
            )
            # add_sold refused the line, so fewer than qty portions are left.
            assert short is not None
            raise Conflict(short, field="items")


async def _open_slot(canteen_id: int, meal_date: date, today: date, now: time) -> str:
    for slot in menu_rules.open_slots(meal_date, today, now):
        if await menus.has_menu(canteen_id, meal_date, slot):
            return slot
    raise BadInput(f"slot：{meal_date} 没有还能点的餐次菜单，请指定 slot", field="slot")


@dataclass(frozen=True)
class _Prepared:
    """What an order needs to know about its canteen, date, slot and elder."""

    canteen_id: int
    meal_date: date
    slot: str
    address: str
    policy: SubsidyPolicy
    in_own_district: bool
    elder: dict


@dataclass(frozen=True)
class _Priced:
    """An order checked against the menu and the elder's diet, and its bill split."""

    menu: dict[str, dict]
    clashes: list[str]
    split: money_rules.Split


async def _prepare(data: OrderIn, placer: Placer, today: date, now: time) -> _Prepared:
    canteen = await canteens.canteen_for_order(data.canteen)
    if canteen is None:
        raise BadInput(f"canteen：没有编号为 {data.canteen} 的食堂", field="canteen")
    meal_date = data.meal_date or today
    if meal_date < today:
        raise BadInput(f"meal_date：不能为已过去的日期（{meal_date}）点餐", field="meal_date")
    if refusal := can_take_orders(canteen["active"], canteen["license_expires"], meal_date):
        raise Conflict(refusal, field="canteen")
    if data.slot and (closed := menu_rules.closed_slot_problem(meal_date, data.slot, today, now)):
        raise BadInput(closed, field="slot")
    slot = data.slot or await _open_slot(canteen["id"], meal_date, today, now)
    # Known to exist: the placer was resolved from them.
    elder = await elders.elder_for_order(placer.elder_id)
    assert elder is not None
    if elder["status"] != "active":
        raise Conflict("该老人的爱心卡已冻结（已去世或迁出），不能点餐")
    address = ""
    if data.fulfilment == "delivery":
        address = (data.delivery_address or elder["address"]).strip()
        if not address:
            raise BadInput(
                "delivery_address：送餐订单需要地址，老人也没有登记地址", field="delivery_address"
            )
    policy = await policy_in_force(meal_date)
    in_own_district = True
    if policy.own_district_only:
        districts = await regions.districts([elder["region"], canteen["region"]])
        in_own_district = districts[elder["region"]] == districts[canteen["region"]]
    return _Prepared(canteen["id"], meal_date, slot, address, policy, in_own_district, elder)


async def _price(
    data: OrderIn,
    placer: Placer,
    order: _Prepared,
    balances: Callable[[int], Awaitable[BalanceOut]],
) -> _Priced:
    """The menu and diet checks and the checkout split. `balances` reads the elder's card and
    points: `money.lock_elder` inside the placing transaction, `money.balance` for a preview."""
    elder, meal_date, slot = order.elder, order.meal_date, order.slot
    menu = {r["dish_id"]: r for r in await menus.items_of(order.canteen_id, meal_date, slot)}
    if not menu:
        raise Conflict(
            f"{data.canteen} 没有发布 {meal_date} {menu_rules.SLOT_NAMES[slot]}的菜单", field="slot"
        )
    for i, line in enumerate(data.items):
        if line.dish_id not in menu:
            raise BadInput(
                f"items[{i}].dish_id：{meal_date} {menu_rules.SLOT_NAMES[slot]}"
                f"菜单中没有菜品 {line.dish_id}",
                field=f"items[{i}].dish_id",
            )
    diet = split_codes(elder["diet"])
    allergies = split_codes(elder["allergies"])
    clashes = [
        c
        for line in data.items
        if (
            c := menu_rules.diet_clash(
                menu[line.dish_id]["name"],
                diet,
                allergies,
                split_codes(menu[line.dish_id]["tags"]),
                split_codes(menu[line.dish_id]["allergens"]),
            )
        )
    ]
    if clashes and not data.confirm_diet_clash:
        raise DietClash(clashes)
    total = sum(menu[line.dish_id]["price_fen"] * line.qty for line in data.items)
    held = await balances(placer.elder_id)
    subsidised_already = await queries.subsidised_already(placer.elder_id, meal_date, slot)
    payer = subsidy_rules.Payer(
        categories=split_codes(elder["categories"]),
        age=people_rules.age_on(elder["birth_date"], meal_date),
        card_fen=held.card_fen,
        points=held.points,
        subsidised_already=subsidised_already,
        in_own_district=order.in_own_district,
    )
    try:
        split = subsidy_rules.checkout(
            order.policy,
            total,
            slot,
            payer,
            use_points=data.use_points,
            cash_allowed=data.cash_allowed,
        )
    except money_rules.NotCovered as exc:
        raise Conflict(str(exc), field="cash_allowed") from None
    return _Priced(menu, clashes, split)


async def preview_order(data: OrderIn, placer: Placer, today: date, now: time) -> OrderPreview:
    """What placing `data` now would charge and to whom, without placing it: the same checks and
    the same checkout split as `place_order`, on the balances as they are (a concurrent order
    may still change them before this one is placed)."""
    order = await _prepare(data, placer, today, now)
    priced = await _price(data, placer, order, money.balance)
    for line in data.items:
        item = priced.menu[line.dish_id]
        if problem := menu_rules.shortage(
            item["name"], menu_rules.remaining(item["quota"], item["sold"]), line.qty
        ):
            raise Conflict(problem, field="items")
    split = priced.split
    return OrderPreview(
        canteen=data.canteen,
        elder_id=placer.elder_id,
        meal_date=order.meal_date,
        slot=order.slot,
        fulfilment=data.fulfilment,
        items=_lines_out(data, priced.menu),
        **asdict(split),
        diet_clashes=priced.clashes,
    )


def _lines_out(data: OrderIn, menu: dict[str, dict[str, Any]]) -> list[OrderLineOut]:
    """The order's lines as the bill shows them: each dish's name and price from the menu."""
    return [
        OrderLineOut(
            dish_id=line.dish_id,
            name=menu[line.dish_id]["name"],
            qty=line.qty,
            price_fen=menu[line.dish_id]["price_fen"],
        )
        for line in data.items
    ]


async def place_order(data: OrderIn, placer: Placer, today: date, now: time) -> OrderOut:
    """Runs inside the caller's write transaction (the Idempotency-Key's), or its own."""

    async def work() -> OrderOut:
        order = await _prepare(data, placer, today, now)
        priced = await _price(data, placer, order, money.lock_elder)
        split, menu = priced.split, priced.menu
        await _take_portions([(menu[line.dish_id], line.qty) for line in data.items])
        placed = OrderOut(
            order_id=0,
            status="placed",
            channel=placer.channel,
            canteen=data.canteen,
            elder_id=placer.elder_id,
            meal_date=order.meal_date,
            slot=order.slot,
            fulfilment=data.fulfilment,
            items=_lines_out(data, menu),
            **asdict(split),
            placed_by=placer.placed_by,
            delivery_address=order.address,
            note=data.note,
            diet_clash_confirmed=bool(priced.clashes),
            created_at=now_utc(),
        )
        placed.order_id = await queries.add_order(
            {name: getattr(placed, name) for name in _STORED_AS_IS}
            | {
                "canteen": order.canteen_id,
                "elder": placed.elder_id,
                "updated_at": placed.created_at,
            },
            [{"menu_item": menu[line.dish_id]["id"], **line.model_dump()} for line in placed.items],
        )
        payment = await money.post_transfer(
            f"order:{placed.order_id}",
            "order_payment",
            money_rules.order_payment_legs(split, placer.elder_id, order.canteen_id),
            created_by=placer.placed_by or "card",
        )
        await queries.set_payment(placed.order_id, payment)
        if placer.placed_by is not None:
            # Someone other than the elder spent the elder's money: supervisors ask who.
            await audit.record(
                placer.placed_by,
                "order.proxy",
                f"order:{placed.order_id}",
                {
                    "channel": placer.channel,
                    "elder_id": placer.elder_id,
                    "canteen": data.canteen,
                    "total_fen": split.total_fen,
                },
            )
        return placed

    return await write_transaction(work)


# ---------------------------------------------------------------- after the order


async def cancel_order(order_id: int, staff: Staff) -> OrderOut:
    """Refund every part to where it came from and give the portions back; a second cancel
    returns the cancelled order unchanged."""

    async def work() -> OrderOut:
        # Locked, so that a cook marking the meal served (set_status) or a second cancel waits
        # and then sees this one's outcome, instead of both acting on "placed".
        order = await queries.locked_order(order_id)
        if order is None:
            raise NotFound(f"没有编号为 {order_id} 的订单")
        if order["status"] == "cancelled":
            return await order_out(order_id)
        if problem := rules.cancel_problem(order["status"]):
            raise Conflict(problem, field="status")
        await money.lock_elder(order["elder"])
        # The lock order of place_order: dishes before the accounts.
        await menus.add_sold([(item, -qty) for item, qty in await queries.portions_of(order_id)])
        refund = await money.reverse_transfer(
            order["payment"], f"order:{order_id}:refund", created_by=staff.username
        )
        await queries.set_cancelled(order_id, refund, now_utc())
        await audit.record(
            staff.username, "order.cancel", f"order:{order_id}", {"elder_id": order["elder"]}
        )
        return await order_out(order_id)

    return await write_transaction(work)


async def set_status(order_id: int, status: Status, staff: Staff) -> OrderOut:
    async def work() -> OrderOut:
        # Locked as in cancel_order: a status set while a cancel runs waits for its outcome.
        order = await queries.locked_order(order_id)
        if order is None and sees_every_elder(staff):  # as ensure_can_see_order
            raise NotFound(f"没有编号为 {order_id} 的订单")
        # Besides the canteen's staff, the volunteer or family member who carried the meal to a
        # linked elder's door says whether it was handed over.
        if acts_for_linked_elders(staff) and status in rules.DELIVERY_ONLY:
            if order is None or not await people.is_linked(order["elder"], staff.id):
                raise Forbidden("只能为与本账号关联的老人标记送餐结果")
        elif (
            staff.role is not Role.CANTEEN_STAFF
            or order is None
            or not works_at(staff, await _canteen_code(order))
        ):
            # No canteen code here: staff of another canteen would learn where an order is.
            raise Forbidden("只有订单所在食堂的工作人员可以更新订单状态")
        if problem := rules.status_problem(order["status"], status, order["fulfilment"]):
            raise Conflict(problem, field="status")
        if status != order["status"]:
            await queries.set_status(order_id, status, now_utc())
        return await order_out(order_id)

    return await write_transaction(work)


async def my_orders(staff: Staff, first: date, last: date | None) -> list[MyOrder]:
    """Orders for meals from `first` to `last` (no end: every coming one) in a staff member's
    list: a volunteer's or family member's linked elders, or the orders an operator placed."""
    if acts_for_linked_elders(staff):
        rows = await queries.orders_where(None, elders.linked_elder_ids(staff.id), first, last)
    elif staff.role is Role.OPERATOR:
        rows = await queries.orders_where(staff.username, None, first, last)
    else:
        raise Forbidden("只有志愿者、家属和 12349 热线话务员有“我的订单”列表")
    names = await elders.elders_by_id(sorted({row["elder"] for row in rows}))
    orders = []
    for order in await _orders_out(rows):
        allowed = rules.next_statuses(order.status, order.fulfilment)
        if acts_for_linked_elders(staff):
            allowed = [s for s in allowed if s in rules.DELIVERY_ONLY]
        orders.append(
            MyOrder(
                **order.model_dump(),
                elder_name=people_rules.mask_name(names[order.elder_id]["name"]),
                next_statuses=[] if staff.role is Role.OPERATOR else allowed,
            )
        )
    return orders


async def kitchen_view(code: str, meal_date: date, slot: str) -> KitchenView:
    # Fixed SQL (db/sql.py): every kitchen screen polls this every few seconds.
    canteen = await canteens.canteen_for_order(code)
    if canteen is None:
        raise NotFound(f"没有编号为 {code} 的食堂")
    meal = (canteen["id"], meal_date, slot)
    orders: dict[int, dict] = {}
    lines: dict[int, list[OrderLineOut]] = {}
    for row in await queries.kitchen_orders(*meal):
        orders.setdefault(row["id"], row)
        lines.setdefault(row["id"], []).append(
            OrderLineOut(
                dish_id=row["dish_id"],
                name=row["dish_name"],
                qty=row["qty"],
                price_fen=row["price_fen"],
            )
        )
    eaters = await elders.elders_by_id(sorted({o["elder"] for o in orders.values()}))
    places = await regions.codes_and_names(
        sorted({e["region"] for e in eaters.values()} | {canteen["region"]})
    )
    for o in orders.values():
        elder = eaters[o["elder"]]
        o |= {
            "elder_name": elder["name"],
            "diet": elder["diet"],
            "allergies": elder["allergies"],
            "lives_alone": elder["lives_alone"],
            "community": places[elder["region"]]["code"],
            "community_name": places[elder["region"]]["name"],
        }
    menu = await menus.items_of(*meal)
    portions = {m["dish_id"]: 0 for m in menu}
    for order_lines in lines.values():
        for line in order_lines:
            portions[line.dish_id] = portions.get(line.dish_id, 0) + line.qty
    kitchen_orders = [
        KitchenOrder(
            order_id=o["id"],
            elder_id=o["elder"],
            elder_name=people_rules.mask_name(o["elder_name"]),
            fulfilment=o["fulfilment"],
            status=o["status"],
            items=lines[o["id"]],
            diet=split_codes(o["diet"]),
            allergies=split_codes(o["allergies"]),
            diet_clash_confirmed=o["diet_clash_confirmed"],
            note=o["note"],
            next_statuses=rules.next_statuses(o["status"], o["fulfilment"]),
        )
        for o in orders.values()
    ]
    deliveries = sorted(
        (o for o in orders.values() if o["fulfilment"] == "delivery"),
        key=lambda o: rules.delivery_route_key(
            places[canteen["region"]]["code"], o["community"], o["delivery_address"]
        ),
    )
    return KitchenView(
        canteen=code,
        meal_date=meal_date,
        slot=slot,
        portions=[
            DishPortions(
                dish_id=m["dish_id"],
                name=m["name"],
                portions=portions[m["dish_id"]],
                quota=m["quota"],
            )
            for m in menu
        ],
        orders=kitchen_orders,
        deliveries=[
            DeliveryStop(
                order_id=o["id"],
                community=o["community"],
                community_name=o["community_name"],
                elder_name=people_rules.mask_name(o["elder_name"]),
                address=o["delivery_address"],
                lives_alone=o["lives_alone"],
                items=lines[o["id"]],
                status=o["status"],
            )
            for o in deliveries
        ],
    )


async def place_order_once(
    key: str, data: OrderIn, placer: Placer, now: datetime, takeover_after: timedelta
) -> Outcome:
    """Place an order at most once per Idempotency-Key, on the API and the elder page alike
    (one key space: a page resent after a lost reply gets the order it placed)."""

    async def effects() -> tuple[int, OrderOut]:
        return 201, await place_order(data, placer, now.date(), now.time())

    body = data.model_dump(mode="json", exclude={"pin"})
    return await run_once(key, "POST /orders", placer.principal, body, effects, takeover_after)
