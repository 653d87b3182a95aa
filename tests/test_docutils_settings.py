"""Each document's docutils settings come from a kept option parser, and are what a new
parser gives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from docutils.frontend import OptionParser
from docutils.readers import standalone
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.testing.util import SphinxTestApp

from sourcebook import docutils_settings

from conftest import assemble_shipped_site, html_pages, warnings_of

SPHINX_DEFAULTS = {"traceback": True, "input_encoding": "utf-8-sig", "doctitle_xform": False, "halt_level": 5}


def fresh(*components: Any, defaults: dict[str, Any], read_config_files: bool = False) -> dict[str, Any]:
    with pytest.warns(DeprecationWarning):
        parser = OptionParser(components=components, defaults=defaults, read_config_files=read_config_files)
    return comparable(vars(parser.get_default_values()))


def comparable(values: dict[str, Any]) -> dict[str, Any]:
    """A settings object's values; its dependency list is a new (empty) object each time."""
    assert values.pop("record_dependencies").list == []
    return values


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """The option parsers made, by their components."""
    components: list[tuple[Any, ...]] = []
    init = OptionParser.__init__

    def counting(self: OptionParser, *args: Any, **kwargs: Any) -> None:
        components.append(tuple(kwargs.get("components", args[0] if args else ())))
        init(self, *args, **kwargs)

    monkeypatch.setattr(OptionParser, "__init__", counting)
    monkeypatch.setattr(docutils_settings, "_last", {})
    # Sphinx's and MyST's own functions until something replaces them (undone after the test).
    use_originals(monkeypatch)
    yield components


def use_originals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sphinx's and MyST's own settings functions in place of the kept parsers' (until undone)."""
    for module, name, original, _replacement in docutils_settings.REPLACED:
        monkeypatch.setattr(module, name, original)


def test_settings_are_a_new_parser_s_and_a_new_object_each_time(made: list[tuple[Any, ...]]) -> None:
    first = docutils_settings.sphinx_settings(standalone.Reader, MystParser(), defaults=SPHINX_DEFAULTS)
    first.halt_level = 1
    first.record_dependencies.add("one.md")
    second = docutils_settings.sphinx_settings(standalone.Reader, MystParser(), defaults=SPHINX_DEFAULTS)
    assert second is not first
    assert len(made) == 1  # a new parser object of the same class is the same specification
    assert comparable(vars(second)) == fresh(standalone.Reader, MystParser(), defaults=SPHINX_DEFAULTS)
    assert second.halt_level == 5


def test_other_defaults_or_components_make_a_new_parser(made: list[tuple[Any, ...]]) -> None:
    docutils_settings.sphinx_settings(standalone.Reader, MystParser(), defaults=SPHINX_DEFAULTS)
    changed = docutils_settings.sphinx_settings(
        standalone.Reader, MystParser(), defaults={**SPHINX_DEFAULTS, "halt_level": 2}
    )
    assert changed.halt_level == 2
    assert len(made) == 2
    reader_only = docutils_settings.sphinx_settings(standalone.Reader, defaults=SPHINX_DEFAULTS)
    assert len(made) == 3
    assert comparable(vars(reader_only)) == fresh(standalone.Reader, defaults=SPHINX_DEFAULTS)
    assert not hasattr(reader_only, "syntax_highlight") and hasattr(changed, "syntax_highlight")


def test_a_docutils_conf_is_read_as_before(
    made: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "docutils.conf").write_text("[general]\ntab_width: 3\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOCUTILSCONFIG", raising=False)
    kept = docutils_settings.sphinx_settings(
        standalone.Reader, defaults=SPHINX_DEFAULTS, read_config_files=True
    )
    assert kept.tab_width == "3"  # as docutils reads it
    new = fresh(standalone.Reader, defaults=SPHINX_DEFAULTS, read_config_files=True)
    assert comparable(vars(kept)) == new

    # A changed file is read again; an unchanged one is not.
    made.clear()
    again = docutils_settings.sphinx_settings(
        standalone.Reader, defaults=SPHINX_DEFAULTS, read_config_files=True
    )
    assert again.tab_width == "3"
    assert made == []
    (tmp_path / "docutils.conf").write_text("[general]\ntab_width: 12\n")
    changed = docutils_settings.sphinx_settings(
        standalone.Reader, defaults=SPHINX_DEFAULTS, read_config_files=True
    )
    assert changed.tab_width == "12"
    assert len(made) == 1


def test_myst_s_documents_take_the_parser_s_defaults(made: list[tuple[Any, ...]]) -> None:
    from docutils.parsers.rst import Parser as RSTParser
    from myst_parser.mdit_to_docutils.base import make_document

    docutils_settings.keep_option_parsers()
    documents = [make_document("a.md"), make_document("b.md")]
    assert documents[0].settings is not documents[1].settings
    assert len(made) == 1
    assert comparable(vars(documents[1].settings)) == fresh(RSTParser, defaults={})


def test_a_build_makes_a_parser_or_two_not_two_per_document(
    build: Callable[..., SphinxTestApp],
    made: list[tuple[Any, ...]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    app = build(assemble_shipped_site("posts", tmp_path / "kept"))
    assert warnings_of(app) == []
    documents = len(app.env.found_docs)
    assert documents >= 8
    kept_count = len(made)
    assert kept_count <= 4, made

    # Without the kept parsers, each document makes its own (two for a post), and the pages
    # are the same.
    made.clear()
    use_originals(monkeypatch)
    monkeypatch.setattr("sourcebook.extension.keep_option_parsers", lambda: None)
    new = build(assemble_shipped_site("posts", tmp_path / "new"))
    assert len(made) > documents + kept_count
    assert html_pages(new.outdir) == html_pages(app.outdir)
