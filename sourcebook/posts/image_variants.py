"""Responsive post images: resized WebP and fallback variants, served through ``<picture>``.

Posts come with camera-sized photographs; a reader of a ~900 px column must not download a
6000 px original. For every local JPEG or PNG shown in a post this module

* records the image's pixel size and content hash at ``doctree-read`` (Pillow reads only the
  header), in an environment collector with purge and merge, so parallel writers know them;
* swaps the image for a ``kb_picture`` node in HTML builders (a post-transform), which writes
  ``<picture>`` with a WebP ``srcset``, a fallback ``srcset`` in the original format,
  ``width``/``height`` against layout shift, and lazy loading below the first image;
* encodes the variants once into a cache under the doctree folder keyed by content hash,
  width, format and quality, and copies them to ``_images/variants/`` in the output at
  ``html-collect-pages``. A parallel build starts encoding as soon as every image is known
  (``env-updated``), in a process of its own, while the main process works alone.

Other builders (text, LaTeX, EPUB…) keep the plain image. :func:`thumbnail_for` gives other
features (card listings) the smallest variant of an image.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import pickle
import posixpath
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterable, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from docutils import nodes
from PIL import Image, ImageOps
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from sourcebook.parallel import run_beside
from sourcebook.posts.store import is_post
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

#: Widths of the variants, in pixels: a phone, a column at 1x, a column at 2x.
WIDTHS = (400, 800, 1600)
#: The ``src`` of the fallback ``<img>``: the variant closest to this width, not above it.
SRC_WIDTH = 800
#: Widest the post column gets in the themes we use (pydata's article container is 60em).
COLUMN_WIDTH = 900
#: Encoder quality per output format; part of the cache key, so changing one re-encodes.
QUALITY = {"WEBP": 80, "JPEG": 80, "PNG": 0}
#: Source formats (as Pillow names them) that get variants. MPO is a camera JPEG.
RASTER_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
#: File suffixes worth opening; SVG and GIF (often animated) are left alone.
RASTER_SUFFIXES = (".jpg", ".jpeg", ".png")
#: Builders that write ``<picture>``; EPUB readers do not all know it, nor WebP.
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
#: Where variants go, under the builder's image folder (``_images``).
VARIANTS_DIR = "variants"
#: The cache of encoded variants, under the doctree folder: it survives a wiped output folder.
CACHE_DIR = "kb-image-variants"

_EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}
_STORE = "kb_image_variants"
# EXIF orientations that turn the picture by a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ImageInfo:
    """What the writers need to know of a source image: its size as shown, its content, its format."""

    width: int
    height: int
    digest: str
    """The first 16 hex digits of the file's SHA-256."""
    format: str
    """'JPEG' or 'PNG': the format of the fallback variants."""


@dataclass(frozen=True)
class Variant:
    """One candidate of a ``srcset``."""

    width: int
    height: int
    format: str
    name: str
    """File name under ``_images/variants/``; empty when the candidate is the original file."""
    digest: str

    @property
    def cache_name(self) -> str:
        """Content hash, width, format and quality: everything that changes the encoded bytes."""
        quality = QUALITY[self.format]
        return f"{self.digest}-{self.width}w-{self.format.lower()}{quality}.{_EXTENSIONS[self.format]}"


#: An image to encode: its path from the source folder, its info, its variants.
Job = tuple[str, ImageInfo, list[Variant]]


def variants_of(path: str, info: ImageInfo) -> list[Variant]:
    """Every candidate of an image, WebP first, then the fallback format; narrowest first.

    Widths at or above the original are skipped (never upscale); an image narrower than the
    widest variant also gets its own width, so a candidate always matches the original. The
    fallback at the original's own width is the original file, which Sphinx copies anyway.
    """
    widths = [width for width in WIDTHS if width < info.width]
    if info.width <= WIDTHS[-1]:
        widths.append(info.width)
    stem = posixpath.splitext(posixpath.basename(path))[0]
    variants: list[Variant] = []
    for image_format in ("WEBP", info.format):
        for width in widths:
            height = max(1, round(info.height * width / info.width))
            original = image_format == info.format and width == info.width
            name = "" if original else f"{stem}-{info.digest[:8]}-{width}w.{_EXTENSIONS[image_format]}"
            variants.append(Variant(width, height, image_format, name, info.digest))
    return variants


# --- The environment: each post's images, with their size and hash --------------------------


