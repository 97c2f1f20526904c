"""Record linkage: one person per citizen, found across spellings, typos and new documents.

``names`` folds Indonesian names into token sets, ``keys`` derives the blocking columns a
person carries, ``blocking`` finds candidate pairs by SQL over indexes, ``comparisons`` and
``model`` score a pair (Fellegi–Sunter, parameters shipped in ``model.json``), ``scoring``
computes the same scores for many pairs at once in arrays, ``online`` matches one new record
and ``batch`` deduplicates the whole registry, in parts (``batch_blocking``) so that its memory
stays bounded at any size.
"""
