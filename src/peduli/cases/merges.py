"""A merge of two person records as the cases see it: the absorbed record's cases follow it.

The registry records which case links moved and moves them back on an unmerge
(``registry.merge_moves``); ``peduli.merging`` lists this step with the other domains'.
"""

from __future__ import annotations

from peduli.cases.models import CasePerson
from peduli.registry.merge_moves import rows_of

MERGE_STEP = rows_of("cases", CasePerson)
