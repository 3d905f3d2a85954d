from services.common.migrations import run_env
from services.telephony.adapters.db.tables import metadata

run_env(metadata)
