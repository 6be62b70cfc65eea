"""The stored replies of money-moving requests, by Idempotency-Key.

The table belongs to the ordering app's migrations (it was created there) but is read and
written only by zhucan.http.idempotency.
"""

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """The outcome of a money-moving request, by (endpoint, Idempotency-Key); unique index in
    the ordering migrations. `status_code` is null while the first request is in flight."""

    id: Serial

    endpoint = Varchar(length=60)
    key = Varchar(length=255)
    fingerprint = Varchar(length=64)
    claim = Varchar(length=36)
    status_code = Integer(null=True, default=None)
    response = Text(default="")
    created_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
