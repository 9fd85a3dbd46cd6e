"""``python -m electoral`` and the ``electoral`` script: ``rcv`` goes straight to its argparse
command (``electoral.cli_rcv``: a count is timed as a whole process, and Typer would load pydantic
first), every other command to the Typer app (``electoral.cli``)."""

import sys


def main() -> None:
    if sys.argv[1:2] == ["rcv"]:
        import gc

        # a count is one short process whose objects are arrays and acyclic records: the cyclic
        # collector would only rescan the modules being imported (about 5% of a million-ballot
        # count's whole time); reference counting still frees everything
        gc.disable()
        from electoral.cli_rcv import run_rcv
        sys.exit(run_rcv(sys.argv[2:]))
    from electoral.cli import main as typer_main
    typer_main()


if __name__ == "__main__":
    main()
