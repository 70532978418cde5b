"""`python -m tutor.cli` runs the command line (the tests and the README use it)."""

from tutor.cli import run

run()
