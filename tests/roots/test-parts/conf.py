project = "Parts KB"
extensions = ["sourcebook"]
include_patterns = ["index.md", "source/**"]
html_theme = "sphinx_book_theme"
html_baseurl = "https://kb.example.com/"
# Lists of more than four go on over further pages.
kb_posts_per_page = 4
kb_glossary = ""
