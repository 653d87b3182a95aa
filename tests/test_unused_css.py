"""Which rules of a stylesheet a site can use (the pure half of the theme's trimmed assets)."""

from __future__ import annotations

import tinycss2

from sourcebook.unused_css import (
    Stylesheet,
    Usage,
    drop_unused_faces_and_keyframes,
    font_files,
    icon_characters,
    is_icon_font,
    named_files,
    page_tokens,
    purge,
    rebase,
    script_tokens,
    selector_requirements,
    serialize,
)

PAGE = """<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="../_static/styles/theme.css?digest=abc" />
<script defer="defer" src="../_static/doctools.js?v=1"></script>
<script>document.body.classList.add("js-ready");</script>
</head><body class="home"><div id="main" class='bd-main wide'><p>text</p>
<a class="reference internal" href="x.html">x</a></div></body></html>"""


def requirements(selector: str) -> set[str]:
    return selector_requirements(tinycss2.parse_component_value_list(selector))


def trimmed(css: str, *tokens: str) -> str:
    return serialize(purge(Stylesheet.parse(css), Usage(frozenset(tokens))))


def test_a_page_uses_its_classes_ids_elements_and_its_inline_scripts_words() -> None:
    tokens = page_tokens(PAGE)
    assert {".home", ".bd-main", ".wide", ".reference", ".internal", "#main"} <= tokens
    assert {"html", "head", "body", "div", "p", "a", "script", "link"} <= tokens
    # A word of an inline script may be a class it adds, an id or an element it makes.
    assert {".js-ready", "#js-ready", "js-ready"} <= tokens
    assert named_files(tokens) == {"styles/theme.css", "doctools.js"}


def test_a_script_uses_any_of_its_words_and_names_other_scripts() -> None:
    tokens = script_tokens(
        'el.classList.toggle("show"); load(root + "_static/searchtools.js");'
        'style.href = new URL("kb-search-dialog.css", base).href;',
        ["kb-search-dialog.css", "kb-search-dialog.js", "styles/theme.css", "sphinx-book-theme.css"],
    )
    assert {".show", "#show", "show", ".classList"} <= tokens
    # By its path from the site's root, or by its name among the site's files.
    assert named_files(tokens) == {"searchtools.js", "kb-search-dialog.css"}
    assert named_files(script_tokens('link("pydata-sphinx-theme.css")', ["styles/theme.css"])) == set()


def test_what_a_selector_requires() -> None:
    assert requirements(".a.b > p span") == {".a", ".b", "p", "span"}
    assert requirements("#top .x") == {"#top", ".x"}
    # States, pseudo-elements and attributes never rule a selector out; nor what :not() excludes.
    assert requirements("a:hover::before") == {"a"}
    assert requirements("html[data-theme=dark] .only-light") == {"html", ".only-light"}
    assert requirements(".btn:not(.disabled):focus-visible") == {".btn"}
    assert requirements(":is(.x, .y) li") == {"li"}
    assert requirements("::selection") == set()
    assert requirements(".nav + .nav ~ ul") == {".nav", "ul"}


def test_rules_no_page_can_match_are_left_out() -> None:
    css = (
        ".used{color:red}.unused{color:blue}.used .unused{x:1}"
        ".unused,.used:hover{color:green}"
        "p{margin:0}table{border:0}"
        "@media (min-width: 960px){.used{width:1px}.unused{width:2px}}"
        "@media print{.unused{display:none}}"
        ":root{--pst-a:1}[data-theme=dark]{--pst-a:2}"
    )
    assert trimmed(css, ".used", "p") == (
        ".used{color:red}.used:hover{color:green}p{margin:0}"
        "@media (min-width: 960px){.used{width:1px}}"
        ":root{--pst-a:1}[data-theme=dark]{--pst-a:2}"
    )


def test_a_class_a_script_adds_keeps_its_rules() -> None:
    css = ".dropdown-menu{display:none}.dropdown-menu.show{display:block}.modal.show{x:1}"
    scripts = script_tokens('menu.classList.add("show")')
    page = page_tokens('<ul class="dropdown-menu"></ul>')
    assert trimmed(css, *scripts, *page) == ".dropdown-menu{display:none}.dropdown-menu.show{display:block}"


def test_an_import_is_replaced_by_its_rules_with_their_urls_moved() -> None:
    outer = Stylesheet.parse('@import "../basic.css";.a{color:red}')
    inner = Stylesheet.parse('.a{background:url(file.png)}.b{background:url("img/b.png")}.c{x:url(data:,x)}')
    usage = Usage(frozenset({".a", ".c"}))

    def imported(url: str) -> list[tinycss2.ast.Node]:
        assert url == "../basic.css"
        return rebase(purge(inner, usage), "", "styles")

    assert serialize(purge(outer, usage, imported)) == (
        ".a{background:url(../file.png)}.c{x:url(data:,x)}.a{color:red}"
    )


def test_fonts_and_animations_no_kept_rule_names_are_left_out() -> None:
    sheets = [
        purge(
            Stylesheet.parse(
                '@font-face{font-family:"Icons";src:url(../fonts/icons.woff2) format("woff2")}'
                '@font-face{font-family:"Brands";src:url(../fonts/brands.woff2)}'
                "@keyframes spin{to{transform:rotate(1turn)}}@keyframes fade{to{opacity:0}}"
                '.icon{--family:var(--x,"Icons");animation:spin 1s}.brand{font-family:Brands}'
            ),
            Usage(frozenset({".icon"})),
        )
    ]
    [rules] = drop_unused_faces_and_keyframes(sheets)
    assert serialize(rules) == (
        '@font-face{font-family:"Icons";src:url(../fonts/icons.woff2) format("woff2")}'
        "@keyframes spin{to{transform:rotate(1turn)}}"
        '.icon{--family:var(--x,"Icons");animation:spin 1s}'
    )
    assert font_files(rules) == {"../fonts/icons.woff2"}


def test_the_characters_kept_rules_draw() -> None:
    rules = purge(
        Stylesheet.parse(
            '.fa-bars{--fa:"\\f0c9"}.fa-sun{--fa:"\\f185"}.fa-moon{--fa:"\\f186"}'
            '.headerlink:after{content:"#"}.fa:before{content:var(--fa)}'
            '.wide{--font:"Segoe UI"}'
        ),
        Usage(frozenset({".fa-bars", ".fa-sun", ".fa", ".headerlink"})),
    )
    assert icon_characters([rules]) == {0xF0C9, 0xF185, ord("#")}


def test_an_icon_font_is_one_whose_characters_are_mostly_private() -> None:
    assert is_icon_font([0xF0C9, 0xF185, ord("A"), ord("#")])
    assert not is_icon_font(range(0x20, 0x7F))
    assert not is_icon_font([])
