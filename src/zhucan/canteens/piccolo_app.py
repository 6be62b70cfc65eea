from zhucan.canteens.tables import Canteen
from zhucan.db.apps import app_config

APP_CONFIG = app_config("canteens", [Canteen], depends_on=["regions"])
