"""`python -m services.ingest`: run the ingest service (same as `leadflow serve ingest`)."""

import sys

from services.common.entrypoint import serve

sys.exit(serve("ingest"))
