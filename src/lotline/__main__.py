"""`python -m lotline ...` runs the command line, like the `lotline` script."""

from lotline.entrypoints.cli import main

if __name__ == "__main__":
    main()
