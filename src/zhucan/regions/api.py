from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from zhucan.access import Role
from zhucan.http.guards import requires
from zhucan.regions import service
from zhucan.regions.schemas import RegionIn, RegionOut


class RegionController(Controller):
    path = "/regions"
    tags = ["regions"]

    @post("/", guards=[requires(Role.ADMIN)], operation_id="createRegion", summary="新建区划")
    async def create(self, data: JSONBody[RegionIn]) -> RegionOut:
        return await service.create(data)

    @get("/", operation_id="listRegions", summary="区划列表（区/街道/社区）")
    async def list(self) -> list[RegionOut]:
        return await service.list_all()

    @get("/{code:str}", operation_id="getRegion", summary="查看一个区划")
    async def get(self, code: FromPath[str]) -> RegionOut:
        return await service.get(code)


ROUTES = [RegionController]
