"""Chinese names of domain codes, for pages (the API keeps the codes)."""

from zhucan.canteens.rules import KINDS, SIZES, SUNSHINE_LEVELS

ANNUAL_GRADES = {"A": "A 级", "B": "B 级", "C": "C 级", "rectifying": "整改中", None: "未评级"}
DYNAMIC_GRADES = {"excellent": "优秀", "good": "良好", "fair": "一般", "ungraded": "不评级",
                  None: "尚未检查"}
# The official 量化分级 faces: 大笑 excellent, 微笑 good, 平脸 fair.
FACES = {"excellent": "laugh", "good": "smile", "fair": "flat"}
SLOTS = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}

JINJA_GLOBALS = {
    "ANNUAL_GRADES": ANNUAL_GRADES, "DYNAMIC_GRADES": DYNAMIC_GRADES, "FACES": FACES,
    "KINDS": KINDS, "SIZES": SIZES, "SUNSHINE_LEVELS": SUNSHINE_LEVELS, "SLOTS": SLOTS,
}


def yuan(fen: int) -> str:
    """¥12.50 for 1250 fen."""
    return f"¥{fen // 100}.{fen % 100:02d}" if fen >= 0 else f"-{yuan(-fen)}"
