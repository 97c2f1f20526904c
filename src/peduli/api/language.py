"""The caller's language on the API, for what the API writes to a person (a sign-in code).

Problem details stay English (a program reads them); texts a person reads in a message
follow ``?lang=``, the language cookie, then Accept-Language, then Indonesian.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from peduli.web import i18n


async def request_language(request: Request) -> str:
    """The language of the person behind this API call (asynchronous: read from the request
    alone, so it costs no hop to a worker thread)."""
    return i18n.negotiate(request)


RequestLanguage = Annotated[str, Depends(request_language)]
