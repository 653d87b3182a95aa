"""Frontmatter is untrusted in the PDF too: LaTeX in it prints as text and reads no file.

The shipped site is built as a PDF with tests/roots/test-untrusted's posts, one of whose title
and tags are LaTeX (``\\input{/etc/passwd}``, ``\\write18``, ``}``, ``%``, ``#``, ``$``, ``_``,
``^``, ``~``, ``\\end{document}``), one whose featured image's file name is markup.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from conftest import assemble_shipped_site
from latex import Pdf, build_pdf, squashed
from test_untrusted_frontmatter import HOSTILE_IMAGE

TITLE = (
    r"Rework \input{/etc/passwd} \immediate\write18{touch kb-pwned} } { % comment # $math$ _ ^ ~ "
    r"\\ \end{document} &"
)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    root = tmp_path_factory.mktemp("untrusted-pdf")
    srcdir = assemble_shipped_site("untrusted", root / "site")
    images = srcdir / "source" / "images" / "blog"
    images.mkdir(parents=True)
    Image.new("RGB", (640, 360), (200, 60, 40)).save(images / HOSTILE_IMAGE, "PNG")
    return build_pdf(srcdir, root / "out")


def test_the_hostile_pdf_builds_without_a_tex_error(pdf: Pdf) -> None:
    assert pdf.latexmk_returncode == 0
    assert pdf.errors() == []


def test_latex_in_frontmatter_prints_as_text(pdf: Pdf) -> None:
    text = squashed(pdf.text())
    assert squashed(TITLE) in text
    assert squashed(r"Tags: \input{/etc/passwd} · % # $ _ ^ ~ · inspection") in text
    assert squashed("the post ends with a pelican.") in text  # the text after the title is there


def test_no_file_is_read_and_no_command_runs(pdf: Pdf) -> None:
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    assert squashed(passwd) not in squashed(pdf.text())
    assert "/etc/passwd" not in [line.strip("()") for line in pdf.log.split()]
    assert not (pdf.latex_dir / "kb-pwned").exists()


def test_an_image_name_that_is_markup_is_renamed(pdf: Pdf) -> None:
    assert HOSTILE_IMAGE not in pdf.tex
    assert any(path.name.startswith("kb-image-") for path in pdf.latex_dir.glob("*.png"))
