"""Per-student variant seeds and the signed variant token, both derived with HMAC-SHA256 from the course secret.

seed  = first 6 bytes (big-endian) of HMAC-SHA256(secret, f"{assignment}\\x00{student_id}" in UTF-8),
        as an integer in [1, 2**48 - 1]; a zero (probability 2**-48) becomes 1, because seed 0 is the public
        instance of the seed sheet. 48 bits keep the seed exact in JSON and JavaScript (< 2**53) while two
        students of a 1,000-student course share a seed with probability about 2e-9.
token = first 8 bytes (big-endian) modulo 10**15 of HMAC-SHA256(secret, f"{assignment}\\x00{student_id}\\x00{seed}").
        a decimal number of up to 15 digits (about 50 bits), written as the answer file's `variant:` header
        (the answer-file reader takes a whole number there); `submit` recomputes it from the stored seed,
        so a student cannot claim another variant or another student's id.

Without the secret neither can be predicted from the bank's source: the generator's own seeding
(`random.Random(f"azmoon:{item}:{seed}:")`) is public, the seed is not. Standard library only (submit path).
"""

from __future__ import annotations

import hashlib
import hmac

SEED_BYTES = 6
TOKEN_MODULUS = 10**15


def _mac(secret: bytes, *fields: str) -> bytes:
    message = b"\x00".join(field.encode("utf-8") for field in fields)
    return hmac.new(secret, message, hashlib.sha256).digest()


def variant_seed(secret: bytes, assignment: str, student_id: str) -> int:
    """The student's seed for this assignment: reproducible, never 0, unguessable without the secret."""
    seed = int.from_bytes(_mac(secret, assignment, student_id)[:SEED_BYTES], "big")
    return seed or 1


def variant_token(secret: bytes, assignment: str, student_id: str, seed: int) -> str:
    """The signed variant number, as text (stored and written to answers.yaml)."""
    return str(int.from_bytes(_mac(secret, assignment, student_id, str(seed))[:8], "big") % TOKEN_MODULUS)


def token_matches(secret: bytes, assignment: str, student_id: str, seed: int, token: object) -> bool:
    """Whether the `variant:` of an answer file (int or text) is this student's signed variant."""
    if isinstance(token, bool) or not isinstance(token, int | str):
        return False
    text = str(token).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 32:  # a 5000-digit "variant" is simply wrong
        return False
    expected = variant_token(secret, assignment, student_id, seed)
    return hmac.compare_digest(expected, str(int(text)))
