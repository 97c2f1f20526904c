"""A merge of two person records as consular services see it: the applications follow the
person (and go back on an unmerge); ``peduli.merging`` lists this step with the others'."""

from __future__ import annotations

from peduli.registry.merge_moves import rows_of
from peduli.services.models import ServiceApplication

MERGE_STEP = rows_of("service_applications", ServiceApplication)
