"""Region levels follow depth in the tree: 区 → 街道/镇 → 社区/村."""

LEVELS = ("district", "street", "community")
LEVEL_NAMES = {"district": "区/县", "street": "街道/镇", "community": "社区/村"}
MAX_DEPTH = len(LEVELS) - 1


def level_of(depth: int) -> str:
    return LEVELS[depth]
