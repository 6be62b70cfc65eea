"""Summarise py-spy's collapsed stacks (`--format raw`): the functions with the most samples,
inclusive and self. `python -m bench.profile_summary FILE [N]`"""

import sys
from collections import Counter


def main(path: str, top: int = 30) -> None:
    inclusive, own, total = Counter(), Counter(), 0
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    print(f"{total} samples")
    print("inclusive:")
    for f, n in inclusive.most_common(top):
        print(f"  {n / total * 100:5.1f}%  {f[:150]}")
    print("self:")
    for f, n in own.most_common(top):
        print(f"  {n / total * 100:5.1f}%  {f[:150]}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)
