from zhucan.attempts.tables import FailedAttempt
from zhucan.db.apps import app_config

APP_CONFIG = app_config("attempts", [FailedAttempt])
