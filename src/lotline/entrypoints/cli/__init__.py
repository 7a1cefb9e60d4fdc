"""The `lotline` command line (Typer + Rich). `main` is the console script's entry point."""

from lotline.entrypoints.cli.app import app, main

__all__ = ["app", "main"]
