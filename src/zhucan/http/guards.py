"""Route guards: who may call a handler, decided before it runs.

Guards are coroutines: Litestar hands a plain-function guard to a worker thread on every call.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from zhucan.access import Role, Staff, manages_canteen, role_label
from zhucan.errors import Forbidden, NotAuthenticated


def signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthenticated("需要登录：请在 Authorization 头中提供 Bearer 令牌")
    return user  # type: ignore[no-any-return]


def current_staff(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff | None:
    user: Staff | None = connection.scope.get("user")
    return user


def requires(*roles: Role) -> Guard:
    """A guard allowing only staff with one of `roles`."""

    allowed = "、".join(role.label for role in roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        staff = signed_in(connection)
        if staff.role not in roles:
            raise Forbidden(f"此操作仅限{allowed}，当前账号是{role_label(staff.role)}")

    guard.__name__ = f"requires_{'_'.join(roles)}"
    return guard


async def manages_path_canteen(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """For /canteens/{code}/…: admins, or canteen staff bound to that very canteen."""
    staff = signed_in(connection)
    code = connection.path_params.get("code", "")
    if manages_canteen(staff, code):
        return
    if staff.role is Role.CANTEEN_STAFF:
        raise Forbidden(f"只能管理本食堂（{staff.canteen_code}），不能管理 {code}")
    raise Forbidden(f"此操作仅限管理员和该食堂的工作人员，当前账号是{staff.role.label}")
