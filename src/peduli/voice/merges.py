"""A merge of two person records as the voice line sees it: the calls follow the person.

The registry records which calls moved and moves them back on an unmerge
(``registry.merge_moves``); ``peduli.merging`` lists this step with the other domains'.
"""

from __future__ import annotations

from peduli.registry.merge_moves import rows_of
from peduli.voice.models import VoiceCall

MERGE_STEP = rows_of("voice_calls", VoiceCall)
