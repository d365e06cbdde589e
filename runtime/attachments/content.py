"""Whether an uploaded object is what its attachment declared: the exact size, and content that
matches the type (magic bytes for PNG, JPEG and PDF; valid UTF-8 without NUL for plain text).

Pure: the processor hands it the object's length and first bytes.
"""

from __future__ import annotations

import codecs

# Bytes of the object's start the check reads: every signature, and a stretch of text.
SNIFF_BYTES = 64 * 1024

_SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "application/pdf": b"%PDF-",
}
CHECKED_TYPES = (*_SIGNATURES, "text/plain")
# `maxAttachmentBytes`'s default: 10 MiB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def rejection(*, content_type: str, declared_size: int, size: int, first_bytes: bytes) -> str | None:
    """Why the object is not the declared attachment, as a sentence; None when it is."""
    if size != declared_size:
        return f"the upload is {size} bytes, not the declared {declared_size}"
    if content_type in _SIGNATURES:
        if not first_bytes.startswith(_SIGNATURES[content_type]):
            return f"the content is not {content_type}"
        return None
    if content_type == "text/plain":
        return _text_rejection(first_bytes, complete=len(first_bytes) >= size)
    return f"no content check is known for {content_type}"


def _text_rejection(first_bytes: bytes, *, complete: bool) -> str | None:
    if b"\x00" in first_bytes:
        return "the content is not text/plain: it holds NUL bytes"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # A multi-byte character cut at the end of the sniffed bytes is fine unless the file ends there.
        decoder.decode(first_bytes, final=complete)
    except UnicodeDecodeError:
        return "the content is not text/plain: it is not valid UTF-8"
    return None
