#!/usr/bin/env python3
"""Checks a flashsale webhook's Flashsale-Signature header (Python 3 standard library only).

Usage as a script: FLASHSALE_WEBHOOK_SECRET=whsec_... verify.py 'HEADER' < body
exits 0 for a valid signature, 1 otherwise."""
import hashlib
import hmac
import os
import sys
import time


def verify(secret: str, header: str, body: bytes, tolerance_s: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > tolerance_s:
        return False  # missing, or too old: a replay
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


if __name__ == "__main__":
    ok = verify(os.environ["FLASHSALE_WEBHOOK_SECRET"], sys.argv[1], sys.stdin.buffer.read())
    sys.exit(0 if ok else 1)
