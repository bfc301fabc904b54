"""``python -m toolkit ...`` runs the who-says-what command line."""
import sys

from .cli import main

sys.exit(main())
