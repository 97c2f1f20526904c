"""Name keys for Indonesian names: one key for the many ways one person's name is written.

The key is for *finding candidates* for a possible duplicate, never for deciding one: an
officer confirms. It therefore folds generously. The rules, in order:

1. Lowercase, accents and apostrophes dropped (``Ma'rúf`` → ``maruf``); any punctuation but
   dots and commas separates words.
2. Titles are dropped wherever they stand: ``H.``, ``Hj.``, ``Haji``, ``KH``, ``Dr.``,
   ``Drs.``, ``Dra.``, ``Ir.``, ``Prof.``, ``Tn.``, ``Ny.``, ``Nn.``, ``Sdr.``, ``Bpk.``.
   Academic degrees (``S.Kom.``, ``S.H.``, ``M.M.``, ``M.A.``, ``Ph.D.``, ``A.Md.``, ``Lc``…)
   are dropped when written with dots or after a comma, so a real name such as *Ma* in
   ``Ma Ying`` survives: ``Ir. H. Joko Widodo, S.T., M.M.`` → ``yoko widodo``.
3. Every form of Muhammad becomes ``muhammad``: Muhammad, Mohammad, Mohamad, Muhamad,
   Mochammad, Muchamad, Mukhammad, Mohd, Muhd, Mhd, Moh., Moch., Muh., Md. and M.
   (``M. Yoesoef`` → ``muhammad yusuf``). Words glued by dots split (``Moh.Jusuf``).
4. Old spellings (Van Ophuijsen 1901, Soewandi 1947) fold into the 1972 EYD:
   ``oe`` → ``u`` (Soekarno → sukarno), ``dj`` → ``j`` (Djoko → joko),
   ``tj`` → ``c`` (Tjahjo → cahjo), ``ch`` → ``kh`` (Chairul → khairul), and ``j`` → ``y``
   (Jusuf → yusuf), which also makes ``nj`` → ``ny`` (Njoman → nyoman) and
   ``sj`` → ``sy`` (Sjahrir → syahrir).
   A lone ``j`` is /y/ in the old spelling but /j/ in EYD and nothing in a name tells which,
   so the key folds ``dj``, ``j`` and ``y`` alike into ``y``: Djoko, Joko (and Yoko) all
   give ``yoko``; Tjahjo and Cahyo give ``cahyo``.
5. Single names (Sukarno, Suharto) stay one token; word order is kept.

The key is idempotent: ``name_key(name_key(x)) == name_key(x)``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from peduli.reference.profile import fold_text

_SPELLING_RULES = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("ch", "kh"), ("j", "y"))

_MUHAMMAD = "muhammad"
_MUHAMMAD_FORMS = (
    "muhammad", "muhammed", "muhamad", "muhamed", "mohammad", "mohammed", "mohamad",
    "mohamed", "mochammad", "mochamad", "muchammad", "muchamad", "mukhammad", "mukhamad",
    "mokhammad", "mokhamad", "mohd", "muhd", "mhd", "moch", "moh", "muh", "md", "m",
)  # fmt: skip
_HONORIFICS = (
    "h", "hj", "haji", "hajah", "hajjah", "kh", "dr", "drs", "dra", "ir", "prof", "tn", "ny",
    "nn", "sdr", "sdri", "bpk",
)  # fmt: skip
_DEGREES = (
    "skom", "st", "se", "sh", "spd", "ssos", "ssi", "sag", "sip", "spsi", "sked", "sfarm",
    "skep", "ss", "sp", "str", "shut", "sik", "sak", "mkom", "mm", "msi", "mpd", "mt", "mh",
    "mhum", "mkes", "mag", "msc", "ma", "mba", "phd", "lc", "amd", "ba", "bsc", "spog",
)  # fmt: skip

# Anything but a letter, a digit, a dot or a comma separates words.
_SEPARATORS = re.compile(r"[^\w.,]+|_")


def fold_spelling(word: str) -> str:
    """Fold one lowercase word from old Indonesian spellings into the key's spelling."""
    previous = None
    while word != previous:  # repeat until stable, so folding twice changes nothing
        previous = word
        for old, new in _SPELLING_RULES:
            word = word.replace(old, new)
    return word


_MUHAMMAD_KEYS = frozenset(fold_spelling(form) for form in _MUHAMMAD_FORMS)
_HONORIFIC_KEYS = frozenset(fold_spelling(title) for title in _HONORIFICS)
_DEGREE_KEYS = frozenset(fold_spelling(degree) for degree in _DEGREES)


def name_tokens(full_name: str) -> list[str]:
    """Return the folded words of an Indonesian name, titles dropped (see module doc)."""
    tokens: list[str] = []
    for index, segment in enumerate(fold_text(full_name).split(",")):
        for word in _SEPARATORS.split(segment):
            tokens.extend(_word_tokens(word, after_comma=index > 0))
    return tokens


def name_key(full_name: str) -> str:
    """Return the one-line key of an Indonesian name: ``M. Yoesoef`` → ``muhammad yusuf``."""
    return " ".join(name_tokens(full_name))


@lru_cache(maxsize=1 << 16)
def _word_tokens(word: str, *, after_comma: bool) -> tuple[str, ...]:
    """The keys of one word (cached: names repeat their words, and an import of a million
    rows keys a million names)."""
    # A dot or a comma marks an abbreviation, so degrees count as titles there.
    abbreviated = after_comma or "." in word
    joined = word.replace(".", "")
    if not joined or _is_title(fold_spelling(joined), abbreviated=abbreviated):
        return ()
    keys = (_part_key(part, abbreviated=abbreviated) for part in word.split("."))
    return tuple(key for key in keys if key)


def _part_key(part: str, *, abbreviated: bool) -> str:
    folded = fold_spelling(part)
    if folded in _MUHAMMAD_KEYS:
        return _MUHAMMAD
    if _is_title(folded, abbreviated=abbreviated):
        return ""
    return folded


def _is_title(folded: str, *, abbreviated: bool) -> bool:
    return folded in _HONORIFIC_KEYS or (abbreviated and folded in _DEGREE_KEYS)
