from zhucan.db.apps import app_config
from zhucan.reports.tables import ReportConfig, WelfareVisit

# The reports also add indexes on meal_order (their migrations), hence the ordering dependency.
APP_CONFIG = app_config("reports", [ReportConfig, WelfareVisit], depends_on=["people", "ordering"])