def image_records(env: BuildEnvironment) -> dict[str, dict[str, ImageInfo]]:
    """Docname to {image path relative to the source folder: its info}; pickled with the env."""
    records: dict[str, dict[str, ImageInfo]] | None = getattr(env, _STORE, None)
    if records is None:
        records = {}
        setattr(env, _STORE, records)
    return records


def shown_image_info(env: BuildEnvironment, docname: str, path: str) -> ImageInfo | None:
    """The size, hash and format of an image a post shows (``path`` from the source folder,
    as in ``PostRecord.image``), or None when it is not a readable still JPEG or PNG."""
    return image_records(env).get(docname, {}).get(path.lstrip("/"))


def _find(records: dict[str, dict[str, ImageInfo]], path: str) -> ImageInfo | None:
    """An image's info, from any post that shows it."""
    for images in records.values():
        if path in images:
            return images[path]
    return None


def read_image_info(path: Path) -> ImageInfo | None:
    """Size (as displayed, EXIF orientation applied), hash and format; None if not a still JPEG/PNG.

    Pillow parses only the header here; the pixels are decoded once, when variants are encoded.
    An image that several posts show is read once per process while its file is unchanged.
    Raises OSError (or Pillow's DecompressionBombError) for a file that is not a readable image.
    """
    stat = path.stat()
    return _image_info(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _image_info(path: Path, mtime_ns: int, size: int) -> ImageInfo | None:
    with Image.open(path) as image:
        image_format = RASTER_FORMATS.get(image.format or "")
        if image_format is None or getattr(image, "is_animated", False):
            return None
        width, height = image.size
        if image.getexif().get(_ORIENTATION_TAG) in _QUARTER_TURNS:
            width, height = height, width
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return ImageInfo(width, height, digest, image_format)


def _source_path(image: nodes.image) -> str | None:
    """The image's path from the source folder, when it is a single local file."""
    candidates: dict[str, str] = image.get("candidates", {})
    path = candidates.get("*")
    if path is None or not path.lower().endswith(RASTER_SUFFIXES):
        return None
    return path


class ImageSizeCollector(EnvironmentCollector):
    """Records the size and hash of every raster image a post shows, purged and merged per document."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        image_records(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        records = image_records(env)
        for docname, images in image_records(other).items():
            if docname in docnames:
                records[docname] = images

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        # Runs at doctree-read after Sphinx's own image collector (registered first, same
        # priority), which resolved each image's path into node['candidates'].
        env = app.env
        if not is_post(env.docname, env.config):
            return
        images: dict[str, ImageInfo] = {}
        for node in doctree.findall(nodes.image):
            path = _source_path(node)
            if path is None or path in images or not (app.srcdir / path).is_file():
                continue
            try:
                info = read_image_info(app.srcdir / path)
            except (OSError, Image.DecompressionBombError) as error:
                warn(
                    "image",
                    f"image '{path}' cannot be read as an image ({error}); save it again as JPEG or PNG",
                    location=node,
                )
                continue
            if info is not None:
                images[path] = info
        if images:
            image_records(env)[env.docname] = images


# --- HTML: <picture> instead of <img> ----------------------------------------------------------


class kb_picture(nodes.General, nodes.Inline, nodes.Element):  # noqa: N801 - docutils names nodes in lower case
    """A responsive image: wraps the original image node, which Sphinx still copies and tracks."""


class ResponsiveImages(SphinxPostTransform):
    """Swap each post image that has variants for a ``kb_picture``, in HTML builders only."""

    builders = HTML_BUILDERS
    # Late, so that images added or changed by other post-transforms are included.
    default_priority = 800

    def run(self, **kwargs: Any) -> None:
        # Only this document's own records: a page's HTML must not depend on other pages.
        records = image_records(self.env).get(self.env.docname, {})
        for position, image in enumerate(list(self.document.findall(nodes.image))):
            path = _source_path(image)
            info = records.get(path) if path else None
            if path is None or info is None:
                continue
            picture = kb_picture(classes=["kb-picture"])
            variants = variants_of(path, info)
            webp = [(variant.name, variant.width) for variant in variants if variant.format == "WEBP"]
            fallback = [(variant.name, variant.width) for variant in variants if variant.format != "WEBP"]
            fitting = [item for item in fallback if item[1] <= SRC_WIDTH]
            picture["webp"] = webp
            picture["fallback"] = fallback
            picture["src"] = (fitting[-1] if fitting else fallback[0])[0]
            size, shown_width = _size_attributes(image, info)
            picture["size"] = size
            slot = min(shown_width or info.width, COLUMN_WIDTH)
            picture["sizes"] = f"(max-width: {slot}px) 100vw, {slot}px"
            # The first image of the page (a post's featured image) is what readers see first.
            picture["eager"] = position == 0
            # Not replace_self(), which would move the image's ids and classes to the picture.
            image.parent.replace(image, picture)
            picture += image


def _size_attributes(image: nodes.image, info: ImageInfo) -> tuple[dict[str, str], int | None]:
    """``width``/``height`` (or a style) for the ``<img>``, and its width in CSS pixels if known.

    Without size options: the original's pixel size, which gives the browser the aspect ratio
    (CSS keeps the image inside the column). With ``width``/``height``/``scale`` options: the
    author's size, pixels as attributes (the missing one from the aspect ratio), other units
    as a style, as docutils writes them.
    """
    if not any(key in image for key in ("width", "height", "scale")):
        return {"width": str(info.width), "height": str(info.height)}, info.width
    factor = image.get("scale", 100) / 100
    measures = {key: nodes.parse_measure(image[key]) for key in ("width", "height") if key in image}
    pixels = {key: value for key, (value, unit) in measures.items() if unit in ("", "px")}
    if not measures:
        pixels = {"width": info.width, "height": info.height}
    elif "width" in pixels and "height" not in measures:
        pixels["height"] = pixels["width"] * info.height / info.width
    elif "height" in pixels and "width" not in measures:
        pixels["width"] = pixels["height"] * info.width / info.height
    attributes = {key: str(round(value * factor)) for key, value in pixels.items()}
    declarations = [
        f"{key}: {value * factor:g}{unit};"
        for key, (value, unit) in measures.items()
        if unit not in ("", "px")
    ]
    if declarations:
        attributes["style"] = " ".join(declarations)
    shown = int(attributes["width"]) if "width" in attributes else None
    return attributes, shown


def visit_picture_html(self: HTML5Translator, node: kb_picture) -> None:
    image = next(iter(node.findall(nodes.image)))
    original = self.builder.images.get(image["uri"])
    original_url = (
        posixpath.join(self.builder.imgpath, urllib.parse.quote(original)) if original else image["uri"]
    )

    def url(name: str) -> str:
        if not name:
            return original_url
        return posixpath.join(self.builder.imgpath, VARIANTS_DIR, urllib.parse.quote(name))

    def srcset(candidates: list[tuple[str, int]]) -> str:
        return ", ".join(f"{url(name)} {width}w" for name, width in candidates)

    attributes: dict[str, Any] = {
        "src": url(node["src"]),
        "srcset": srcset(node["fallback"]),
        "sizes": node["sizes"],
        "alt": image.get("alt", ""),
        "decoding": "async",
        **node["size"],
    }
    if node["eager"]:
        attributes["fetchpriority"] = "high"
    else:
        attributes["loading"] = "lazy"
    if "align" in image:
        attributes["classes"] = [f"align-{image['align']}"]
    block = not isinstance(node.parent, nodes.TextElement)
    # Sphinx links a scaled image to its original; keep that link around the whole picture.
    link = image.parent if isinstance(image.parent, nodes.reference) else None
    if link is not None:
        href = html.escape(link["refuri"], quote=True)
        self.body.append(f'<a class="reference internal image-reference" href="{href}">')
    self.body.append(
        self.starttag(node, "picture", "")
        + f'<source type="image/webp" srcset="{html.escape(srcset(node["webp"]), quote=True)}"'
        f' sizes="{html.escape(node["sizes"], quote=True)}" />'
        # starttag escapes every attribute value, the alt text included.
        + self.emptytag(image, "img", "", **attributes)
        + "</picture>"
        + ("</a>" if link is not None else "")
        + ("\n" if block else "")
    )
    raise nodes.SkipNode


def depart_picture_html(self: HTML5Translator, node: kb_picture) -> None:
    """Never called: the visit writes the whole element and skips the children."""


# --- Encoding, cached; copying into the output ------------------------------------------------


def _all_images(records: dict[str, dict[str, ImageInfo]]) -> dict[str, ImageInfo]:
    """Each image shown in any post, once, in a stable order."""
    images: dict[str, ImageInfo] = {}
    for docname in sorted(records):
        for path, info in sorted(records[docname].items()):
            images.setdefault(path, info)
    return images


def _encode(source: Path, info: ImageInfo, variants: list[Variant], cache: Path) -> int:
    """Decode ``source`` once and write each missing variant into ``cache``; returns how many."""
    missing = [variant for variant in variants if not (cache / variant.cache_name).is_file()]
    if not missing:
        return 0
    with Image.open(source) as opened:
        if opened.format in ("JPEG", "MPO"):
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale for free: far faster for big photos.
            scale = max(variant.width for variant in missing) / info.width
            opened.draft(None, (ceil(opened.width * scale), ceil(opened.height * scale)))
        picture = ImageOps.exif_transpose(opened)
        icc_profile = opened.info.get("icc_profile")
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    mode = "RGBA" if transparent and info.format == "PNG" else "RGB"
    if picture.mode != mode:
        picture = picture.convert(mode)
    # Each width is resized once for all its formats (WebP and the JPEG or PNG fallback).
    resized_by_size = {picture.size: picture}
    for variant in missing:
        size = (variant.width, variant.height)
        resized = resized_by_size.get(size)
        if resized is None:
            resized = resized_by_size[size] = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
        if variant.format == "WEBP":
            options.update(quality=QUALITY["WEBP"], method=6)
        elif variant.format == "JPEG":
            options.update(quality=QUALITY["JPEG"], optimize=True, progressive=True)
        else:
            options.update(optimize=True)
        target = cache / variant.cache_name
        partial = target.with_name(f"{target.name}.partial")
        resized.save(partial, format=variant.format, **options)
        # Atomic: an interrupted build never leaves a truncated file in the cache.
        partial.replace(target)
    return len(missing)


#: Each build's early encoding (see :func:`start_encoding_early`): its process.
_early: WeakKeyDictionary[Sphinx, subprocess.Popen[bytes]] = WeakKeyDictionary()
#: The early encoding's work, in the cache folder.
EARLY_JOBS = "early-jobs.pickle"


def start_encoding_early(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """At ``env-updated``: every image is known, and until the writers start the main process
    ranks related answers and saves the environment on one core. The variants the cache
    lacks are encoded from now on in a process of its own (:mod:`sourcebook.posts.encode_variants`),
    so the other core does that work then; :func:`write_variants` finds them in the cache,
    and encodes (and reports) any this did not.

    A new process, not a fork of this one: while a fork lives, each page of the environment
    this process then writes is copied (saving the environment touches every object), a cost
    that grows with the site; a new process costs a start-up on the idle core.
    """
    if app.builder.name not in HTML_BUILDERS or app.parallel <= 1:
        return []
    cache = Path(app.doctreedir) / CACHE_DIR
    jobs = [
        job for job in _jobs(app) if any(not (cache / variant.cache_name).is_file() for variant in job[2])
    ]
    if not jobs:
        return []
    cache.mkdir(parents=True, exist_ok=True)
    work = cache / EARLY_JOBS
    work.write_bytes(pickle.dumps((Path(app.srcdir), cache, jobs, app.parallel)))
    # The child imports this package from where this process did, installed or not.
    package_root = str(Path(__file__).resolve().parents[2])
    python_path = os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))
    _early[app] = subprocess.Popen(
        [sys.executable, "-m", "sourcebook.posts.encode_variants", str(work)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": python_path},
    )
    return []


def await_early_encoding(app: Sphinx) -> int:
    """How many variants the early encoding made, once it has ended (0 if there was none, or
    if it failed: what it left is encoded again)."""
    process = _early.pop(app, None)
    if process is None:
        return 0
    output, _ = process.communicate()
    (Path(app.doctreedir) / CACHE_DIR / EARLY_JOBS).unlink(missing_ok=True)
    if process.returncode != 0 or not output.strip().isdigit():
        logger.debug("sourcebook: the early image encoding ended with exit code %s", process.returncode)
        return 0
    return int(output)


def start_writing_variants(app: Sphinx) -> Iterable[tuple[str, dict[str, Any], str]]:
    """At ``html-collect-pages``: once per build, after the pages are written (the variants'
    names are known from the environment alone), beside the main process's steps on a website,
    before an EPUB's packaging steps (which list the files) in the main process."""
    if app.builder.name in HTML_BUILDERS:
        encoded_early = await_early_encoding(app)
        run_beside(app, lambda: write_variants(app, encoded_early))
    return []


def _jobs(app: Sphinx) -> list[Job]:
    """Each image the posts show, with its variants (the original file left out)."""
    return [
        (path, info, [variant for variant in variants_of(path, info) if variant.name])
        for path, info in _all_images(image_records(app.env)).items()
    ]


def _encode_all(app: Sphinx, jobs: list[Job]) -> list[int | Exception]:
    return encode_jobs(Path(app.srcdir), Path(app.doctreedir) / CACHE_DIR, jobs, app.parallel)


def encode_jobs(srcdir: Path, cache: Path, jobs: list[Job], threads: int) -> list[int | Exception]:
    """Encode what the cache lacks of each image: how many variants each gave, or its error."""
    cache.mkdir(parents=True, exist_ok=True)

    def encode(job: Job) -> int | Exception:
        path, info, variants = job
        try:
            return _encode(srcdir / path, info, variants, cache)
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            return error

    # Pillow releases the GIL while decoding, resizing and encoding: threads use every core.
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(encode, jobs))


