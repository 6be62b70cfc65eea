"""The canteen's printable A5 poster: its ordering QR code with its food-safety grade and
sunshine level. Data in, PNG bytes out, no I/O besides reading the font."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from zhucan.canteens.qr import DPI, canteen_url, png, qr_image
from zhucan.canteens.rules import SUNSHINE_LEVELS, SunshineLevel
from zhucan.compliance.rules import ANNUAL_NAMES, AnnualGrade
from zhucan.compliance.schemas import CanteenSummary
from zhucan.errors import DomainError

A5_PIXELS = (round(148 / 25.4 * DPI), round(210 / 25.4 * DPI))
FONT_ENV = "ZHUCAN_POSTER_FONT"
# Debian's fonts-noto-cjk (installed by .ci/run; see README) and fonts-wqy-microhei.
SYSTEM_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
GRADE_COLOURS = {
    "A": "#1a7f37",
    "B": "#1f6feb",
    "C": "#d4a72c",
    "rectifying": "#cf222e",
    None: "#6e7781",
}
INK = "#1f2328"
BANNER = "#b3261e"  # the red of community notices


class PosterFontMissing(DomainError):
    """No font with Chinese characters is installed: the server's set-up, not the request."""

    status_code = 503


@dataclass(frozen=True)
class PosterData:
    code: str
    name: str
    url: str
    annual_grade: AnnualGrade | None  # None: not graded
    sunshine_level: SunshineLevel


def poster_data(summary: CanteenSummary, public_url: str) -> PosterData:
    return PosterData(
        code=summary.code,
        name=summary.name,
        url=canteen_url(public_url, summary.code),
        annual_grade=summary.grade.annual,
        sunshine_level=summary.sunshine_level,
    )


def _font_candidates() -> list[Path]:
    candidates = []
    if os.environ.get(FONT_ENV):
        candidates.append(Path(os.environ[FONT_ENV]))
    candidates.extend(Path(p) for p in SYSTEM_FONTS)
    return candidates


def _draws_chinese(font: ImageFont.FreeTypeFont) -> bool:
    # A font without the glyphs draws .notdef boxes that all look alike; real glyphs differ.
    drawn = []
    for char in "食堂":
        image = Image.new("L", (64, 64))
        ImageDraw.Draw(image).text((0, 0), char, font=font, fill=255)
        drawn.append(image.tobytes())
    return drawn[0] != drawn[1] and any(drawn[0])


@cache
def _font_file() -> tuple[str, int]:
    """The first usable CJK font and, in a collection, the index of its Simplified Chinese face."""
    for path in _font_candidates():
        if not path.is_file():
            continue
        faces = []
        for index in range(16):
            try:
                face = ImageFont.truetype(str(path), 40, index=index)
            except OSError:
                break
            faces.append((index, face))
        simplified = [i for i, f in faces if " SC" in (f.getname()[0] or "")]
        for index in simplified + [i for i, _ in faces]:
            if _draws_chinese(dict(faces)[index]):
                return str(path), index
    raise PosterFontMissing(
        f"找不到含中文字形的字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），"
        f"或用环境变量 {FONT_ENV} 指定 .ttf/.ttc/.otf 文件"
    )


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path, index = _font_file()
    font = ImageFont.truetype(path, size, index=index)
    # Variable Noto CJK starts at Thin and posters are read from across a room; a static font
    # has one weight and refuses.
    with contextlib.suppress(OSError, ValueError):
        font.set_variation_by_name("Bold" if bold else "Regular")
    return font


def _centred(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: str,
    width: int,
    left: int = 0,
) -> int:
    """Draw `text` centred in the band [left, left + width) at height y; returns the y below."""
    x0, top, x1, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text((left + (width - (x1 - x0)) // 2 - x0, y - top), text, font=font, fill=fill)
    # Whole pixels without a stroke; Pillow types the box as float for stroked text.
    return y + int(bottom - top)


def _fitting(
    draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int, bold: bool = True
) -> ImageFont.FreeTypeFont:
    """The largest font up to `size` in which `text` fits on one line (the badges' words)."""
    while True:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= max_width or size <= 24:
            return font
        size -= 4


def _name_lines(
    draw: ImageDraw.ImageDraw, name: str, max_width: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The canteen's name in the largest bold font, down to 48 px, in which it fits one line.
    A longer name takes two lines of 38 px, together no taller than one line of 84 px, so the
    QR code and the rest keep their places; what does not fit the second line ends in "…"."""
    for size in range(84, 47, -4):
        font = _font(size, bold=True)
        if draw.textlength(name, font=font) <= max_width:
            return font, [name]
    font = _font(38, bold=True)
    cut = (
        next(
            (
                i
                for i in range(1, len(name) + 1)
                if draw.textlength(name[:i], font=font) > max_width
            ),
            len(name) + 1,
        )
        - 1
    )
    first, rest = name[:cut], name[cut:]
    if draw.textlength(rest, font=font) > max_width:
        while rest and draw.textlength(rest + "…", font=font) > max_width:
            rest = rest[:-1]
        rest += "…"
    return font, [first, rest]


def render_poster(data: PosterData) -> bytes:
    width, height = A5_PIXELS
    margin = width // 14
    poster = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(poster)

    draw.rectangle((0, 0, width, 150), fill=BANNER)
    _centred(draw, 42, "社区老年助餐 · 扫码点餐", _font(64, bold=True), "white", width)

    name_font, name_lines = _name_lines(draw, data.name, width - 2 * margin)
    y = 200
    for line in name_lines:
        y = _centred(draw, y, line, name_font, INK, width) + 4

    qr = qr_image(data.url, box=16)
    side = 660  # about 8 cm printed: scans from arm's length
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    qr_top = y + 50
    poster.paste(qr, ((width - side) // 2, qr_top))
    y = qr_top + side + 30

    y = _centred(draw, y, "请用手机微信扫一扫", _font(76, bold=True), INK, width) + 24
    y = _centred(draw, y, "看菜单 · 点餐 · 用爱心卡付款", _font(54), INK, width) + 40

    # Grade badge and sunshine level side by side.
    badge_h = 220
    half = (width - 3 * margin) // 2
    colour = GRADE_COLOURS.get(data.annual_grade, GRADE_COLOURS[None])
    draw.rounded_rectangle((margin, y, margin + half, y + badge_h), radius=28, fill=colour)
    grade = ANNUAL_NAMES.get(data.annual_grade, ANNUAL_NAMES[None])
    _label(draw, margin, y, half, "食品安全等级", grade, "white")
    right = 2 * margin + half
    draw.rounded_rectangle((right, y, right + half, y + badge_h), radius=28, outline=INK, width=6)
    sunshine = SUNSHINE_LEVELS.get(data.sunshine_level, data.sunshine_level)
    _label(
        draw,
        right,
        y,
        half,
        "厨房公开",
        "未公开" if data.sunshine_level == "none" else sunshine,
        INK,
    )
    y += badge_h + 40

    _centred(draw, y, "不会用手机？请到窗口刷爱心卡", _font(48), INK, width)
    _centred(draw, y + 70, "或拨打 12349 热线代为点餐", _font(48), INK, width)
    _centred(draw, height - 60, f"{data.code} · {data.url}", _font(28), "#57606a", width)
    return png(poster)


def _label(
    draw: ImageDraw.ImageDraw,
    left: int,
    top: int,
    box_width: int,
    caption: str,
    value: str,
    fill: str,
) -> None:
    _centred(draw, top + 30, caption, _font(40), fill, box_width, left)
    _centred(
        draw, top + 95, value, _fitting(draw, value, 96, box_width - 40), fill, box_width, left
    )
