"""`python -m gpact` runs the command line."""

from gpact.cli.main import run

run()
