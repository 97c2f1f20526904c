"""What the elections' pages call methods, states, problems and changes, in the reader's
language."""

from __future__ import annotations

from peduli.core.i18n import Message, _, in_language
from peduli.reference.places import representation_by_code

METHOD_NAMES: dict[str, Message] = {
    "tpsln": _("At a polling station (TPSLN)"),
    "ksk": _("At a mobile ballot box (KSK)"),
    "pos": _("By post"),
}
STATE_NAMES: dict[str, Message] = {
    "draft": _("Draft"),
    "checked": _("Checked"),
    "fixed": _("Fixed"),
}
PROBLEM_NAMES: dict[str, Message] = {
    "duplicate": _("Also on another post's list"),
    "unverified": _("Residence not verified"),
    "civil_registry": _("Contradicts the civil registry"),
    "marital_status": _("Marital status contradicts the civil registry"),
}
# The civil registry's marital status, the detail of a contradiction of the committee's.
CIVIL_MARITAL_NAMES: dict[str, Message] = {
    "ever_married": _("The civil registry has them married or previously married."),
    "never_married": _("The civil registry has them never married."),
}
CHANGE_NAMES: dict[str, Message] = {
    "added": _("Added"),
    "removed": _("Removed"),
    "moved_in": _("Moved here"),
    "moved_out": _("Moved away"),
    "struck": _("Struck by the committee"),
}
REASON_NAMES: dict[str, Message] = {
    "record merged into another": _("Record merged into another"),
    "record erased": _("Record erased"),
    "active member of the armed forces or police": _("Active member of the armed forces or police"),
    "right to vote removed by a court": _("Right to vote removed by a court"),
    "no longer abroad": _("No longer abroad"),
    "no longer eligible": _("No longer eligible"),
}
VERIFICATION_NAMES: dict[str, Message] = {
    "verified": _("Verified"),
    "unverified": _("Not verified"),
    "rejected": _("Rejected"),
}


def helpers(language: str) -> dict[str, object]:
    """The names the elections' templates use."""

    def name_of(table: dict[str, Message]) -> object:
        return lambda key: in_language(table[key], language) if key in table else key

    def post_name(code: str | None) -> str:
        found = representation_by_code(code)
        return found.name if found else (code or "")

    return {
        "post_name": post_name,
        "method_name": name_of(METHOD_NAMES),
        "list_state_name": name_of(STATE_NAMES),
        "problem_name": name_of(PROBLEM_NAMES),
        "civil_marital_name": name_of(CIVIL_MARITAL_NAMES),
        "change_name": name_of(CHANGE_NAMES),
        "reason_name": name_of(REASON_NAMES),
        "verification_name": name_of(VERIFICATION_NAMES),
    }
