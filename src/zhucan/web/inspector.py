"""The inspector's tablet pages: the list of canteens (with the due list, which only inspectors
may see, fetched by the page's script) and the inspection form. The checklist and a canteen's
open findings are public, so the form is rendered whole on the server; the inspector signs in
(static/js/console.js) only to preview scores and to file, both through the JSON API."""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from zhucan.compliance import canteen_profile as canteens
from zhucan.compliance import config
from zhucan.http.deps import Ctx
from zhucan.web.page_errors import PAGE_ERRORS


@get("/inspect", operation_id="inspectorHomePage", summary="检查员工作台", include_in_schema=False)
async def inspector_home(ctx: Ctx) -> Template:
    as_of = ctx.today
    return Template(
        "inspector_home.html", context={"canteens": await canteens.summaries(as_of), "as_of": as_of}
    )


@get(
    "/inspect/{code:str}",
    operation_id="inspectorFormPage",
    summary="检查员现场检查表",
    include_in_schema=False,
    exception_handlers=PAGE_ERRORS,
)
async def inspection_form(ctx: Ctx, code: FromPath[str]) -> Template:
    as_of = ctx.today
    canteen = await canteens.detail(code, as_of)
    checklist = await config.checklist()
    areas: dict[str, list] = {}  # in checklist order, whatever order the data file lists them
    for item in checklist:
        areas.setdefault(f"{item.category} {item.category_name}", []).append(item)
    return Template(
        "inspector_form.html",
        context={
            "canteen": canteen,
            "areas": areas,
            "as_of": as_of,
            "reinspect": {f.item for f in canteen.open_findings},
        },
    )


ROUTES = [inspector_home, inspection_form]
