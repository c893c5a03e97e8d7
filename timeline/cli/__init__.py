"""The `postmortem` command line: parse options, load config, call one function, print."""

from timeline.cli.main import main

__all__ = ["main"]
