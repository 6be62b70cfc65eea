from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.canteens.tables import Canteen


class ComplianceConfig(Table, tablename="compliance_config"):
    """A validated data file of the scheme (`checklist`, `targets`), kept as JSON."""

    id: Serial

    name = Varchar(length=32, unique=True)
    body = Text()
    updated_at = Timestamptz()


class Inspection(Table, tablename="inspection"):
    id: Serial
    canteen = ForeignKey(references=Canteen, index=True)
    date = Date(index=True)
    kind = Varchar(length=16)
    inspectors = Varchar(length=400)  # usernames, comma-separated in the order given
    # The full record as filed (item, verdict, points, key), so history survives checklist changes.
    results = Text()
    score_tenths = Integer()  # the reported score × 10: exact, and summable in SQL
    key_failures = Integer()
    dynamic_grade = Varchar(length=12)
    incident = Boolean(default=False)
    notes = Text(default="")
    filed_by = Varchar(length=64)
    created_at = Timestamptz()


class Finding(Table, tablename="finding"):
    """A failed checklist item to be rectified by `deadline`; overdue is computed, not stored."""

    id: Serial

    canteen = ForeignKey(references=Canteen, index=True)
    inspection = ForeignKey(references=Inspection, index=True)
    item = Varchar(length=16)
    title = Varchar(length=200)
    key = Boolean(default=False)
    opened_on = Date()
    deadline = Date()
    resolved_on = Date(null=True, default=None)
    resolved_by = Varchar(length=100, default="")  # username, or "inspection:<id>"


class CameraAlert(Table, tablename="camera_alert"):
    id: Serial
    canteen = ForeignKey(references=Canteen, index=True)
    kind = Varchar(length=16)
    at = Timestamptz()
    month = Varchar(length=7, index=True)  # YYYY-MM of `at` in the service's time zone
    camera = Varchar(length=64, default="")
    snapshot_url = Varchar(length=500, default="")
    created_at = Timestamptz()


class SunshineChange(Table, tablename="sunshine_change"):
    """When a canteen reached a sunshine-kitchen level."""

    id: Serial

    canteen = ForeignKey(references=Canteen, index=True)
    level = Varchar(length=12)
    changed_at = Timestamptz()


class RandomPlan(Table, tablename="random_plan"):
    """A published 双随机 draw."""

    id: Serial

    plan_date = Date()
    seed = Varchar(length=40)
    # The stored column shadows Table.count(); its name is part of the schema.
    count = Integer()  # type: ignore[assignment]
    assignments = Text()  # JSON list of {"canteen", "inspectors"}
    created_by = Varchar(length=64)
    created_at = Timestamptz()
