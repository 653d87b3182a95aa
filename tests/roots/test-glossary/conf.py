project = "Glossary KB"
extensions = ["sourcebook"]
include_patterns = ["index.md", "source/**"]
html_theme = "basic"
