"""``python -m electoral`` and the ``electoral`` script: ``rcv`` goes straight to its argparse
command (``electoral.cli_rcv``: a count is timed as a whole process, and Typer would load pydantic
first), every other command to the Typer app (``electoral.cli``)."""

import sys


def main() -> None:
    if sys.argv[1:2] == ["rcv"]:
        from electoral.cli_rcv import run_rcv
        sys.exit(run_rcv(sys.argv[2:]))
    from electoral.cli import main as typer_main
    typer_main()


if __name__ == "__main__":
    main()
