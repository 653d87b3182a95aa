"""docutils' default settings for each document, from an option parser made once per process.

Sphinx reads every document with settings from a new ``docutils.frontend.OptionParser``
(``sphinx.util.docutils._get_settings``), and MyST makes one more for each post it renders
(``setup_render`` evaluates ``make_document()`` even when it is given the document). Making a
parser builds optparse's option table for every docutils component: twice per post, 5 % of
py-spy's samples of a clean build's processes. A parser only turns its components' settings
specifications, the defaults given and the configuration files into a ``Values``, so the last
one made is kept while those are the same, and each call still gets a new ``Values`` from it
(``get_default_values``), as each document did. The configuration files (``docutils.conf``)
are read again when one of them changes.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import myst_parser.mdit_to_docutils.base as myst_base
import sphinx.util.docutils as sphinx_docutils
from docutils.frontend import OptionParser, Values, get_default_settings

#: What a parser reads from each component (``OptionParser.populate_from_components`` and
#: its configuration files' sections).
_SPEC_ATTRIBUTES = (
    "settings_spec",
    "settings_defaults",
    "settings_default_overrides",
    "relative_path_settings",
    "config_section",
    "config_section_dependencies",
)

Signature = tuple[tuple[Any, ...], dict[str, Any], tuple[tuple[str, tuple[int, int] | None], ...] | None]
"""Everything a parser's defaults come from: its components' specifications, the defaults
given, and the configuration files it read (each one's path and stamp), if it read them."""

#: The last parser each caller made, with its signature. One each: a build asks for the same
#: settings every time, and an older one would keep an old build's environment (one of
#: Sphinx's defaults) alive.
_last: dict[str, tuple[Signature, OptionParser]] = {}


def signature(components: tuple[Any, ...], defaults: Mapping[str, Any], read_files: bool) -> Signature:
    """What makes two parsers' defaults the same (Sphinx passes a new parser object per
    document: its class and specification are what count)."""
    specs = tuple(
        (
            component if isinstance(component, type) else type(component),
            *(getattr(component, name, None) for name in _SPEC_ATTRIBUTES),
        )
        for component in components
    )
    return specs, dict(defaults), config_files() if read_files else None


def config_files() -> tuple[tuple[str, tuple[int, int] | None], ...]:
    """docutils' configuration files (``DOCUTILSCONFIG`` or its standard ones), each with its
    modification time and size, or None where there is none: a changed file makes a new parser."""
    found: list[tuple[str, tuple[int, int] | None]] = []
    for name in OptionParser.get_standard_config_files():
        path = Path(name).absolute()
        try:
            status = path.stat()
        except OSError:
            found.append((str(path), None))
        else:
            found.append((str(path), (status.st_mtime_ns, status.st_size)))
    return tuple(found)


def kept_parser(
    caller: str, components: tuple[Any, ...], defaults: Mapping[str, Any], read_files: bool
) -> OptionParser:
    """The parser last made for ``caller`` if its signature is the same, else a new one."""
    wanted = signature(components, defaults, read_files)
    found = _last.get(caller)
    if found is not None and found[0] == wanted:
        return found[1]
    with warnings.catch_warnings(action="ignore", category=DeprecationWarning):
        # docutils deprecates its optparse classes; Sphinx and MyST still use them.
        parser = OptionParser(components=components, defaults=dict(defaults), read_config_files=read_files)
    _last[caller] = (wanted, parser)
    return parser


def sphinx_settings(*components: Any, defaults: Mapping[str, Any], read_config_files: bool = False) -> Values:
    """``sphinx.util.docutils._get_settings``, from a kept parser."""
    return kept_parser("sphinx", components, defaults, read_config_files).get_default_values()


def myst_default_settings(*components: Any) -> Values:
    """``docutils.frontend.get_default_settings`` as MyST's ``make_document`` calls it."""
    return kept_parser("myst", components, {}, False).get_default_values()


#: What is replaced: the module, the name, the function it names there, its replacement.
REPLACED = (
    (sphinx_docutils, "_get_settings", sphinx_docutils._get_settings, sphinx_settings),
    (myst_base, "get_default_settings", get_default_settings, myst_default_settings),
)


def keep_option_parsers() -> None:
    """Make Sphinx's and MyST's per-document settings from kept parsers (for the process)."""
    for module, name, _original, replacement in REPLACED:
        setattr(module, name, replacement)
