from zhucan.audit.tables import AuditEntry
from zhucan.db.apps import app_config

APP_CONFIG = app_config("audit", [AuditEntry])
