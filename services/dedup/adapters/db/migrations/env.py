from services.common.migrations import run_env
from services.dedup.adapters.db.tables import metadata

run_env(metadata)
