"""`python -m services.assign`: run the assign service (same as `leadflow serve assign`)."""

import sys

from services.common.entrypoint import serve

sys.exit(serve("assign"))
