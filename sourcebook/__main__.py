"""``python -m sourcebook``: the ``sourcebook`` command."""

import sys

from sourcebook.authoring.cli import main

sys.exit(main())
