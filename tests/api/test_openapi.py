"""/schema/openapi.json describes every handler with an operation id and a Chinese summary."""

import re

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
FOUNDATION = {"health", "issueToken", "createRegion", "listRegions", "getRegion", "createCanteen",
              "listCanteens", "getCanteen", "updateCanteen", "createElder", "getElder",
              "listElders", "linkElder"}


async def test_every_operation_has_a_unique_id_and_a_chinese_summary(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    operations = [(path, method, op) for path, item in doc["paths"].items()
                  for method, op in item.items() if method in HTTP_METHODS]
    ids = [op.get("operationId") for _, _, op in operations]
    missing = [f"{m.upper()} {p}" for p, m, op in operations
               if not op.get("operationId") or not re.search(r"[\u4e00-\u9fff]", op.get("summary", ""))]
    assert missing == []
    assert len(ids) == len(set(ids))
    assert set(ids) >= FOUNDATION


async def test_schema_ui_is_served(client):
    response = await client.get("/schema")
    assert response.status_code == 200
    assert "html" in response.headers["content-type"]
