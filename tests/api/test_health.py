async def test_healthz_names_the_engine(client, db):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": db.kind}
