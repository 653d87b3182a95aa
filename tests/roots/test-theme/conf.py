# A site with the shipped site's theme and settings: what the theme's trimmed assets serve.
project = "Theme KB"
extensions = ["sourcebook"]
include_patterns = ["index.md", "source/**"]
html_theme = "sphinx_book_theme"
html_title = "Theme KB"
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "navbar_persistent": [],
    "primary_sidebar_end": [],
}
html_sidebars = {"**": ["navbar-logo.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
ogp_social_cards = {"enable": False}
myst_enable_extensions = ["colon_fence"]
