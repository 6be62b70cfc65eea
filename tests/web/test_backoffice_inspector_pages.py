"""Pages of the inspection workflow over HTTP: the inspector's form, the public inspection
history (双随机、一公开) and the published random plans, for a small known district."""

import re
from datetime import timedelta

from zhucan.clock import today
from zhucan.settings import Settings

TODAY = today(Settings().tz)


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def test_inspector_form_groups_the_checklist_and_lists_open_findings_first(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.inspection("C1", ago(30), failed={"C03": None, "A01": None})
    page = (await client.get("/inspect/C1")).text
    assert "现场检查：长丰社区老年食堂" in page
    checklist = (await client.get("/api/v1/compliance/checklist")).json()
    for item in checklist:
        assert f'data-item="{item["code"]}"' in page
    areas = {f"{i['category']} {i['category_name']}" for i in checklist}
    assert all(f"<legend>{a}</legend>" in page for a in areas)
    assert page.count("★ 关键项") == sum(i["key"] for i in checklist) + 1  # + A01 as a finding
    # the open findings come before the checklist, and their items are marked for re-checking
    assert "上次检查未整改的问题（2 项）" in page
    assert page.index("上次检查未整改的问题") < page.index('data-item="A01"')
    assert page.count("待复查") == 2
    assert ago(30 - 7) in page and ago(30 - 15) in page  # key item 7 days, others 15
    assert f'value="{TODAY.isoformat()}"' in page


async def test_inspector_home_lists_active_canteens_to_inspect(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.canteen("C2", name="已停业食堂", active=False)
    page = (await client.get("/inspect")).text
    assert "长丰社区老年食堂" in page and 'href="/inspect/C1"' in page
    assert "已停业食堂" not in page
    assert 'id="due-list"' in page  # filled by the script from GET /compliance/due


async def test_inspector_form_of_an_unknown_canteen_is_404(client):
    assert (await client.get("/inspect/NOPE")).status_code == 404


async def test_public_page_shows_every_inspection_newest_first_and_open_findings(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.inspection("C1", ago(200), failed={"A01": None, "B01": None})  # ungraded
    await factory.inspection("C1", ago(100), kind="reinspection")  # 100 → mean 94.4 → capped C
    await factory.inspection("C1", ago(10), failed={"C03": None})  # 96
    page = (await client.get("/public/canteens/C1")).text
    history = page[page.index("检查记录") :]
    rows = history.split("<tr>")[2:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in rows]
    assert [c[0] for c in cells] == [ago(10), ago(100), ago(200)]
    assert "复查" in rows[1] and "日常检查" in rows[0]
    assert "96.0" in rows[0] and "优秀" in rows[0] and "大笑脸" in rows[0]
    assert "不评级" in rows[2] and "关键项不合格 2 项" in rows[2]
    assert [c[-1] for c in cells] == ["C 级", "C 级", "C 级"]
    findings = page[page.index("未整改的问题") : page.index("检查记录")]
    assert "C03" in findings and ago(10 - 15) in findings and "待整改" in findings
    assert "A01" not in findings  # resolved by the passing re-inspection


async def test_random_plans_page_lists_published_plans(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.canteen("C2", name="学士助餐点")
    await factory.inspectors()
    await factory.post("/compliance/random-plan", {"count": 2, "seed": 7, "date": ago(0)})
    page = (await client.get("/public/random-plans")).text
    assert "抽取 2 家，随机种子 7" in page
    assert "长丰社区老年食堂" in page and "学士助餐点" in page
    assert page.count("insp-a、insp-b") + page.count("insp-b、insp-a") == 2
    assert (await client.get("/public/random-plans")).status_code == 200
