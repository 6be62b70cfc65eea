from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.table import Table


class FailedAttempt(Table, tablename="failed_attempt"):
    """One wrong PIN or password, kept only as long as the longest limit window looks back.

    A table rather than process memory: every worker, on SQLite or PostgreSQL, counts the same
    failures. Successful attempts are never written.
    """

    id: Serial

    kind = Varchar(length=12)  # "pin" | "password"
    client = Varchar(length=64)  # the client address the attempt came from
    subject = Varchar(length=64, default="")  # the username tried; empty for PINs
    at = Timestamptz(index=True)  # the index keeps pruning cheap
