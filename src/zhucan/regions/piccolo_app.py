from zhucan.db.apps import app_config
from zhucan.regions.tables import Region

APP_CONFIG = app_config("regions", [Region])
