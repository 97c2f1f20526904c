"""Local stand-ins for outside systems of the agencies domain, really listening on HTTP:
the partner-state endpoint of the bilateral exchange (port 8033) and a webhook receiver
that checks signatures as a subscriber should (port 8034). Started by ``peduli sandbox``,
``peduli demo`` and the tests; what they take is stored in the database and shown on the
demo mailbox page (channels ``partner_state`` and ``webhook``)."""
