"""`python -m services.telephony`: run the telephony service (same as `leadflow serve telephony`)."""

import sys

from services.common.entrypoint import serve

sys.exit(serve("telephony"))
