"""Indonesian names as token sets, and how rare each token is.

A name is folded by the country profile (titles dropped, Muhammad/Moh./M. folded, old
spellings mapped: ``indonesian_names``); the patronymic markers bin, binti, bt, putra and
putri only separate a given name from a father's name, so they are dropped and both sides
kept. Two names are compared as sets of tokens, word order aside, each token of the shorter
name matched to the most alike token of the other (Jaro–Winkler), so a dropped middle name
or a father's name left out still compares as *close*.

How much an agreeing token proves depends on how many people carry it: "muhammad" or
"siti" agree between strangers all the time, "pattiasina" rarely. ``token_frequency`` is
the share of people carrying a token, shipped with the model (``model.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from peduli.reference.profile import get_profile

SEPARATORS = frozenset({"bin", "binti", "bt", "bte", "putra", "putri", "anak"})
TOKEN_SIMILARITY = 0.88  # Jaro–Winkler at which two tokens count as one name mistyped
UNSEEN_FREQUENCY = 2e-5  # a token the frequency table never saw: rare
MAX_TOKENS = 6


@lru_cache(maxsize=65536)
def name_tokens(full_name: str) -> tuple[str, ...]:
    """The folded tokens of a name, separators dropped, duplicates once, in order."""
    return key_tokens(get_profile().name_key(full_name))


@lru_cache(maxsize=1 << 16)
def key_tokens(name_key: str) -> tuple[str, ...]:
    """``name_tokens`` of a name already folded, as ``person.name_key`` stores it: reading
    the registry's records needs no folding again (the key is idempotent)."""
    seen: list[str] = []
    for token in name_key.split():
        if token not in SEPARATORS and token not in seen:
            seen.append(token)
    return tuple(seen[:MAX_TOKENS])


def token_frequency(token: str) -> float:
    """The share of people whose name holds ``token`` (unseen tokens are rare)."""
    return _frequencies().get(token, UNSEEN_FREQUENCY)


def _frequencies() -> Mapping[str, float]:
    from peduli.registry.linkage.model import get_model

    return get_model().token_frequencies


def rarest(tokens: Sequence[str], count: int = 2) -> tuple[str, ...]:
    """The ``count`` rarest tokens, rarest first (ties: longer, then alphabetical)."""
    frequencies = _frequencies()  # once, not per token: an import keys a million names
    ranked = sorted(tokens, key=lambda t: (frequencies.get(t, UNSEEN_FREQUENCY), -len(t), t))
    return tuple(ranked[:count])


def matched_tokens(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs (token of the shorter name, its match in the other), each token used once."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    free = list(long)
    pairs: list[tuple[str, str]] = []
    for token in short:
        if token in free:
            best, score = token, 1.0
        else:
            best, score = max(
                ((other, JaroWinkler.similarity(token, other)) for other in free),
                key=lambda item: item[1],
                default=("", 0.0),
            )
        if score >= TOKEN_SIMILARITY:
            pairs.append((token, best))
            free.remove(best)
    return pairs
