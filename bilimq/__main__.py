"""`python -m bilimq` runs the command-line interface."""

from bilimq.cli.app import main

main()
