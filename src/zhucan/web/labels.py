"""Chinese names of domain codes, for pages (the API keeps the codes)."""

from zhucan.canteens.rules import KINDS, SIZES, SUNSHINE_LEVELS
from zhucan.compliance.rules import ANNUAL_NAMES as ANNUAL_GRADES
from zhucan.menus.rules import SLOT_NAMES as SLOTS

DYNAMIC_GRADES = {
    "excellent": "优秀",
    "good": "良好",
    "fair": "一般",
    "ungraded": "不评级",
    None: "尚未检查",
}
# The official 量化分级 faces: 大笑 excellent, 微笑 good, 平脸 fair.
FACES = {"excellent": "laugh", "good": "smile", "fair": "flat"}
INSPECTION_KINDS = {
    "routine": "日常检查",
    "random": "双随机抽查",
    "special": "专项检查",
    "reinspection": "复查",
}
VERDICTS = {"pass": "合格", "fail": "不合格", "na": "合理缺项"}
FINDING_STATUS = {"open": "待整改", "overdue": "逾期未整改", "resolved": "已整改"}
CATEGORIES = {
    "tekun": "特困",
    "dibao": "低保",
    "dibian": "低边",
    "disabled": "失能/残疾",
    "youfu": "优抚",
    "other": "其他",
}


def percent(ratio: float | None, signed: bool = False) -> str:
    """80.0% for 0.8; "—" when there is nothing to divide by yet."""
    if ratio is None:
        return "—"
    return f"{ratio * 100:+.1f}%" if signed else f"{ratio * 100:.1f}%"


# The same names for scripts that show API replies (JSON keys are strings: None becomes "none").
SCRIPT_LABELS = {
    "annual": {k or "none": v for k, v in ANNUAL_GRADES.items()},
    "dynamic": {k or "none": v for k, v in DYNAMIC_GRADES.items()},
    "faces": FACES,
    "findingStatus": FINDING_STATUS,
    "kinds": INSPECTION_KINDS,
}

JINJA_GLOBALS = {
    "ANNUAL_GRADES": ANNUAL_GRADES,
    "DYNAMIC_GRADES": DYNAMIC_GRADES,
    "FACES": FACES,
    "KINDS": KINDS,
    "SIZES": SIZES,
    "SUNSHINE_LEVELS": SUNSHINE_LEVELS,
    "SLOTS": SLOTS,
    "INSPECTION_KINDS": INSPECTION_KINDS,
    "VERDICTS": VERDICTS,
    "FINDING_STATUS": FINDING_STATUS,
    "SCRIPT_LABELS": SCRIPT_LABELS,
    "CATEGORIES": CATEGORIES,
    "percent": percent,
}


def yuan(fen: int) -> str:
    """¥12.50 for 1250 fen."""
    return f"¥{fen // 100}.{fen % 100:02d}" if fen >= 0 else f"-{yuan(-fen)}"
