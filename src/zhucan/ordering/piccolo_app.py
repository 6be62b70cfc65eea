from zhucan.db.apps import app_config
from zhucan.http.tables import IdempotencyRecord
from zhucan.ordering.tables import MealOrder, OrderLine

APP_CONFIG = app_config(
    "ordering",
    [MealOrder, OrderLine, IdempotencyRecord],
    depends_on=["canteens", "people", "menus", "money"],
)
