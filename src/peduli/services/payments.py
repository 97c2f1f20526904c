"""Fees paid online: the worker opens a virtual account at the gateway for each application
waiting for one (no network call inside a request), and the gateway's signed notification
settles it (``settle``, idempotent: a notification delivered twice is counted once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.core.errors import Conflict, NotFound
from peduli.core.i18n import _
from peduli.services import catalogue
from peduli.services.fees import BASE_CURRENCY
from peduli.services.models import ServiceApplication
from peduli.services.ports import PaymentGateway, PermanentPaymentError, RetryablePaymentError
from peduli.services.schemas import PaymentNotification
from peduli.services.updates import tell_applicant
from peduli.services.workflow import Payment

BATCH = 100
PAID = _("Peduli: the fee of your application {reference} ({service}) is paid. Thank you.")


def open_virtual_accounts(
    session: Session, now: datetime, *, gateway: PaymentGateway, batch: int = BATCH
) -> int:
    """Open the virtual accounts not opened yet, oldest first; returns how many were opened.

    A retryable failure stops the run (the next one tries again); a permanent one is logged
    by leaving the row for an officer, who takes the fee at the counter."""
    waiting = session.execute(
        select(
            ServiceApplication.id,
            ServiceApplication.payment_reference,
            ServiceApplication.fee_usd_cents,
            ServiceApplication.reference,
        )
        .where(
            ServiceApplication.payment_state == Payment.AWAITING.value,
            ServiceApplication.payment_registered_at.is_(None),
        )
        .order_by(ServiceApplication.submitted_at)
        .limit(batch)
    ).all()
    opened = []
    for application_id, payment_reference, cents, reference in waiting:
        assert payment_reference is not None
        try:
            gateway.open_virtual_account(
                reference=payment_reference,
                amount_cents=cents,
                currency=BASE_CURRENCY,
                description=f"Peduli {reference}",
            )
        except RetryablePaymentError:
            break
        except PermanentPaymentError:
            session.execute(
                update(ServiceApplication)
                .where(ServiceApplication.id == application_id)
                .values(payment_state=Payment.AT_COUNTER.value, payment_method="counter")
            )
            continue
        opened.append(application_id)
    if opened:
        session.execute(
            update(ServiceApplication)
            .where(ServiceApplication.id.in_(opened))
            .values(payment_registered_at=now)
        )
    return len(opened)


def settle(session: Session, *, notification: PaymentNotification) -> ServiceApplication:
    """The gateway reports a virtual account paid: the application's fee is paid."""
    application = session.scalar(
        select(ServiceApplication).where(
            ServiceApplication.payment_reference == notification.reference
        )
    )
    if application is None:
        raise NotFound(_("No application waits for this payment reference."))
    if application.payment_state == Payment.PAID:
        return application
    if (notification.amount_cents, notification.currency) != (
        application.fee_usd_cents,
        BASE_CURRENCY,
    ):
        raise Conflict(_("The amount paid is not the fee."), code="wrong_amount")
    application.payment_state = Payment.PAID.value
    application.paid_at = notification.paid_at
    audit.record(
        session,
        actor=SYSTEM,
        action="service.paid",
        entity_type="service_application",
        entity_id=str(application.id),
        subject_person_id=application.person_id,
    )
    definition = catalogue.version_of(
        session, application.service_code, application.service_version
    )
    tell_applicant(session, application, definition, message=PAID, event="paid")
    return application
