"""`python -m services.refund`: run the refund service (same as `leadflow serve refund`)."""

import sys

from services.common.entrypoint import serve

sys.exit(serve("refund"))
