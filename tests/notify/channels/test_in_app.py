"""In-app notices: the channel writes one notice per message, once per idempotency key."""

from __future__ import annotations

from peduli.notify import notices, service
from peduli.notify.channels.in_app import InAppChannel
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxStatus
from peduli.notify.ports import OutboundMessage
from tests.notify.notify_helpers import SessionFactory, outbox


def test_delivery_writes_the_notice_a_person_reads(session_factory: SessionFactory) -> None:
    with session_factory() as session, session.begin():
        for i in range(3):
            service.enqueue(
                session,
                channel="in_app",
                recipient="person-1" if i < 2 else "person-2",
                subject=f"Pemberitahuan {i}",
                body="Harap tetap di dalam rumah.",
                idempotency_key=f"n:{i}",
            )

    assert dispatch_once(session_factory, channels={"in_app": InAppChannel()}, worker_id="w") == 3

    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    with session_factory() as session:
        mine = notices.for_recipient(session, recipient="person-1")
        assert [n.subject for n in mine] == ["Pemberitahuan 1", "Pemberitahuan 0"]
        assert notices.unread_count(session, recipient="person-1") == 2
    with session_factory() as session, session.begin():
        notices.mark_read(session, recipient="person-1", notice_id=mine[0].id)
    with session_factory() as session:
        assert notices.unread_count(session, recipient="person-1") == 1


def test_a_resent_batch_leaves_one_notice_per_key(session_factory: SessionFactory) -> None:
    message = OutboundMessage(
        id=1, channel="in_app", recipient="p", subject="s", body="b", idempotency_key="k"
    )
    channel = InAppChannel()

    first = channel.send([message])
    second = channel.send([message])

    assert first[0].provider_message_id == second[0].provider_message_id
    with session_factory() as session:
        assert len(notices.for_recipient(session, recipient="p")) == 1
