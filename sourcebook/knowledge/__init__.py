"""Knowledge: what ties posts together — slug links and backlinks, the glossary and its term
links, related answers.

Imports ``sourcebook.posts`` and the top-level helpers, nothing above. ``glossary_data`` and
``similarity`` are pure. Used elsewhere:

* ``glossary``: ``linked_terms``, ``mentions_of`` (the terms each post links to);
* ``glossary_data``: ``GlossaryEntry``;
* ``term_links``: ``term_glossary`` (the build's loaded glossary);
* ``related``: ``body_text`` (a post's prose, shared with the search's word counts);
* ``slug_links``: its ``setup_*`` only.
"""
