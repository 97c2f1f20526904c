"""Local stand-ins for the agencies, each really listening on HTTP with a synthetic population
consistent with the demo's and switchable failure modes."""
