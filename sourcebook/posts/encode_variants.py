"""Encode image variants into the build's cache, in a process of its own.

``python -m sourcebook.posts.encode_variants WORK`` reads its work from the file ``WORK``
(pickled by :func:`sourcebook.posts.image_variants.start_encoding_early`: the source folder,
the cache folder, the images and their variants, how many threads) and prints how many
variants it encoded. Its messages are not shown: the build encodes again, and reports, any
variant this left out.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from sourcebook.posts.image_variants import encode_jobs


def main(argv: list[str]) -> int:
    srcdir, cache, jobs, threads = pickle.loads(Path(argv[0]).read_bytes())
    results = encode_jobs(srcdir, cache, jobs, threads)
    print(sum(result for result in results if isinstance(result, int)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
