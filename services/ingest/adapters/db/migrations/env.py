from services.common.migrations import run_env
from services.ingest.adapters.db.tables import metadata

run_env(metadata)
