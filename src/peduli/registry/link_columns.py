"""The columns of record linkage's blocking keys, shared by a person and a staged import row.

Beside the models rather than in them: ``agencies`` stages an export's rows with the same
columns (``AgencyImportRow``), made where the row's NIK is in the clear, and ``bulk`` copies
them into ``person`` as they are; one definition keeps their types, and their byte-order
collation, the same on both sides.
"""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.byte_order import byte_ordered


class LinkKeyColumns:
    """Record linkage's blocking keys (``registry.linkage.keys``) of a person, or of a staged
    import row: the rarest name tokens, alone and with the birth year or day; regency; initials."""

    link_token_a: Mapped[str | None] = mapped_column(byte_ordered(40))
    link_token_b: Mapped[str | None] = mapped_column(byte_ordered(40))
    link_name_year: Mapped[str | None] = mapped_column(byte_ordered(90))
    link_name_day: Mapped[str | None] = mapped_column(byte_ordered(90))
    link_region: Mapped[str | None] = mapped_column(byte_ordered(64))
    link_initials: Mapped[str | None] = mapped_column(byte_ordered(40))
