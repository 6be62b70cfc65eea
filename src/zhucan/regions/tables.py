from piccolo.columns import Integer, Serial, Varchar
from piccolo.table import Table


class Region(Table, tablename="region"):
    """A district (depth 0), street or town (1), or community or village (2)."""

    id: Serial

    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    parent_code = Varchar(length=32, null=True, default=None, index=True)
    depth = Integer(default=0)
