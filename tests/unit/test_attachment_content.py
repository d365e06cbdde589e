"""The arrival check's verdict on an upload's size and first bytes (pure: the processor hands them in)."""

from __future__ import annotations

import pytest

from runtime.attachments.content import SNIFF_BYTES, rejection

PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


@pytest.mark.parametrize(
    ("content_type", "declared", "content"),
    [
        ("image/png", len(PNG), PNG),
        ("image/jpeg", 4, b"\xff\xd8\xff\xe0"),
        ("application/pdf", 8, b"%PDF-1.7"),
        ("text/plain", 6, "héllo".encode()),
        ("text/plain", 0, b""),
    ],
)
def test_content_matching_its_declared_type_and_size_passes(content_type, declared, content):
    assert rejection(content_type=content_type, declared_size=declared, size=len(content), first_bytes=content) is None


@pytest.mark.parametrize(
    ("content_type", "declared", "content", "reason"),
    [
        ("image/png", 11, b"hello world", "the content is not image/png"),
        ("application/pdf", len(PNG), PNG, "the content is not application/pdf"),
        ("image/png", len(PNG) + 1, PNG, f"the upload is {len(PNG)} bytes, not the declared {len(PNG) + 1}"),
        ("text/plain", 4, b"a\x00bc", "the content is not text/plain: it holds NUL bytes"),
        ("text/plain", 2, b"\xff\xfe", "the content is not text/plain: it is not valid UTF-8"),
        ("text/plain", 2, "é".encode()[:1] + b"a", "the content is not text/plain: it is not valid UTF-8"),
    ],
)
def test_content_that_is_not_what_was_declared_is_rejected_with_the_reason(content_type, declared, content, reason):
    assert (
        rejection(content_type=content_type, declared_size=declared, size=len(content), first_bytes=content) == reason
    )


def test_a_character_cut_at_the_end_of_the_sniffed_bytes_is_fine_unless_the_file_ends_there():
    sniffed = b"a" * (SNIFF_BYTES - 1) + "é".encode()[:1]

    assert (
        rejection(content_type="text/plain", declared_size=SNIFF_BYTES + 1, size=SNIFF_BYTES + 1, first_bytes=sniffed)
        is None
    )
    cut_short = rejection(content_type="text/plain", declared_size=SNIFF_BYTES, size=SNIFF_BYTES, first_bytes=sniffed)
    assert cut_short == "the content is not text/plain: it is not valid UTF-8"