def write_variants(app: Sphinx, encoded_early: int = 0) -> None:
    """Encode what the cache lacks, then copy every variant into ``_images/variants/``
    (``encoded_early``: how many this build encoded before, for the count it logs)."""
    cache = Path(app.doctreedir) / CACHE_DIR
    output = Path(app.outdir) / str(getattr(app.builder, "imagedir", "_images")) / VARIANTS_DIR
    output.mkdir(parents=True, exist_ok=True)
    jobs = _jobs(app)
    results = _encode_all(app, jobs)
    encoded, reused = encoded_early, -encoded_early
    for (path, _info, variants), result in zip(jobs, results, strict=True):
        if isinstance(result, Exception):
            warn(
                "image",
                f"image '{path}' could not be resized ({result}); save it again as JPEG or PNG",
                location=str(Path(app.srcdir) / path),
            )
            continue
        encoded += result
        reused += len(variants) - result
        for variant in variants:
            _copy_if_changed(cache / variant.cache_name, output / variant.name)
    # The folder is ours: variants of images no post shows any more go, as after a clean build.
    wanted = {variant.name for _path, _info, variants in jobs for variant in variants}
    for stale in output.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    logger.info("sourcebook: %d image variants encoded, %d reused", encoded, reused)


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy a cached variant unless the output already holds it (names carry the content hash)."""
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)


# --- For other features ------------------------------------------------------------------------


def thumbnail_for(app: Sphinx, source_relative_path: str, docname: str = "") -> tuple[str, int, int] | None:
    """The smallest WebP variant of a post image, for a thumbnail (card listings).

    ``source_relative_path`` is the image's path from the source folder, as in
    ``PostRecord.image`` (``'source/images/blog/1_thumbnail.jpg'``; a leading ``/`` is fine).
    Returns ``(url, width, height)``: ``url`` is relative to the output root
    (``'_images/variants/1_thumbnail-1a2b3c4d-400w.webp'``; make it relative to the page with
    ``pathto(url, 1)`` in a template or ``relative_uri``), ``width`` and ``height`` its size in
    pixels, for the ``<img>`` attributes. ``docname``, a post that shows the image, saves a
    walk over every post's images. Returns None when there is no variant to point at:
    a builder other than HTML, an image that no post shows, a remote URL, SVG, GIF or an
    unreadable file; use the original then. The file exists once the build has finished
    (variants are written at ``html-collect-pages``), so call this while writing pages.
    """
    if app.builder.name not in HTML_BUILDERS:
        return None
    path = source_relative_path.lstrip("/")
    # A post that shows the image (``docname``, when known) is asked first: no walk over every post.
    info = shown_image_info(app.env, docname, path) if docname else None
    info = info or _find(image_records(app.env), path)
    if info is None:
        return None
    smallest = variants_of(path, info)[0]  # WebP, the narrowest
    imagedir = str(getattr(app.builder, "imagedir", "_images"))
    return f"{imagedir}/{VARIANTS_DIR}/{smallest.name}", smallest.width, smallest.height


def setup_image_variants(app: Sphinx) -> None:
    app.add_env_collector(ImageSizeCollector)
    app.add_post_transform(ResponsiveImages)
    app.add_node(kb_picture, html=(visit_picture_html, depart_picture_html))
    app.connect("env-updated", start_encoding_early)
    app.connect("html-collect-pages", start_writing_variants)
