"""piccolo_admin at /admin/data/: the back office's read-only view of the ledger, orders,
inspections, canteens and regions.

It is bridged to our staff accounts rather than given its own Piccolo BaseUser logins: one set of
admin accounts, one sign-in, one place to revoke. Our mount is the only way in: it answers only a
request carrying a valid admin page cookie (otherwise it redirects to /admin to sign in) and then
hands piccolo_admin a session cookie naming that admin. piccolo_admin checks it through its own
public extension points, a session table (`_MountSession`) that accepts only the token the
mount gave this request and an account table (people.queries.AdminAccount) that reads the staff account. Nothing of its
internals is patched.

It is read-only as a whole: a write there would bypass the audit log, the ledger's double entry
and every domain rule. It shows no table of personal data or credentials (elders, staff
accounts): related tables are not pulled in.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from datetime import timedelta
from functools import cache
from typing import cast

from litestar import asgi
from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.columns import Column
from piccolo.table import Table
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.session_auth.tables import SessionsBase

from zhucan.canteens.tables import Canteen
from zhucan.compliance.tables import Finding, Inspection
from zhucan.money.tables import Account, Entry, Transfer
from zhucan.ordering.tables import MealOrder, OrderLine
from zhucan.people.queries import AdminAccount
from zhucan.regions.tables import Region
from zhucan.web.backoffice import admin_from_cookie

# piccolo_admin's session cookie. The mount gives each request it lets in a fresh random token
# and remembers, for that request only, which admin it stands for: a client's own cookie can
# name no account.
SESSION_COOKIE = "id"
_admitted: ContextVar[tuple[str, int] | None] = ContextVar("data_browser_admin", default=None)


class _MountSession(SessionsBase):
    """piccolo_admin's session store, answered by the mount (see `_admitted`)."""

    @classmethod
    async def get_user_id(cls, token: str, increase_expiry: timedelta | None = None) -> int | None:
        admitted = _admitted.get()
        if admitted is None or not secrets.compare_digest(admitted[0], token):
            return None
        return admitted[1]


@cache
def _data_app() -> ASGIApp:
    groups = {
        "资金台账": [Account, Transfer, Entry],
        "订单": [MealOrder, OrderLine],
        "食品安全检查": [Inspection, Finding],
        "食堂与区划": [Canteen, Region],
    }
    # The raw verdict list makes the inspection list unreadable; it stays on each record's page.
    hidden: dict[type[Table], list[Column]] = {Inspection: [Inspection.results]}
    return create_admin(
        [
            TableConfig(table, menu_group=group, exclude_visible_columns=hidden.get(table))
            for group, tables in groups.items()
            for table in tables
        ],
        # piccolo_admin reads the account's columns by name; its hint asks for its own BaseUser.
        auth_table=AdminAccount,  # type: ignore[arg-type]
        session_table=_MountSession,
        read_only=True,
        auto_include_related=False,
        site_name="助餐数据浏览",
        default_language_code="zh-CN",
    )


def _with_session(scope: Scope, token: str) -> Scope:
    """The request with the session cookie `token` in place of any `id` cookie it carried."""
    kept = [
        part.strip()
        for name, value in scope["headers"]
        if name == b"cookie"
        for part in value.decode("latin-1").split(";")
        if part.strip() and part.split("=", 1)[0].strip() != SESSION_COOKIE
    ]
    cookie = "; ".join([*kept, f"{SESSION_COOKIE}={token}"]).encode("latin-1")
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
    # mypy cannot spread a union of TypedDicts; the copy is the same kind of scope as `scope`.
    return cast(Scope, {**scope, "headers": [*headers, (b"cookie", cookie)]})


@asgi("/admin/data", is_mount=True, copy_scope=True)
async def data_browser(scope: Scope, receive: Receive, send: Send) -> None:
    staff = await admin_from_cookie(ASGIConnection(scope))
    if staff is None or scope["raw_path"] == b"/admin/data":
        # Signed out: sign in on /admin. Signed in: the app's relative links need the slash.
        location = b"/admin/data/" if staff else b"/admin"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", location), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    token = secrets.token_urlsafe(24)
    _admitted.set((token, staff.id))
    await _data_app()(_with_session(scope, token), receive, send)


ROUTES = [data_browser]
