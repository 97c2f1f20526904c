"""Agencies: the outside systems the platform exchanges data with (civil registry,
immigration, BP2MI, partner states, partner systems' webhooks)."""
