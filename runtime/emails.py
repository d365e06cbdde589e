"""Email addresses: the form a profile keeps, and the canonical form uniqueness is decided on.

Two addresses a person reads as one are one address: the local part is compared after NFKC and
case folding (full-width `Jane` and `jane`, `straße` and `STRASSE`), the domain after UTS #46's
non-transitional mapping to ASCII (`Bücher.example` and `xn--bcher-kva.example`), lower-cased and
without a trailing dot. For an ASCII address the canonical form is the lower-cased address.

Pure Python (`idna` is pure Python too), so the key schema can build claim keys from it.
"""

from __future__ import annotations

import unicodedata

# The shape of an address, wherever one is accepted (profiles, the alarm subscription): something,
# an @, a domain with a dot. The canonical form below decides what is one address.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

# Control, format (zero-width, bidi controls), separator, private-use and unassigned characters
# are invisible or undefined, so two addresses holding them could look alike and differ; a lone
# surrogate (Cs) cannot even be stored.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"})
# RFC 5321's limit for a whole address; it also keeps the claim key far below DynamoDB's 2 KiB,
# whatever NFKC expands (one character can become eighteen).
MAX_CANONICAL_LENGTH = 254


class InvalidEmailError(ValueError):
    """An address that has no canonical form: pydantic reports it as a validation error."""


def canonical_email(address: str) -> str:
    """The form email uniqueness is decided on; InvalidEmailError when there is none."""
    refused = sorted({f"U+{ord(c):04X}" for c in address if unicodedata.category(c) in _REFUSED_CATEGORIES})
    if refused:
        raise InvalidEmailError(f"the address holds invisible or unassigned characters ({', '.join(refused)})")
    local, at, domain = address.rpartition("@")
    if not local or not at:
        raise InvalidEmailError("the address has no local part and domain")
    # Imported here, not at start: most cold starts serve a request that holds no address.
    import idna

    try:
        ascii_domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except UnicodeError as error:  # idna.IDNAError is a UnicodeError
        raise InvalidEmailError(f"the domain is not a valid host name: {error}") from error
    canonical = f"{unicodedata.normalize('NFKC', local).casefold()}@{ascii_domain.lower().removesuffix('.')}"
    if len(canonical) > MAX_CANONICAL_LENGTH:
        raise InvalidEmailError(f"the address is longer than {MAX_CANONICAL_LENGTH} characters once normalised")
    return canonical


def typed_email(address: str) -> str:
    """The address as typed, in NFC, once it is known to have a canonical form."""
    canonical_email(address)
    return unicodedata.normalize("NFC", address)


def same_address(first: str, second: str) -> bool:
    """Whether two addresses are one; an address without a canonical form is no address."""
    try:
        return canonical_email(first) == canonical_email(second)
    except InvalidEmailError:
        return False
