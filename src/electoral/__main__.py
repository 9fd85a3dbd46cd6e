"""``python -m electoral``: the same command line as the ``electoral`` script."""

from electoral.cli import main

main()
