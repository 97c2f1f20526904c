"""Outside agencies: the civil registry (Dukcapil), immigration, BP2MI and partner states.

Every call goes through one gateway (``gateway.call``) with an X-Road-style envelope
(``envelope``): a message id, the calling system, the acting user, the purpose and its cause,
and a hash of the request; a call without a purpose is refused. The gateway times out, retries
with backoff and jitter, keeps a circuit breaker per agency and a cache of answers in the
database (``breaker``, ``answers``), and writes every request and answer to the signed,
hash-chained, append-only message log (``message_log``), which also gives a citizen's
processing trail. Each agency has an adapter module (``civil_registry``) and a sandbox
server that really listens on HTTP (``sandbox/``). Agencies' exports are imported in bulk
(``imports*``, through ``registry.bulk``). The registry never imports this package.

Bulk exchange: partner systems' webhooks (``webhooks``, ``webhook_channel``, signed with
``webhook_signing``) and the bilateral "one channel" exchange with partner states
(``exchange``, ``exchange_channel``, signed with ``exchange_signing``), both delivered
through the outbox.
"""
