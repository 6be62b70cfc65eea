from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.canteens.tables import Canteen
from zhucan.regions.tables import Region


class StaffUser(Table, tablename="staff_user"):
    id: Serial
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100, default="")
    password_hash = Varchar(length=200)
    role = Varchar(length=20)
    canteen = ForeignKey(references=Canteen, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Elder(Table, tablename="elder"):
    id: Serial
    name = Varchar(length=50)
    # The 身份证号 itself is never stored: a keyed digest finds duplicates, the last 4 are shown.
    id_digest = Varchar(length=64, unique=True)
    id_last4 = Varchar(length=4)
    birth_date = Date()
    phone = Varchar(length=20, default="", index=True)
    region = ForeignKey(references=Region, index=True)
    categories = Varchar(length=100, default="")  # comma-separated, sorted
    card_no = Varchar(length=12, unique=True)
    pin_digest = Varchar(length=64)
    failed_pins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    lives_alone = Boolean(default=False)
    diet = Varchar(length=200, default="")  # comma-separated diet tags
    allergies = Varchar(length=200, default="")  # comma-separated allergen names
    proxy_consent = Boolean(default=False)
    address = Text(default="")
    status = Varchar(length=12, default="active")
    created_at = Timestamptz()


class ElderLink(Table, tablename="elder_link"):
    """A volunteer or family account allowed to order for and look after an elder."""

    id: Serial

    elder = ForeignKey(references=Elder, index=True)
    staff = ForeignKey(references=StaffUser, index=True)
    created_at = Timestamptz()
