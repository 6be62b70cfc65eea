from zhucan.db.apps import app_config
from zhucan.money.tables import Account, Entry, Transfer

APP_CONFIG = app_config("money", [Account, Transfer, Entry], depends_on=["people", "canteens"])
