"""The canteen QR code and A5 poster, rendered from data alone."""

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from tests.conftest import requires_cjk_font
from zhucan.canteens import qr
from zhucan.compliance import posters
from zhucan.compliance.posters import GRADE_COLOURS, PosterData

URL = "https://meals.yinzhou.example/c/ZH-CQ-01"


def decoded(png: bytes) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def poster(grade=None, sunshine="video", name="长丰社区老年食堂") -> Image.Image:
    png = posters.render_poster(PosterData("ZH-CQ-01", name, URL, grade, sunshine))
    return Image.open(io.BytesIO(png))


@pytest.mark.parametrize(
    "base", ["https://meals.yinzhou.example", "https://meals.yinzhou.example/"]
)
def test_canteen_url_joins_without_a_double_slash(base):
    assert qr.canteen_url(base, "ZH-CQ-01") == URL


def test_qr_code_decodes_to_the_exact_url():
    assert decoded(qr.qr_png(URL)) == [URL]


@requires_cjk_font
def test_poster_is_at_least_a5_at_150_dpi_and_carries_the_qr_code():
    image = poster("A", "smart")
    assert image.format == "PNG"
    assert image.width >= 874 and image.height >= 1240
    assert image.height / image.width == pytest.approx(210 / 148, rel=0.01)  # A-series portrait
    dpi = image.info["dpi"]
    assert image.width / dpi[0] * 25.4 == pytest.approx(148, abs=1)  # prints as A5
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [URL]


def _share_of(image: Image.Image, hex_colour: str) -> float:
    rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    colours = dict((c, n) for n, c in image.convert("RGB").getcolors(image.width * image.height))
    return colours.get(rgb, 0) / (image.width * image.height)


@requires_cjk_font
@pytest.mark.parametrize("grade", ["A", "B", "C", "rectifying", None])
def test_the_grade_badge_has_the_grade_colour(grade):
    image = poster(grade)
    assert _share_of(image, GRADE_COLOURS[grade]) > 0.02
    for other, colour in GRADE_COLOURS.items():
        if other != grade:
            assert _share_of(image, colour) < 0.001, other


@requires_cjk_font
def test_grade_and_sunshine_level_change_what_is_printed():
    assert poster("A").tobytes() != poster("B").tobytes()
    assert poster(None, "video").tobytes() != poster(None, "smart").tobytes()


@requires_cjk_font
@pytest.mark.parametrize("name", ["王家桥村老饭桌（村民文化礼堂东侧二楼，近公交站）", "长" * 100])
def test_a_long_name_still_leaves_the_qr_code_readable(name):
    image = poster(name=name)
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [URL]


@requires_cjk_font
def test_a_name_too_long_for_one_line_takes_two_and_is_cut_short_only_after_them():
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    font, lines = posters._name_lines(draw, "幸福里社区老年食堂", 1000)
    assert lines == ["幸福里社区老年食堂"] and font.size == 84
    font, lines = posters._name_lines(draw, "长" * 100, 1000)  # names may be 100 characters
    assert len(lines) == 2 and lines[1].endswith("…") and font.size == 38
    assert all(draw.textlength(line, font=font) <= 1000 for line in lines)
    assert lines[0] + lines[1][:-1] == "长" * (len(lines[0]) + len(lines[1]) - 1)


@pytest.fixture
def fresh_font_choice():
    posters._font_file.cache_clear()
    yield
    posters._font_file.cache_clear()


LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@requires_cjk_font
@pytest.mark.skipif(not LATIN_ONLY.exists(), reason="needs a font without Chinese glyphs")
def test_fonts_without_chinese_glyphs_are_passed_over(fresh_font_choice, monkeypatch):
    real = posters._font_candidates()
    monkeypatch.setattr(posters, "_font_candidates", lambda: [LATIN_ONLY, *real])
    path, _ = posters._font_file()
    assert Path(path) != LATIN_ONLY
    monkeypatch.setattr(posters, "_font_candidates", lambda: [LATIN_ONLY, Path("/nowhere.ttc")])
    posters._font_file.cache_clear()
    with pytest.raises(posters.PosterFontMissing, match="fonts-noto-cjk"):
        posters._font_file()


def test_the_font_named_in_the_environment_comes_first(fresh_font_choice, monkeypatch, tmp_path):
    monkeypatch.setenv(posters.FONT_ENV, str(tmp_path / "chosen.ttc"))
    assert posters._font_candidates()[0] == tmp_path / "chosen.ttc"
