"""Where a Chinese phone number is from (归属地), from a compact table instead of phonenumbers' geocoder.

``region_of("+8613800138000") -> ("北京市", "北京市")``; ``lookup`` adds the carrier the range was allocated to.
The table ``cn_regions.csv`` is generated from phonenumbers' own data by ``scripts/gen_cn_regions.py`` and answers
exactly what ``geocoder.description_for_valid_number(n, "zh")`` (split by ``descriptions.split_region``) and
``carrier.name_for_valid_number(n, "zh")`` answer; a drift test holds it to the installed phonenumbers.
Importing this package imports nothing of phonenumbers.
"""

from services.common.phoneregion.table import PhoneRegion, lookup, region_of

__all__ = ["PhoneRegion", "lookup", "region_of"]
