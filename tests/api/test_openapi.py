"""/schema/openapi.json describes every handler with an operation id and a Chinese summary."""

import re

from zhucan.errors import chinese_message

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
FOUNDATION = {
    "health",
    "issueToken",
    "createRegion",
    "listRegions",
    "getRegion",
    "createCanteen",
    "listCanteens",
    "getCanteen",
    "updateCanteen",
    "createElder",
    "getElder",
    "listElders",
    "linkElder",
}


async def test_every_operation_has_a_unique_id_and_a_chinese_summary(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    operations = [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]
    ids = [op.get("operationId") for _, _, op in operations]
    missing = [
        f"{m.upper()} {p}"
        for p, m, op in operations
        if not op.get("operationId") or not re.search(r"[\u4e00-\u9fff]", op.get("summary", ""))
    ]
    assert missing == []
    assert len(ids) == len(set(ids))
    assert set(ids) >= FOUNDATION


async def test_schema_ui_is_served(client):
    response = await client.get("/schema")
    assert response.status_code == 200
    assert "html" in response.headers["content-type"]


async def test_every_pattern_a_request_must_match_is_explained_in_words(client):
    document = (await client.get("/schema/openapi.json")).json()
    patterns = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert patterns  # the document has some: card numbers, PINs, codes, keys
    for pattern in patterns:
        worded = chinese_message(f"String should match pattern '{pattern}'")
        assert pattern not in worded and "格式不符合" not in worded, pattern
