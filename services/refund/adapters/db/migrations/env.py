from services.common.migrations import run_env
from services.refund.adapters.db.tables import metadata

run_env(metadata)
