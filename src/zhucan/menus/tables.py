from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.canteens.tables import Canteen


class MenuItem(Table, tablename="menu_item"):
    """One dish on one canteen's menu for one date and slot; a menu is the set of its items.

    (canteen, meal_date, slot, dish_id) is unique (index in the menus migration). `sold` is only
    changed by conditional updates that keep it within `quota`, so a dish is never oversold.
    """

    id: Serial

    canteen = ForeignKey(references=Canteen, index=True)
    meal_date = Date()
    slot = Varchar(length=10)
    dish_id = Varchar(length=32)
    position = Integer(default=0)  # the order the canteen lists its dishes in
    name = Varchar(length=100)
    price_fen = Integer()
    quota = Integer(null=True, default=None)  # portions for sale; null = no limit
    sold = Integer(default=0)
    tags = Varchar(length=200, default="")  # comma-separated dish tags
    allergens = Varchar(length=200, default="")  # comma-separated allergen names
    # Set when an order first takes a portion and never cleared, cancellations included: a dish
    # once ordered stays on its menu, because its order lines point at it.
    ordered = Boolean(default=False)
    updated_at = Timestamptz()
