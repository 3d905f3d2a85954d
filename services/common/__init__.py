"""Code the five services share. Importing it first makes nats-py load without aiohttp (see ``natsimport``)."""

from services.common import natsimport

natsimport.install()
