"""Outside agencies: the civil registry, immigration, BP2MI, partner states, and the bulk
exchange of their exports (``imports*``)."""
