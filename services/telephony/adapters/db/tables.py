"""The telephony datastore schema. Only the shared messaging tables until the telephony domain arrives."""

from services.common.db import new_metadata
from services.common.messaging import messaging_tables

metadata = new_metadata()
messaging = messaging_tables(metadata)
