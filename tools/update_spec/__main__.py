"""`python tools/update_spec SPEC...`: what `make update-spec` runs."""

import sys
from pathlib import Path

if not __package__:  # run as a directory: its siblings in tools/ are what it imports
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from update_spec.steps import main

sys.exit(main(sys.argv[1:]))
