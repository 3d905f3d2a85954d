"""`python -m services.dedup`: run the dedup service (same as `leadflow serve dedup`)."""

import sys

from services.common.entrypoint import serve

sys.exit(serve("dedup"))
