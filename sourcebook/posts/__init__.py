"""Posts: from a Markdown file with Gatsby frontmatter to a Sphinx page with its metadata.

The lowest layer: it imports no other Sourcebook package, only the top-level helpers
(``config``, ``reporting``, ``output``). ``frontmatter`` and ``slugs`` are pure (no Sphinx) and
shared by the build and the command line. Used elsewhere:

* ``frontmatter``: ``parse_post``, ``decode``, ``parse_date``, ``format_date``, ``check_image``,
  ``FrontMatter``, ``IMAGE_SUFFIXES``;
* ``slugs``: ``slugify``, ``slug_key``, ``normalise_slug``, ``slug_from_link``, ``SlugIndex``,
  ``unknown_slug``, ``duplicate_slug_message``;
* ``store``: the post store (``get_domain``, ``PostRecord``, ``is_post``, ``KnowledgeBaseDomain``);
* ``nodes``: ``kb_time``, ``link_or_text``, ``translator_writes``;
* ``image_variants``: ``thumbnail_for``, ``shown_image_info``;
* ``reader`` and ``images``: their ``setup_*`` only.
"""
