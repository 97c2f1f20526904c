"""Crisis response: declared crises and their areas, targeting, broadcasts and check-ins."""
