"""A name written another way, as a citizen reported twice writes it the second time."""

from __future__ import annotations

import random

from peduli.demo import names
from peduli.reference.profile import get_profile
from peduli.registry.matching import NAME_SIMILARITY_THRESHOLD, name_similarity


def spelling_variant(rng: random.Random, full_name: str) -> str:
    """The same name written another way, as a second report would: Moh. for Muhammad, an
    old or new spelling, bin/binti dropped, a middle name dropped, or all in capitals.

    The variant always stays similar enough for the registry to flag the pair.
    """
    profile = get_profile()
    key = profile.name_key(full_name)
    candidates = [v for v in _variants(full_name) if v not in (full_name, full_name.upper())]
    rng.shuffle(candidates)
    if rng.random() < 0.2:  # some people write their name in capitals on a form
        candidates.insert(0, full_name.upper())
    for variant in candidates:
        if name_similarity(key, profile.name_key(variant)) >= NAME_SIMILARITY_THRESHOLD:
            return variant
    return full_name.upper()


def _variants(full_name: str) -> list[str]:
    words = full_name.split(" ")
    variants = []
    for index, word in enumerate(words):
        if word in names.MUHAMMAD_FORMS:
            variants += [_with(words, index, form) for form in names.MUHAMMAD_FORMS if form != word]
        old = names.old_spelling(word)
        if old != word:
            variants.append(_with(words, index, old))
        modern = word.replace("oe", "u").replace("Oe", "U").replace("Dj", "J").replace("dj", "j")
        if modern != word:
            variants.append(_with(words, index, modern))
    for marker in ("bin", "binti"):
        if marker in words:
            variants.append(" ".join(words[: words.index(marker)]))
    if len(words) >= 3:
        variants.append(" ".join(words[:-2] + words[-1:]))
    return variants


def _with(words: list[str], index: int, replacement: str) -> str:
    return " ".join([*words[:index], replacement, *words[index + 1 :]])
