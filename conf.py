"""Sphinx configuration of the Sourcebook knowledge base: settings only, no logic."""

project = "Sourcebook"
author = "Sourcebook authors"
copyright = "2017-2026, Sourcebook authors"  # noqa: A001 - Sphinx's name for it
language = "en"
version = release = "1"  # the knowledge base's edition; EPUB requires one

# The Sourcebook extension sets up MyST, sphinx-design and Open Graph itself.
extensions = ["sourcebook"]

# Read only the site's content: never the README, docs/, benchmarks or test fixtures.
root_doc = "index"
include_patterns = ["index.md", "source/**"]
exclude_patterns = ["_build", ".venv", "**/.ipynb_checkpoints"]

# Sourcebook
kb_posts_dir = "source/posts"
kb_preview = False

# Posts keep the quotes their authors typed (and reading is faster without SmartQuotes).
smartquotes = False

# MyST
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "attrs_inline"]
myst_heading_anchors = 3

# HTML
html_theme = "sphinx_book_theme"
html_title = "Sourcebook"
html_static_path = ["_static"]
html_css_files = ["sourcebook.css"]
html_favicon = "_static/favicon.svg"
html_logo = "_static/logo.svg"
html_baseurl = ""  # the public address; Read the Docs' canonical URL replaces it there
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    # Fewer theme components: each one is rendered on every page, twice (pydata checks
    # whether it is empty first). The search field stays in the sidebar.
    "navbar_persistent": [],
    "primary_sidebar_end": [],
}
html_sidebars = {"**": ["navbar-logo.html", "search-button-field.html", "sbt-sidebar-nav.html"]}

# Open Graph for the pages that are not posts (posts carry their own, see sourcebook/navigation/head.py)
ogp_social_cards = {"enable": False}
ogp_enable_meta_description = True

# The EPUB's contents (nav.xhtml, toc.ncx) from the one contents tree Sphinx resolves first,
# not resolved again for each file: the book's toctrees (sourcebook/books/) hide nothing, so
# the contents are the same, and at 10,000 posts each resolution cost 8 s and 0.6 GB.
epub_tocscope = "includehidden"

# The PDF (LaTeX, as Read the Docs builds it): XeLaTeX, for the Chinese names and titles, set
# with xeCJK in Noto CJK (Debian's and Ubuntu's fonts-noto-cjk; Read the Docs sets nothing for
# CJK itself). What the book holds is Sourcebook's (kb_book_* options, sourcebook/books/).
latex_engine = "xelatex"
latex_documents = [("index", "sourcebook.tex", "Sourcebook", "Sourcebook authors", "manual")]
latex_show_urls = "no"
latex_use_xindy = False
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    # Read on screens: no blank pages before chapters.
    "extraclassoptions": "openany,oneside",
    "fontpkg": r"""
\setmainfont{texgyretermes}[Extension=.otf, UprightFont=*-regular, ItalicFont=*-italic,
  BoldFont=*-bold, BoldItalicFont=*-bolditalic]
\setsansfont{texgyreheros}[Extension=.otf, UprightFont=*-regular, ItalicFont=*-italic,
  BoldFont=*-bold, BoldItalicFont=*-bolditalic]
\setmonofont{lmmono10}[Extension=.otf, UprightFont=*-regular, ItalicFont=*-italic]
""",
    "preamble": r"""
\usepackage{xeCJK}
\setCJKmainfont{Noto Serif CJK SC}[BoldFont={Noto Serif CJK SC Bold}]
\setCJKsansfont{Noto Sans CJK SC}[BoldFont={Noto Sans CJK SC Bold}]
\setCJKmonofont{Noto Sans CJK SC}
\xeCJKDeclareCharClass{Default}{"00B7}
\setcounter{secnumdepth}{-1}
""",
    "fncychap": "",
    "tocdepth": r"\setcounter{tocdepth}{1}",
    # No general index: the glossary, an appendix, is the book's index of terms.
    "makeindex": "",
    "printindex": "",
}
