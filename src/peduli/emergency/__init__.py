"""Emergency intake: SOS and hotline calls as critical cases, duty rosters, escalation."""
