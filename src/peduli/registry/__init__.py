"""The citizen registry: persons, their documents and contacts, stays, self-reports, claims."""
