"""Who may do what: the staff roles, the signed-in staff member, and named permissions.

Route guards (zhucan.http.guards) and services ask these predicates by name, so a rule such as
"volunteers and family see only the elders linked to them" is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zhucan.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VOLUNTEER = "volunteer"
    FAMILY = "family"
    CANTEEN_STAFF = "canteen_staff"
    INSPECTOR = "inspector"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "管理员",
    Role.OPERATOR: "12349 热线话务员",
    Role.VOLUNTEER: "志愿者",
    Role.FAMILY: "家属",
    Role.CANTEEN_STAFF: "食堂工作人员",
    Role.INSPECTOR: "市场监管检查员",
}

# Staff who order and act for the elders linked to them, and only for those.
PROXY_ROLES = frozenset({Role.VOLUNTEER, Role.FAMILY})
# The back office and the 12349 hotline serve every elder of the programme.
ALL_ELDER_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
# Who logs and lists anyone's time-bank service (a volunteer only their own).
TIMEBANK_KEEPERS = frozenset({Role.ADMIN, Role.OPERATOR})


def role_label(role: str) -> str:
    """The Chinese name of a role as stored, or the stored value when it is no role we know."""
    try:
        return Role(role).label
    except ValueError:
        return role


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, as their account is now."""

    id: int
    username: str
    role: Role
    canteen_code: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))


def sees_every_elder(staff: Staff) -> bool:
    return staff.role in ALL_ELDER_ROLES


def acts_for_linked_elders(staff: Staff) -> bool:
    return staff.role in PROXY_ROLES


def keeps_timebank(staff: Staff) -> bool:
    return staff.role in TIMEBANK_KEEPERS


def works_at(staff: Staff, canteen_code: str) -> bool:
    return staff.role is Role.CANTEEN_STAFF and staff.canteen_code == canteen_code


def manages_canteen(staff: Staff, canteen_code: str) -> bool:
    return staff.role is Role.ADMIN or works_at(staff, canteen_code)


@dataclass(frozen=True)
class ElderScope:
    """The elders a staff member may see: every elder, or those linked to `linked_to`."""

    linked_to: int | None = None

    @property
    def every_elder(self) -> bool:
        return self.linked_to is None


def elder_scope(staff: Staff, refusal: str) -> ElderScope:
    """Every elder for the back office and the hotline; linked elders for volunteers and family;
    `refusal` (403) for anyone else."""
    if sees_every_elder(staff):
        return ElderScope()
    if acts_for_linked_elders(staff):
        return ElderScope(linked_to=staff.id)
    raise Forbidden(refusal)
