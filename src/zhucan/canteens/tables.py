from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.regions.tables import Region


class Canteen(Table, tablename="canteen"):
    id: Serial
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    kind = Varchar(length=20)
    region = ForeignKey(references=Region, index=True)
    size = Varchar(length=10)
    address = Varchar(length=200, default="")
    license_no = Varchar(length=64, default="")
    license_issued = Date(null=True, default=None)
    license_expires = Date(null=True, default=None)
    insurance_expires = Date(null=True, default=None)  # food-safety liability insurance
    sunshine_level = Varchar(length=12, default="none")
    capacity = Integer(default=0)
    active = Boolean(default=True)
    updated_at = Timestamptz()
