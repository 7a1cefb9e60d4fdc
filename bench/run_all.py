"""Run every benchmark in bench/: each `bench_*.py` module's `main(postgres_url)`.

PostgreSQL benchmarks run when LOTLINE_TEST_POSTGRES_URL is set (or a URL is the first
argument); each prints one line `name: ours X/s, raw Y/s, ratio R` per measurement."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    postgres_url = argv[0] if argv else os.environ.get("LOTLINE_TEST_POSTGRES_URL") or None
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        module.main(postgres_url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
