from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_log"):
    """Who did what and when. Append-only: the code has no update or delete path, and database
    triggers (migrations/audit) refuse UPDATE and DELETE on both engines."""

    id: Serial

    at = Timestamptz(index=True)
    actor = Varchar(length=80, index=True)  # staff username, "cli:<os user>" or "system"
    action = Varchar(length=40, index=True)  # a key of zhucan.audit.rules.ACTIONS
    target = Varchar(length=100)  # "<kind>:<id or code>", e.g. "canteen:C1", "elder:12"
    detail = Text(default="{}")  # JSON object, personal numbers masked
