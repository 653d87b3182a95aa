"""The "did you mean" of a link to a missing slug: difflib against every slug, and the index.

    .venv/bin/python benchmarks/slug_suggestions.py --posts 1000 --links 150
    .venv/bin/python benchmarks/slug_suggestions.py --posts 10000 --links 60

The benchmark corpus's slugs (``make_corpus.post_title``) and missing slugs made as the
``--broken-links`` variant and the tests make them: typos, slugs of posts the site does not
hold, first words only. Prints the processor time per link of each way and whether their
suggestions agree (they must: the index gives difflib's answer).
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import post_title

from sourcebook.posts.slugs import SlugIndex

LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def missing(slugs: list[str], count: int, rng: random.Random) -> list[str]:
    asked = []
    for number in range(count):
        slug = rng.choice(slugs)
        if number % 3 == 0:
            at = rng.randrange(len(slug))
            asked.append(slug[:at] + rng.choice(LETTERS) + slug[at + 1 :])
        elif number % 3 == 1:
            asked.append(post_title(1, len(slugs) + 1 + number)[1].strip("/"))
        else:
            asked.append("-".join(slug.split("-")[: rng.randint(2, 6)]))
    return asked


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--links", type=int, default=100, help="links to missing slugs")
    args = parser.parse_args(argv)
    slugs = [post_title(1, index)[1].strip("/") for index in range(1, args.posts + 1)]
    asked = missing(slugs, args.links, random.Random(5))
    started = time.process_time()
    index = SlugIndex(slugs)
    answers = [index.closest(slug) for slug in asked]
    indexed = time.process_time() - started
    started = time.process_time()
    expected = [difflib.get_close_matches(slug, slugs, n=3, cutoff=0.5) for slug in asked]
    plain = time.process_time() - started
    same = sum(answer == reference for answer, reference in zip(answers, expected, strict=True))
    print(
        f"{args.posts:,} posts, {args.links} links to missing slugs: difflib "
        f"{1000 * plain / args.links:.1f} ms a link, the index {1000 * indexed / args.links:.2f} ms a link "
        f"(made once: included); the same suggestions for {same} of {args.links}"
    )
    return 0 if same == args.links else 1


if __name__ == "__main__":
    sys.exit(main())
