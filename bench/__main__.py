"""`make bench`: every benchmark in this folder, one after another."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name not in ("echo", "__main__"))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            print(f"\n=== bench.{name} ===", flush=True)
            module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
