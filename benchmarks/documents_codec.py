"""Signed QR payloads: how long issuing and checking one takes, and how big they are.

    python -m benchmarks.documents_codec --count 2000

Encodes ``count`` documents with long Indonesian names (ES256 over a CWT, zlib, base45),
then decodes and verifies each; the baseline is the HMAC-SHA256 check of the same bytes
that the old proof of self-report used, measured in the same run. No database: the
register's look-up is one indexed row (``uq_issued_document_number``).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import random
import statistics
import time
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives.asymmetric import ec

from peduli.documents import codec

WORDS = ["Muhammad", "Siti", "Nur", "Aminah", "Abdurrahman", "Kusumawardhani", "Binti",
         "Putri", "Wahyuningsih", "Setyaningrum", "Raden", "Ayu", "Dewi", "Sri", "Rahmawati",
         "Purnamasari", "Teuku", "Cut", "Gusti", "Ngurah"]  # fmt: skip


def _fields(rng: random.Random, n: int) -> codec.Fields:
    name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14)))[:200]
    return codec.Fields(
        kind="self_report", number=f"LD-{n:010d}", name=name, birth_date=date(1990, 5, 17),
        post="kjri-johor-bahru", issued_at=datetime(2026, 12, 6, tzinfo=UTC),
        expires_on=date(2027, 6, 4),
    )  # fmt: skip


def _per_op_us(total: float, count: int) -> float:
    return total / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(16)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    documents = [_fields(rng, n) for n in range(args.count)]

    started = time.perf_counter()
    payloads = [codec.encode(fields, key) for fields in documents]
    encode = time.perf_counter() - started

    started = time.perf_counter()
    for text in payloads:
        signed = codec.decode(text)
        assert codec.verify_es256(public, signed.to_be_signed, signed.signature)
    verify = time.perf_counter() - started

    secret = hashlib.sha256(b"baseline").digest()
    macs = [(p.encode(), hmac.new(secret, p.encode(), hashlib.sha256).digest()) for p in payloads]
    started = time.perf_counter()
    for data, mac in macs:
        assert hmac.compare_digest(mac, hmac.new(secret, data, hashlib.sha256).digest())
    baseline = time.perf_counter() - started

    sizes = sorted(len(p) for p in payloads)
    print(f"documents: {args.count}, names up to {max(len(d.name) for d in documents)} chars")
    print(f"payload size: median {statistics.median(sizes):.0f} B, max {sizes[-1]} B (≤ 600)")
    print(f"issue (encode + sign): {_per_op_us(encode, args.count):.0f} µs each")
    print(f"check (decode + verify): {_per_op_us(verify, args.count):.0f} µs each, "
          f"{args.count / verify:.0f}/s on one core")  # fmt: skip
    print(f"baseline HMAC check: {_per_op_us(baseline, args.count):.1f} µs each; "
          f"ratio check/baseline {verify / baseline:.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
