from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.canteens.tables import Canteen
from zhucan.menus.tables import MenuItem
from zhucan.money.tables import Transfer
from zhucan.people.tables import Elder


class MealOrder(Table, tablename="meal_order"):
    """An elder's order for one meal. At most one order per elder, date and slot carries a
    subsidy (partial unique index in the ordering migrations)."""

    id: Serial

    canteen = ForeignKey(references=Canteen, index=True)
    elder = ForeignKey(references=Elder, index=True)
    meal_date = Date()
    slot = Varchar(length=10)
    channel = Varchar(length=10)  # rules.Channel
    fulfilment = Varchar(length=10)  # rules.Fulfilment
    status = Varchar(length=12, default="placed")  # rules.Status
    total_fen = Integer()
    subsidy_fen = Integer()
    subsidy_tier = Varchar(length=50, null=True, default=None)
    points_used = Integer()
    points_fen = Integer()
    card_fen = Integer()
    cash_fen = Integer()
    placed_by = Varchar(length=64, null=True, default=None)  # staff username; null at the QR code
    delivery_address = Text(default="")
    note = Varchar(length=200, default="")
    diet_clash_confirmed = Boolean(default=False)
    payment = ForeignKey(references=Transfer, null=True, default=None)
    refund = ForeignKey(references=Transfer, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OrderLine(Table, tablename="order_line"):
    id: Serial
    order = ForeignKey(references=MealOrder, index=True)
    menu_item = ForeignKey(references=MenuItem)
    dish_id = Varchar(length=32)
    name = Varchar(length=100)
    qty = Integer()
    price_fen = Integer()
