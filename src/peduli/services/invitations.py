"""An appointment as an iCalendar invitation (RFC 5545) that common calendars accept:
``METHOD:REQUEST`` with a UID that never changes and a SEQUENCE that rises with each move,
``METHOD:CANCEL`` once cancelled; the start in the post's time zone (``DTSTART;TZID=…``)
with that zone's VTIMEZONE included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from peduli.core.i18n import _, in_language
from peduli.reference.places import representation_by_code
from peduli.services.calendar import calendar_of
from peduli.services.models import Appointment
from peduli.services.schemas import ServiceDefinition

DOMAIN = "peduli.kemlu.go.id"
ORGANIZER = "mailto:appointments@peduli.kemlu.go.id"


def uid_of(appointment: Appointment) -> str:
    """The invitation's UID: the same for the appointment's whole life."""
    return f"appointment-{appointment.id}@{DOMAIN}"


def invitation(appointment: Appointment, definition: ServiceDefinition, *, now: datetime) -> bytes:
    """The .ics file of an appointment, in its holder's language."""
    language = appointment.language
    zone = calendar_of(appointment.representation_code).timezone
    post = representation_by_code(appointment.representation_code)
    cancelled = appointment.state == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", "-//Kemlu RI//Peduli//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid_of(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", f"{definition.name.get(language)} ({appointment.reference})")
    event.add(
        "description",
        in_language(
            _("Bring your identity documents. Show reference {reference} at the entrance."),
            language,
        ).format(reference=appointment.reference),
    )
    if post is not None:
        event.add("location", vText(post.name))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(ORGANIZER)
    organizer.params["cn"] = vText(post.name if post else "Peduli")
    event.add("organizer", organizer)
    event.add("transp", "OPAQUE")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{definition.name.get(language)} ({appointment.reference})")
        alarm.add("trigger", timedelta(hours=-24))
        event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
