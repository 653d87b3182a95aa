"""Navigation: the ways in — lists of posts, tags, previous/next, feeds, old Gatsby addresses,
head metadata, and what crawlers need (sitemap, robots.txt, the 404 page).

Imports ``sourcebook.posts``, ``sourcebook.knowledge`` and the top-level helpers, nothing above.
Only ``sourcebook.extension`` uses it, through each module's ``setup_*``.
"""
