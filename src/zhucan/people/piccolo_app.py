from zhucan.db.apps import app_config
from zhucan.people.tables import Elder, ElderLink, StaffUser

APP_CONFIG = app_config("people", [StaffUser, Elder, ElderLink], depends_on=["regions", "canteens"])
