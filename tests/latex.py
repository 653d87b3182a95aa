"""Building a PDF the way Read the Docs does: Sphinx's LaTeX builder, then latexmk with XeLaTeX.

TeX comes from Debian (``make test`` installs it with apt when it is missing, like Chromium);
a missing tool is a clear failure, never a skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: The tools a PDF build and its checks need, and the Debian package of each.
TOOLS = {"latexmk": "latexmk", "xelatex": "texlive-xetex", "pdftotext": "poppler-utils"}


@dataclass
class Pdf:
    latex_dir: Path
    pdf: Path
    log: str
    sphinx_output: str
    latexmk_returncode: int

    @property
    def tex(self) -> str:
        return (self.latex_dir / "sourcebook.tex").read_text(encoding="utf-8")

    def text(self) -> str:
        """The PDF's text as pdftotext reads it (what a reader can select and search)."""
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(self.pdf), "-"], capture_output=True, text=True, check=True
        )
        return result.stdout

    def errors(self) -> list[str]:
        """TeX's errors and the characters no font had, from the log."""
        lines = self.log.splitlines()
        return [line for line in lines if line.startswith("!") or "Missing character" in line]


def require_tex() -> None:
    missing = [f"{tool} ({package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"missing {', '.join(missing)}: run 'make test', which installs them with apt")


def latexmk(latex_dir: Path) -> subprocess.CompletedProcess[str]:
    """Read the Docs' command, in the LaTeX folder, with the project's name as job name."""
    return subprocess.run(
        [
            "latexmk",
            "-r",
            "latexmkrc",
            "-pdf",
            "-f",
            "-dvi-",
            "-ps-",
            "-jobname=sourcebook",
            "-interaction=nonstopmode",
        ],
        cwd=latex_dir,
        capture_output=True,
        text=True,
        check=False,
    )


def build_pdf(srcdir: Path, outdir: Path, *extra: str) -> Pdf:
    """Sphinx's LaTeX build in a child process, then latexmk; the PDF and what they printed."""
    require_tex()
    latex_dir = outdir / "latex"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", "-b", "latex", *extra, str(srcdir), str(latex_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    made = latexmk(latex_dir)
    log_file = latex_dir / "sourcebook.log"
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else made.stdout
    return Pdf(latex_dir, latex_dir / "sourcebook.pdf", log, result.stdout + result.stderr, made.returncode)


def squashed(text: str) -> str:
    """Text without spaces, line breaks and hyphens, so that a sentence a PDF wraps or
    hyphenates still matches."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)
