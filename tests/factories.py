"""Builds test data through the public API, the way an admin would."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from zhucan.access import Staff
from zhucan.clock import today as service_today
from zhucan.people.auth import issue_token
from zhucan.people.rules import id_check_char
from zhucan.people.schemas import StaffIn
from zhucan.people.service import create_staff
from zhucan.settings import Settings

_serial = itertools.count(1)


def id_number_for_age(age: int, today: date | None = None, serial: int | None = None) -> str:
    """A valid 18-digit 身份证号 of someone `age` years old today."""
    today = today or service_today(Settings().tz)  # the service's day, not the machine's
    birth = date(today.year - age, 1, 1) if (today.month, today.day) >= (1, 1) else None
    birth = birth or date(today.year - age - 1, 1, 1)
    if birth > today - timedelta(days=1):
        birth = date(birth.year - 1, birth.month, birth.day)
    body = f"110105{birth:%Y%m%d}{(serial or next(_serial)) % 1000:03d}"
    return body + id_check_char(body)


class Factory:
    def __init__(self, client: AsyncTestClient, settings: Settings):
        self.client = client
        self.settings = settings
        self._staff: dict[str, Staff] = {}

    async def staff(
        self, role: str, username: str | None = None, canteen: str | None = None
    ) -> Staff:
        username = username or f"{role}{next(_serial)}"
        staff = await create_staff(
            StaffIn(username=username, password="password-123", role=role, canteen=canteen)
        )
        self._staff[username] = staff
        return staff

    def headers_for(self, staff: Staff) -> dict[str, str]:
        token = issue_token(staff, self.settings.secret_key, 3600)
        return {"Authorization": f"Bearer {token}"}

    async def headers(self, role: str, canteen: str | None = None) -> dict[str, str]:
        return self.headers_for(await self.staff(role, canteen=canteen))

    async def admin(self) -> dict[str, str]:
        if "admin" not in self._staff:
            await self.staff("admin", username="admin")
        return self.headers_for(self._staff["admin"])

    async def post(self, path: str, body: dict, expect: int = 201) -> dict:
        response = await self.client.post(f"/api/v1{path}", json=body, headers=await self.admin())
        assert response.status_code == expect, response.text
        return response.json()

    async def regions(self) -> None:
        """A district with one street and two communities: D, D-S, D-S-C1, D-S-C2."""
        if (await self.client.get("/api/v1/regions/D")).status_code == 200:
            return
        await self.post("/regions", {"code": "D", "name": "测试区"})
        await self.post("/regions", {"code": "D-S", "name": "测试街道", "parent": "D"})
        await self.post("/regions", {"code": "D-S-C1", "name": "一号社区", "parent": "D-S"})
        await self.post("/regions", {"code": "D-S-C2", "name": "二号社区", "parent": "D-S"})

    async def canteen(self, code: str = "C1", **fields) -> dict:
        await self.regions()
        body = {
            "code": code,
            "name": f"{code} 老年食堂",
            "kind": "elder_canteen",
            "region": "D-S-C1",
            "size": "medium",
            "address": "测试路 1 号",
            "license_no": f"JY{code}",
            "license_issued": "2020-01-01",
            "license_expires": "2099-12-31",
            "sunshine_level": "video",
            "capacity": 80,
        } | fields
        return await self.post("/canteens", body)

    async def elder(self, age: int = 82, **fields) -> dict:
        await self.regions()
        body = {
            "name": "张三明",
            "id_number": id_number_for_age(age),
            "phone": "13812341234",
            "region": "D-S-C1",
            "categories": [],
            "pin": "246810",
            "lives_alone": False,
            "diet": [],
            "allergies": [],
            "proxy_consent": True,
            "address": "测试路 2 号 301 室",
        } | fields
        return await self.post("/elders", body)

    async def inspectors(self) -> list[Staff]:
        """Two inspectors (the minimum an inspection needs), the same ones for the whole test."""
        for username in ("insp-a", "insp-b"):
            if username not in self._staff:
                await self.staff("inspector", username=username)
        return [self._staff["insp-a"], self._staff["insp-b"]]

    async def inspection(
        self,
        canteen: str,
        day: str,
        failed: dict[str, float | None] = (),
        na: tuple[str, ...] = (),
        expect: int = 201,
        **fields,
    ) -> dict:
        """File an inspection where every checklist item passes except `failed` (item → partial
        points or None) and `na`."""
        checklist = (await self.client.get("/api/v1/compliance/checklist")).json()
        failed = dict(failed)
        results = []
        for item in checklist:
            if item["code"] in failed:
                result = {"item": item["code"], "verdict": "fail"}
                if failed[item["code"]] is not None:
                    result["points"] = failed[item["code"]]
            else:
                result = {"item": item["code"], "verdict": "na" if item["code"] in na else "pass"}
            results.append(result)
        inspectors = await self.inspectors()
        body = {
            "date": day,
            "kind": "routine",
            "inspectors": [i.username for i in inspectors],
            "results": results,
            "notes": "",
            "incident": False,
        } | fields
        response = await self.client.post(
            f"/api/v1/canteens/{canteen}/inspections",
            json=body,
            headers=self.headers_for(inspectors[0]),
        )
        assert response.status_code == expect, response.text
        return response.json()
