"""create_app(): routers, auth, database lifespan, OpenAPI, static files."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from litestar import Litestar, Router, get
from litestar.datastructures import MutableScopeHeaders, State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from zhucan.admission import admission_control
from zhucan.audit.api import ROUTES as AUDIT_ROUTES
from zhucan.canteens.api import ROUTES as CANTEEN_ROUTES
from zhucan.compliance.api import ROUTES as COMPLIANCE_ROUTES
from zhucan.db.engine import bind, close_engine, engine_name, make_engine, open_engine, ping
from zhucan.errors import DomainError
from zhucan.http.deps import DEPENDENCIES
from zhucan.http.problems import ERROR_RESPONSES, EXCEPTION_HANDLERS, problem_responses
from zhucan.menus.api import ROUTES as MENU_ROUTES
from zhucan.money.api import ROUTES as MONEY_ROUTES
from zhucan.ordering.api import ROUTES as ORDER_ROUTES
from zhucan.people.api import ROUTES as PEOPLE_ROUTES
from zhucan.people.auth import BearerTokenMiddleware
from zhucan.privacy import install_log_redaction
from zhucan.regions.api import ROUTES as REGION_ROUTES
from zhucan.reports.api import ROUTES as REPORT_ROUTES
from zhucan.settings import PROJECT_ROOT, Settings
from zhucan.subsidies.api import ROUTES as SUBSIDY_ROUTES
from zhucan.web.labels import JINJA_GLOBALS, yuan
from zhucan.web.pages import ROUTES as PAGE_ROUTES

API_ROUTES: list[ControllerRouterHandler] = [
    *REGION_ROUTES,
    *CANTEEN_ROUTES,
    *PEOPLE_ROUTES,
    *COMPLIANCE_ROUTES,
    *MENU_ROUTES,
    *MONEY_ROUTES,
    *ORDER_ROUTES,
    *AUDIT_ROUTES,
    *SUBSIDY_ROUTES,
    *REPORT_ROUTES,
]

SWAGGER = "/static/vendor/swagger-ui"

log = logging.getLogger("zhucan")


@get(
    "/healthz",
    operation_id="health",
    summary="健康检查",
    tags=["ops"],
    responses=problem_responses(503),
)
async def healthz(state: State) -> dict[str, str]:
    engine = state.engine
    try:
        await ping(engine)
    except Exception as exc:
        raise DomainError("数据库无法连接", status_code=503) from exc
    return {"status": "ok", "database": engine_name(engine)}


def create_app(settings: Settings | None = None) -> Litestar:
    install_log_redaction()
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        bind(engine)
        await open_engine(engine, settings.db_pool_size)
        # The ~120,000 objects of the loaded app live as long as the worker: out of the
        # collector's sight, a full collection no longer stops every request for ~70 ms.
        gc.freeze()
        try:
            yield
        finally:
            await close_engine(engine)

    openapi = OpenAPIConfig(
        title="zhucan 助餐 API",
        version="1",
        description="社区老年助餐：点餐、补贴结算与食堂食品安全量化分级。",
        path="/schema",
        # Served from our own static files: district networks often have no internet access.
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
            )
        ],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{}, {"bearer": []}],
    )
    app = Litestar(
        route_handlers=[
            healthz,
            Router(path="/api/v1", route_handlers=API_ROUTES),
            *PAGE_ROUTES,
            create_static_files_router(
                path="/static", directories=[PROJECT_ROOT / "static"], include_in_schema=False
            ),
        ],
        state=State(
            # `clock`: now in the service's time zone, as handlers get it (http/deps.py); a
            # test gives the app a fixed one.
            {"settings": settings, "engine": engine, "clock": lambda: datetime.now(settings.tz)}
        ),
        dependencies=DEPENDENCIES,
        lifespan=[database],
        middleware=[
            admission_control(settings.max_active_requests),
            DefineMiddleware(BearerTokenMiddleware, exclude=["^/schema", "^/static"]),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        plugins=[StrictModelSchemas()],
        template_config=TemplateConfig(
            directory=Path(__file__).parent / "web" / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=_jinja_setup,
        ),
    )
    _document_problem_responses(app)
    app.before_send.append(_allow_header_fixer(app))
    return app


class StrictModelSchemas(PydanticSchemaPlugin):
    """Request models that refuse unknown fields (`extra="forbid"`) say so in the OpenAPI
    document (`additionalProperties: false`); Litestar's own plugin leaves that out, so clients
    and fuzzers would believe extra fields are accepted."""

    @classmethod
    def for_pydantic_model(cls, field_definition, schema_creator):
        schema = super().for_pydantic_model(field_definition, schema_creator)
        if field_definition.annotation.model_config.get("extra") == "forbid":
            schema.additional_properties = False
        return schema


def _allow_header_fixer(app: Litestar):
    """OPTIONS answers `Allow` with every method of the path. Litestar 2 builds it from the
    route as first registered, before the /api/v1 router merged the path's other handlers in,
    so `OPTIONS /api/v1/canteens` left out GET."""
    allowed = {
        re.sub(r":\w+}", "}", route.path): ", ".join(sorted(route.methods))
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }

    async def fix(message, scope) -> None:
        if (
            message["type"] == "http.response.start"
            and scope.get("method") == "OPTIONS"
            and (methods := allowed.get(scope.get("path_template", "")))
        ):
            MutableScopeHeaders(message)["Allow"] = methods

    return fix


def _jinja_setup(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals.update(JINJA_GLOBALS)
    engine.engine.filters["yuan"] = yuan


def _document_problem_responses(app: Litestar) -> None:
    """Every API operation's OpenAPI entry describes its errors as the problem+json they are."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route.path.startswith("/api/"):
                handler.responses = {**ERROR_RESPONSES, **(handler.responses or {})}
