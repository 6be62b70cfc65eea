from zhucan.db.apps import app_config
from zhucan.menus.tables import MenuItem

APP_CONFIG = app_config("menus", [MenuItem], depends_on=["canteens"])
