from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.people.tables import Elder


class ReportConfig(Table, tablename="report_config"):
    """Data loaded from kitchens/ for the reports, by name (e.g. "meal_targets"), as JSON."""

    id: Serial

    name = Varchar(length=40, unique=True)
    body = Text()
    updated_at = Timestamptz()


class WelfareVisit(Table, tablename="welfare_visit"):
    """Someone went to see an elder the welfare signal pointed at; it clears alerts up to then."""

    id: Serial

    elder = ForeignKey(references=Elder, index=True, on_delete=OnDelete.no_action)
    visited_on = Date()
    note = Varchar(length=500)
    visited_by = Varchar(length=64)
    created_at = Timestamptz()
