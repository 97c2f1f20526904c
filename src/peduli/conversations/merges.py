"""A merge of two person records as the conversations see it: the chats follow the person.

The registry records which conversations moved and moves them back on an unmerge
(``registry.merge_moves``); ``peduli.merging`` lists this step with the other domains'.
"""

from __future__ import annotations

from peduli.conversations.models import Conversation
from peduli.registry.merge_moves import rows_of

MERGE_STEP = rows_of("conversations", Conversation)
