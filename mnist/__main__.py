"""`python -m mnist ...`: see mnist/cli.py."""
import sys

from mnist.cli import main

sys.exit(main())
