"""The command line: parse arguments, call the core, print; the core never imports this."""

from convenant_gen.cli.app import cli, main

__all__ = ["cli", "main"]
