"""Consular services: one catalogue for every post, online applications and their queue."""
