"""The country profiles this installation ships, by profile code.

Adding a country is adding a module here that builds one ``CountryProfile`` and listing it
below; nothing in the registry changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from peduli.reference.profile import CountryProfile
from peduli.reference.profiles.indonesia import INDONESIA

PROFILES: Mapping[str, CountryProfile] = MappingProxyType(
    {profile.code: profile for profile in (INDONESIA,)}
)
