"""Authoring: the ``sourcebook`` command — new, check, build, serve, search, import.

The top layer: it may import every other package, and none imports it. ``cli.main`` is the
entry point (``[project.scripts]`` and ``python -m sourcebook``).
"""
