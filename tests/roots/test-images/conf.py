project = "Images fixture"
extensions = ["sourcebook"]
include_patterns = ["index.md", "source/**"]
html_theme = "basic"
myst_enable_extensions = ["attrs_inline"]
