"""Counts words in text files (standard library only) and prints the top ones as JSON."""
import argparse
import collections
import json
import re


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    counts: collections.Counter[str] = collections.Counter()
    for name in args.files:
        with open(name, encoding="utf-8") as fh:
            counts.update(re.findall(r"[a-z']+", fh.read().lower()))
    print(json.dumps({"top": counts.most_common(args.top)}))


if __name__ == "__main__":
    main()
