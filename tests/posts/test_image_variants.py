"""Responsive post images: resized variants, ``<picture>`` markup, the encode cache, thumbnails.

The fixture's images (tests/roots/test-images) were drawn with Pillow: flat shapes, so they
stay small in the repository while being wider than the widest variant where that matters.
The seed photographs are read from ../shared/seed (the ``seed`` fixture: a plain clone skips
that test, CI never does) and copied into a temporary site only.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from PIL import Image, ImageDraw
from sphinx.testing.util import SphinxTestApp

from sourcebook.posts import image_variants
from sourcebook.posts.image_variants import CACHE_DIR, image_records, thumbnail_for

from conftest import html_of, warnings_of

PHOTOS = "source/posts/photos"
WIDE = "source/images/blog/wide.jpg"


def pictures(page: BeautifulSoup) -> dict[str, Tag]:
    """Each ``<picture>``'s ``<img>``, by alt text."""
    found: dict[str, Tag] = {}
    for picture in page.select("picture.kb-picture"):
        img = picture.find("img")
        assert isinstance(img, Tag)
        found[str(img["alt"])] = img
    return found


def candidates(srcset: str) -> list[tuple[str, int]]:
    """A ``srcset`` as (url, width) pairs."""
    pairs = []
    for item in srcset.split(", "):
        url, width = item.rsplit(" ", 1)
        pairs.append((url, int(width.removesuffix("w"))))
    return pairs


def on_disk(app: SphinxTestApp, page: str, url: str) -> Path:
    """The file a URL written in ``page`` points at."""
    return app.outdir / posixpath.normpath(posixpath.join(posixpath.dirname(page), url))


def webp_srcset(img: Tag) -> str:
    source = img.find_previous_sibling("source")
    assert isinstance(source, Tag) and source["type"] == "image/webp"
    assert source["sizes"] == img["sizes"]
    return str(source["srcset"])


def encode_summary(app: SphinxTestApp) -> tuple[int, int]:
    """(encoded, reused) from the build's log line."""
    match = re.search(r"sourcebook: (\d+) image variants encoded, (\d+) reused", app.status.getvalue())
    assert match is not None
    return int(match[1]), int(match[2])


