"""The civil-affairs back office (/admin): compliance and meals dashboards, settlement downloads,
welfare alerts, the subsidy policy, and piccolo_admin for browsing the data.

Staff sign in as on every console (static/js/console.js: a bearer token in sessionStorage). A
browser does not send that header when it follows a link, so an admin's page trades the token
once for an HttpOnly, SameSite=Strict cookie holding the same signed token, scoped to /admin
(POST /admin/session). The cookie only opens these read-only pages; every change they offer is
made by the page's script through the JSON API with the bearer header, never by the cookie.

The data browser at /admin/data/ (web/data_browser.py) is opened by the same cookie.
"""

from __future__ import annotations

from datetime import date
from itertools import accumulate
from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from zhucan.access import Role, Staff
from zhucan.compliance import config, due, summary
from zhucan.errors import NotAuthenticated
from zhucan.http.deps import Ctx
from zhucan.http.guards import requires
from zhucan.people.auth import account_of, read_token
from zhucan.reports import service as reports
from zhucan.subsidies import policy as subsidy_policy

ADMIN_COOKIE = "zhucan_admin"
COOKIE_PATH = "/admin"
STAFF_SCOPE_KEY = "zhucan.admin"  # the signed-in admin, once the cookie was checked


async def admin_from_cookie(connection: ASGIConnection) -> Staff | None:
    """The admin whose token the page cookie holds, or None (no cookie, expired, an account
    disabled since or no longer an admin)."""
    token = connection.cookies.get(ADMIN_COOKIE)
    if not token:
        return None
    try:
        staff = await account_of(read_token(token, connection.app.state.settings.secret_key))
    except NotAuthenticated:
        return None
    return staff if staff.role is Role.ADMIN else None


class NotSignedIn(Exception):
    """No admin page cookie: the page asks the browser's signed-in session for one."""


async def _admin_cookie(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    admin = await admin_from_cookie(connection)
    if admin is None:
        raise NotSignedIn
    # The pages that need who it is read it here. ASGI scopes take extra keys; Litestar's Scope
    # TypedDict names none.
    connection.scope[STAFF_SCOPE_KEY] = admin  # type: ignore[literal-required]


def _sign_in_page(_: Request, __: NotSignedIn) -> Template:
    return Template("admin_signin.html", status_code=401)


def _cookie(request: Request, value: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=ADMIN_COOKIE,
        value=value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=max_age,
    )


@post(
    "/admin/session",
    guards=[requires(Role.ADMIN)],
    status_code=204,
    operation_id="openAdminPageSession",
    summary="以管理员令牌换取后台页面的会话 Cookie",
    include_in_schema=False,
)
async def open_session(request: Request) -> Response[None]:
    # No max_age: the cookie goes with the browser session, as the token in sessionStorage does;
    # the token inside still expires on its own.
    return Response(None, status_code=204, cookies=[_cookie(request, request.auth)])


@delete(
    "/admin/session",
    status_code=204,
    operation_id="closeAdminPageSession",
    summary="退出后台页面会话",
    include_in_schema=False,
)
async def close_session(request: Request) -> Response[None]:
    return Response(None, status_code=204, cookies=[_cookie(request, "", max_age=0)])


Year = Annotated[int | None, QueryParameter(ge=2000, le=2100, description="年份，默认今年")]


class BackOffice(Controller):
    path = "/admin"
    include_in_schema = False
    guards = [_admin_cookie]
    exception_handlers = {NotSignedIn: _sign_in_page}

    @get("/", operation_id="adminCompliancePage", summary="后台：食品安全")
    async def compliance(self, ctx: Ctx) -> Template:
        as_of = ctx.today
        # Every year the plan sets targets for, up to this one: progress toward "no grade C".
        years = sorted({y for y in await config.targets() if y < as_of.year} | {as_of.year})
        tz = ctx.settings.tz
        summaries = [await summary.summary(y, None, as_of, tz) for y in years]
        grades = ("A", "B", "C", "rectifying", "ungraded")
        chart = {
            "years": years,
            "grades": {g: [s.grades[g] for s in summaries] for g in grades},
            "ab_ratio": [s.ab_ratio for s in summaries],
            "ab_target": [s.targets.get("ab_ratio") for s in summaries],
        }
        return Template(
            "admin_compliance.html",
            context={
                "as_of": as_of,
                "summaries": summaries,
                "current": summaries[-1],
                "chart": chart,
                "due": await due.due(as_of),
                "grades": grades,
            },
        )

    @get("/meals", operation_id="adminMealsPage", summary="后台：助餐人次与覆盖率")
    async def meals(self, ctx: Ctx, year: Year = None) -> Template:
        year = year or ctx.today.year
        report = await reports.meal_report(year, None)
        months = await reports.meals_by_month(year)
        baseline = await reports.meals_by_month(report.baseline_year)
        chart = {
            "months": [f"{int(m.month[5:])}月" for m in months],
            "meals": [m.meals for m in months],
            "cumulative": list(accumulate(m.meals for m in months)),
            "baseline_cumulative": list(accumulate(m.meals for m in baseline)),
            "baseline_year": report.baseline_year,
            "year": year,
            "target": report.targets.meals if report.targets else None,
        }
        return Template(
            "admin_meals.html", context={"report": report, "months": months, "chart": chart}
        )

    @get("/settlement", operation_id="adminSettlementPage", summary="后台：月度结算")
    async def settlement(
        self,
        ctx: Ctx,
        month: Annotated[
            str | None, QueryParameter(max_length=7, description="YYYY-MM，默认本月")
        ] = None,
    ) -> Template:
        month = month or ctx.today.strftime("%Y-%m")
        return Template(
            "admin_settlement.html",
            context={"month": month, "report": await reports.settlement(month)},
        )

    @get("/welfare", operation_id="adminWelfarePage", summary="后台：关爱提醒")
    async def welfare(self, request: Request, ctx: Ctx) -> Template:
        as_of = ctx.today
        admin = request.scope[STAFF_SCOPE_KEY]  # type: ignore[literal-required]  # set by _admin_cookie
        alerts = await reports.welfare_alerts(admin, as_of, None)
        return Template("admin_welfare.html", context={"alerts": alerts, "as_of": as_of})

    @get("/policy", operation_id="adminPolicyPage", summary="后台：补贴政策")
    async def policy(
        self,
        ctx: Ctx,
        published: Annotated[
            date | None, QueryParameter(description="刚发布的新版本的生效日期（页面据此提示）")
        ] = None,
    ) -> Template:
        as_of = ctx.today
        return Template(
            "admin_policy.html",
            context={
                "as_of": as_of,
                "policy": await subsidy_policy.policy_in_force(as_of),
                "versions": await subsidy_policy.policy_versions(),
                "published": published,
            },
        )


ROUTES: list[ControllerRouterHandler] = [open_session, close_session, BackOffice]
