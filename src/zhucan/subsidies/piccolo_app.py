from zhucan.db.apps import app_config
from zhucan.subsidies.tables import IssueRun, MonthlyGrant, PolicyVersion, TimebankEntry

APP_CONFIG = app_config(
    "subsidies",
    [PolicyVersion, IssueRun, MonthlyGrant, TimebankEntry],
    depends_on=["people", "money"],
)