def test_post_images_become_pictures_with_resized_variants(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"))
    assert warnings_of(app) == []
    page = html_of(app, PHOTOS)
    shown = pictures(page)
    assert sorted(shown) == ["A chart", "Icon", "Photos of a factory visit", "Portrait", "Small chart"]

    featured = shown["Photos of a factory visit"]
    assert featured["class"] == ["kb-featured-image"]
    assert page.select_one(".kb-post-header img.kb-featured-image") is featured
    assert (featured["width"], featured["height"]) == ("1800", "1200")
    assert featured["fetchpriority"] == "high"
    assert not featured.has_attr("loading")
    assert featured["decoding"] == "async"
    assert featured["sizes"] == "(max-width: 900px) 100vw, 900px"
    webp = candidates(webp_srcset(featured))
    jpeg = candidates(str(featured["srcset"]))
    assert [width for _url, width in webp] == [width for _url, width in jpeg] == [400, 800, 1600]
    assert featured["src"] == jpeg[1][0]
    assert re.fullmatch(r"\.\./\.\./_images/variants/wide-[0-9a-f]{8}-800w\.jpg", str(featured["src"]))
    for (url, width), image_format in [
        *((item, "WEBP") for item in webp),
        *((item, "JPEG") for item in jpeg),
    ]:
        with Image.open(on_disk(app, PHOTOS, url)) as variant:
            assert (variant.format, variant.width) == (image_format, width)
            assert variant.height == round(1200 * width / 1800)

    # Below the first image, every picture loads lazily.
    for alt in ("A chart", "Icon", "Portrait", "Small chart"):
        assert shown[alt]["loading"] == "lazy", alt
        assert not shown[alt].has_attr("fetchpriority"), alt


def test_variants_never_upscale_and_keep_the_format(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"))
    shown = pictures(html_of(app, PHOTOS))

    # A 1000 px chart: 400 and 800 px variants, plus its own width; no 1600.
    chart = shown["A chart"]
    assert [width for _url, width in candidates(webp_srcset(chart))] == [400, 800, 1000]
    png = candidates(str(chart["srcset"]))
    assert [width for _url, width in png] == [400, 800, 1000]
    # PNG stays PNG, transparency included; at full width the fallback is the original file.
    assert png[2][0] == "../../_images/chart.png"
    with Image.open(on_disk(app, PHOTOS, png[0][0])) as variant:
        assert (variant.format, variant.mode, variant.size) == ("PNG", "RGBA", (400, 200))
    assert chart["src"] == png[1][0]

    # Smaller than any variant: one WebP at its own size; the original is the fallback.
    icon = shown["Icon"]
    assert icon["src"] == "../../_images/icon.png"
    assert icon["sizes"] == "(max-width: 64px) 100vw, 64px"
    [(url, width)] = candidates(webp_srcset(icon))
    assert width == 64
    with Image.open(on_disk(app, PHOTOS, url)) as variant:
        assert (variant.format, variant.size) == ("WEBP", (64, 32))

    # A photo stored sideways with an EXIF orientation is measured and resized upright.
    portrait = shown["Portrait"]
    assert (portrait["width"], portrait["height"]) == ("320", "480")
    [(url, _width)] = candidates(webp_srcset(portrait))
    with Image.open(on_disk(app, PHOTOS, url)) as variant:
        assert variant.size == (320, 480)


def test_size_given_by_the_author_is_kept(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"))
    page = html_of(app, PHOTOS)
    small = pictures(page)["Small chart"]
    assert (small["width"], small["height"]) == ("200", "100")
    assert small["sizes"] == "(max-width: 200px) 100vw, 200px"
    # Sphinx's link from a scaled image to the full one goes around the whole picture.
    link = small.find_parent("a")
    assert link is not None and link["href"] == "../../_images/chart.png"
    assert link.find("picture") is not None


def test_svg_gif_and_pages_that_are_not_posts_keep_plain_images(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"))
    page = html_of(app, PHOTOS)
    for alt, name in (("Diagram", "diagram.svg"), ("Spinner", "spinner.gif")):
        img = page.find("img", alt=alt)
        assert isinstance(img, Tag)
        assert img.find_parent("picture") is None
        assert img["src"] == f"../../_images/{name}"
    landing = html_of(app, "index").find("img", alt="Chart on the landing page")
    assert isinstance(landing, Tag)
    assert landing.find_parent("picture") is None
    assert landing["src"] == "_images/chart.png"


def test_without_featured_image_the_first_image_loads_first(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"))
    img = pictures(html_of(app, "source/posts/reuse"))["Wide again"]
    assert img["fetchpriority"] == "high" and not img.has_attr("loading")


def test_other_builders_keep_the_plain_image(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"), "text")
    assert warnings_of(app) == []
    text = (app.outdir / f"{PHOTOS}.txt").read_text()
    assert "[image: A chart]" in text
    assert "Encode" not in app.status.getvalue() and "image variants" not in app.status.getvalue()
    assert not (app.outdir / "_images").exists()
    assert thumbnail_for(app, WIDE) is None


def test_second_build_reuses_every_encoded_variant(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("images")
    first = build(srcdir)
    # wide: 3 WebP + 3 JPEG; chart: 3 WebP + 2 PNG; icon and portrait: 1 WebP each.
    assert encode_summary(first) == (13, 0)
    cache = first.doctreedir / CACHE_DIR
    stamps = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert len(stamps) == 13

    # The output folder is wiped (as on a fresh checkout with a kept cache): nothing re-encoded.
    shutil.rmtree(first.outdir)
    second = build(srcdir)
    assert warnings_of(second) == []
    assert encode_summary(second) == (0, 13)
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == stamps
    for url, _width in candidates(webp_srcset(pictures(html_of(second, PHOTOS))["A chart"])):
        assert on_disk(second, PHOTOS, url).is_file()

    # A changed image: only its own variants are encoded, under a new name.
    old_src = pictures(html_of(second, PHOTOS))["A chart"]["src"]
    chart = srcdir / "source/images/blog/chart.png"
    with Image.open(chart) as image:
        changed = image.copy()
    ImageDraw.Draw(changed).rectangle((0, 0, 100, 100), fill=(255, 0, 0, 255))
    changed.save(chart)
    third = build(srcdir)
    assert encode_summary(third) == (5, 8)
    new_src = pictures(html_of(third, PHOTOS))["A chart"]["src"]
    assert new_src != old_src and on_disk(third, PHOTOS, str(new_src)).is_file()
    # The old chart's variants leave the output (the cache keeps them).
    assert not on_disk(third, PHOTOS, str(old_src)).exists()
    assert len(list((third.outdir / "_images" / "variants").iterdir())) == 13


def test_a_parallel_build_encodes_the_variants_early_in_a_process_of_its_own(
    site: Callable[[str], Path],
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As soon as every image is known (env-updated), in a new process, beside the main
    process's work before the writers start; writing the variants then finds them in the
    cache, and counts them."""
    srcdir = site("images")
    parallel_src = tmp_path / "parallel"
    shutil.copytree(srcdir, parallel_src)
    serial = build(srcdir)
    # What this process (and its forks) encode; the early process is a new one.
    here: list[int] = []
    encode = image_variants._encode

    def recorded(*args: Any) -> int:
        count = encode(*args)
        here.append(count)
        return count

    monkeypatch.setattr(image_variants, "_encode", recorded)
    parallel = build(parallel_src, parallel=2)
    assert warnings_of(parallel) == []
    assert encode_summary(parallel) == encode_summary(serial) == (13, 0)
    assert here and not any(here)  # every image looked at again here, none encoded
    assert not (parallel.doctreedir / CACHE_DIR / image_variants.EARLY_JOBS).exists()
    variants = parallel.outdir / "_images" / "variants"
    assert {path.name: path.read_bytes() for path in variants.iterdir()} == {
        path.name: path.read_bytes() for path in (serial.outdir / "_images" / "variants").iterdir()
    }

    # Nothing missing from the cache: no process is started.
    started: list[object] = []
    monkeypatch.setattr(
        image_variants,
        "subprocess",
        SimpleNamespace(Popen=lambda *args, **kwargs: started.append(args), DEVNULL=-3, PIPE=-1),
    )
    shutil.rmtree(parallel.outdir)
    again = build(parallel_src, parallel=2)
    assert encode_summary(again) == (0, 13)
    assert started == []


def test_records_follow_posts_in_incremental_and_parallel_builds(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("images")
    posts = srcdir / "source" / "posts"
    # Enough posts for Sphinx to read and write in parallel chunks: more documents than
    # incremental.py reads and parallel.py writes in the main process.
    for number in range(12):
        (posts / f"extra_{number}.md").write_text(
            f"---\ntitle: 'Extra {number}'\ndate: '2022-01-{number + 1:02d}'\n---\n\n"
            "Text.\n\n![Extra chart](../images/blog/chart.png)\n",
            encoding="utf-8",
        )
    parallel_src = tmp_path / "parallel"
    shutil.copytree(srcdir, parallel_src)
    serial = build(srcdir)
    parallel = build(parallel_src, parallel=2)
    assert " .. " in parallel.status.getvalue(), "Sphinx read and wrote in chunks, in parallel"
    assert warnings_of(parallel) == []
    assert image_records(parallel.env) == image_records(serial.env)
    assert sorted(image_records(serial.env)["source/posts/photos"]) == [
        "source/images/blog/chart.png",
        "source/images/blog/icon.png",
        "source/images/blog/rotated.jpg",
        WIDE,
    ]
    for name in ("photos", "reuse", "extra_3"):
        page = f"source/posts/{name}.html"
        assert (parallel.outdir / page).read_text() == (serial.outdir / page).read_text()

    (posts / "reuse.md").unlink()
    (posts / "extra_0.md").write_text("---\ntitle: 'No images now'\ndate: '2022-01-01'\n---\n\nText.\n")
    incremental = build(srcdir)
    assert warnings_of(incremental) == []
    records = image_records(incremental.env)
    assert "source/posts/reuse" not in records
    assert "source/posts/extra_0" not in records
    assert "source/posts/extra_1" in records


def test_thumbnail_for_gives_the_smallest_variant(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("images"))
    thumbnail = thumbnail_for(app, WIDE)
    assert thumbnail is not None
    url, width, height = thumbnail
    assert re.fullmatch(r"_images/variants/wide-[0-9a-f]{8}-400w\.webp", url)
    assert (width, height) == (400, 267)
    with Image.open(app.outdir / url) as variant:
        assert variant.size == (400, 267)
    assert thumbnail_for(app, f"/{WIDE}") == thumbnail
    assert thumbnail_for(app, "source/images/blog/icon.png") is not None
    assert thumbnail_for(app, "source/images/blog/diagram.svg") is None
    assert thumbnail_for(app, "source/images/blog/nothing.jpg") is None


def test_unreadable_image_warns_and_stays_plain(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("images")
    (srcdir / "source/images/blog/broken.png").write_text("not a picture\n")
    (srcdir / "source/posts/broken.md").write_text(
        "---\ntitle: 'Broken'\ndate: '2022-01-01'\n---\n\n![Broken](../images/blog/broken.png)\n"
    )
    app = build(srcdir)
    assert warnings_of(app) == [
        "source/posts/broken.md:6: WARNING: image 'source/images/blog/broken.png' cannot be read as an "
        "image (cannot identify image file 'source/images/blog/broken.png'); save it again as JPEG or PNG "
        "[kb.image]"
    ]
    img = html_of(app, "source/posts/broken").find("img", alt="Broken")
    assert isinstance(img, Tag) and img.find_parent("picture") is None


def test_seed_post_with_real_photographs_weighs_under_300_kb(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], seed: Path
) -> None:
    srcdir = site("images-seed")
    (srcdir / "source/posts").mkdir(parents=True)
    (srcdir / "source/images/blog").mkdir(parents=True)
    shutil.copyfile(seed / "posts/1_defective_goods.md", srcdir / "source/posts/1_defective_goods.md")
    photos = sorted((seed / "images/blog").glob("*.jpg"))
    assert [photo.name for photo in photos] == ["1_handshake.jpg", "1_thumbnail.jpg"]
    for photo in photos:
        # copyfile, not copy: the shared seed is read-only and its mode must not follow.
        shutil.copyfile(photo, srcdir / "source/images/blog" / photo.name)
    originals = sum(photo.stat().st_size for photo in photos)
    assert originals > 800_000

    app = build(srcdir)
    assert warnings_of(app) == []
    page_name = "source/posts/1_defective_goods"
    page = html_of(app, page_name)
    images = page.find_all("img")
    assert len(images) == 2
    weight = sum(on_disk(app, page_name, str(img["src"])).stat().st_size for img in images)
    assert weight <= 300_000, f"{weight} bytes"
    for img in images:
        assert img["width"] and img["height"]
        for url, _width in [*candidates(str(img["srcset"])), *candidates(webp_srcset(img))]:
            assert on_disk(app, page_name, url).is_file(), url
    featured = page.select_one("img.kb-featured-image")
    handshake = page.find("img", alt="Handshake")
    assert isinstance(featured, Tag) and isinstance(handshake, Tag)
    assert (featured["width"], featured["height"]) == ("3000", "2000")
    assert (handshake["width"], handshake["height"]) == ("6000", "4000")
    assert not featured.has_attr("loading") and featured["fetchpriority"] == "high"
    assert handshake["loading"] == "lazy"


def test_each_width_is_resized_once_for_all_its_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "wide.jpg"
    Image.new("RGB", (1200, 800), "teal").save(source, quality=90)
    info = image_variants.read_image_info(source)
    assert info is not None
    variants = [variant for variant in image_variants.variants_of("wide.jpg", info) if variant.name]
    widths = {variant.width for variant in variants if variant.width != info.width}
    assert {variant.format for variant in variants} == {"WEBP", "JPEG"} and widths == {400, 800}
    sizes: list[tuple[int, int]] = []
    resize = Image.Image.resize

    def counted(self: Image.Image, size: tuple[int, int], *args: Any, **kwargs: Any) -> Image.Image:
        sizes.append((size[0], size[1]))
        return resize(self, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", counted)
    cache = tmp_path / "cache"
    cache.mkdir()
    assert image_variants._encode(source, info, variants, cache) == len(variants)
    assert sorted(sizes) == [(400, 267), (800, 533)]
    for variant in variants:
        with Image.open(cache / variant.cache_name) as encoded:
            assert encoded.size == (variant.width, variant.height) and encoded.format == variant.format
