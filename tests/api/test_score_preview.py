"""POST /compliance/score-preview: the inspector's live score runs the grading rules of filing."""

API = "/api/v1/compliance/score-preview"


async def _preview(factory, results: list[dict], role: str = "inspector", **fields):
    headers = await factory.headers(role)
    return await factory.client.post(API, json={"results": results, **fields}, headers=headers)


async def test_partial_results_score_only_what_was_ticked(factory):
    response = await _preview(
        factory,
        [
            {"item": "A01", "verdict": "pass"},
            {"item": "C03", "verdict": "fail"},
            {"item": "A02", "verdict": "fail", "points": 1},
            {"item": "A03", "verdict": "na"},
        ],
        date="2026-03-01",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    checklist = (await factory.client.get("/api/v1/compliance/checklist")).json()
    points = {i["code"]: i["points"] for i in checklist}
    # 100 × (A01 + 1) / (A01 + C03 + A02), half-up to one decimal, as the filed score would be
    expected = round(100 * (points["A01"] + 1) / (points["A01"] + points["C03"] + points["A02"]), 1)
    assert body["score"] == expected
    assert body["answered"] == 4 and body["items"] == len(checklist)
    assert len(body["missing"]) == len(checklist) - 4 and "A01" not in body["missing"]
    assert body["key_failures"] == 0
    deadlines = {f["item"]: f["deadline"] for f in body["findings"]}
    assert deadlines == {"C03": "2026-03-16", "A02": "2026-03-16"}


async def test_two_key_failures_are_ungraded_whatever_the_score(factory):
    checklist = (await factory.client.get("/api/v1/compliance/checklist")).json()
    keys = [i["code"] for i in checklist if i["key"]][:2]
    results = [
        {"item": i["code"], "verdict": "fail" if i["code"] in keys else "pass"} for i in checklist
    ]
    body = (await _preview(factory, results, date="2026-03-01")).json()
    assert body["key_failures"] == 2 and body["score"] > 80
    assert body["dynamic_grade"] == "ungraded"
    assert {f["deadline"] for f in body["findings"]} == {"2026-03-08"}  # 7 days for key items
    assert body["missing"] == []


async def test_nothing_applicable_yet_has_no_score(factory):
    body = (await _preview(factory, [{"item": "A03", "verdict": "na"}])).json()
    assert (body["score"], body["dynamic_grade"], body["findings"]) == (None, None, [])
    body = (await _preview(factory, [])).json()
    assert body["answered"] == 0 and body["score"] is None


async def test_same_refusals_as_filing(factory):
    response = await _preview(factory, [{"item": "ZZ9", "verdict": "pass"}])
    assert response.status_code == 400 and "ZZ9" in response.json()["detail"]
    response = await _preview(factory, [{"item": "A01", "verdict": "pass", "points": 1}])
    assert response.status_code == 400
    response = await _preview(factory, [{"item": "A01", "verdict": "pass"}], role="volunteer")
    assert response.status_code == 403
    response = await factory.client.post(API, json={"results": []})
    assert response.status_code == 401
