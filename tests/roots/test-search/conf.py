project = "Search KB"
extensions = ["sourcebook"]
include_patterns = ["index.md", "source/**"]
html_theme = "sphinx_book_theme"
html_theme_options = {"navbar_persistent": [], "primary_sidebar_end": []}
html_sidebars = {"**": ["navbar-logo.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
ogp_social_cards = {"enable": False}
