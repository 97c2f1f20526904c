"""The crisis domain's periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from peduli.core.periodic import PeriodicTask
from peduli.crisis import broadcasts, checkins, delivery_state, reminders

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    # Every second: a call for help reaches the duty officer's phone within seconds.
    PeriodicTask(
        "crisis-raise-calls-for-help", 1, run_batched=checkins.raise_calls_for_help, urgent=True
    ),
    PeriodicTask("crisis-remind-silent", 60, reminders.remind_silent),
    # Every second, in a lane of its own: a large broadcast takes tens of seconds to write.
    PeriodicTask("crisis-send-broadcasts", 1, run_batched=broadcasts.fan_out_waiting, slow=True),
    # Every two seconds, in a lane of its own: the board's delivery counts follow the outbox
    # a few seconds behind; a run after a long stop reads all that finished meanwhile.
    PeriodicTask("crisis-follow-delivery", 2, delivery_state.follow_outbox, slow=True),
)
