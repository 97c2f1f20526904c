"""Outside agencies: the civil registry, immigration, the migrant-worker agency (BP2MI) and
partner states, reached through ports and a gateway, with sandboxes for tests and demos."""
