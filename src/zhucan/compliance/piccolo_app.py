from zhucan.compliance.tables import (
    CameraAlert,
    ComplianceConfig,
    Finding,
    Inspection,
    RandomPlan,
    SunshineChange,
)
from zhucan.db.apps import app_config

APP_CONFIG = app_config(
    "compliance",
    [ComplianceConfig, Inspection, Finding, CameraAlert, SunshineChange, RandomPlan],
    depends_on=["canteens"],
)
