"""The canonical form email uniqueness is decided on, and the addresses that have none."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.emails import MAX_CANONICAL_LENGTH, InvalidEmailError, canonical_email, same_address, typed_email


def _full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("jane@example.com.", "jane@example.com"),
        (f"{_full_width('Jane')}@{_full_width('example')}.com", "jane@example.com"),
        ("STRASSE@example.com", "strasse@example.com"),
        ("straße@example.com", "strasse@example.com"),
        ("\ufb01le@example.com", "file@example.com"),  # the ligature fi
        ("Kai@Bücher.example", "kai@xn--bcher-kva.example"),
        ("kai@XN--BCHER-KVA.example", "kai@xn--bcher-kva.example"),
        ("kai@faß.de", "kai@xn--fa-hia.de"),  # non-transitional: ß stays ß
        ("kai@例え。テスト", "kai@xn--r8jz45g.xn--zckzah"),  # an ideographic full stop separates labels
        ("e\u0301@example.com", "\u00e9@example.com"),  # composed by NFKC
    ],
)
def test_an_address_reads_as_its_canonical_form(address, canonical):
    assert canonical_email(address) == canonical


@pytest.mark.parametrize(
    "address",
    [
        "jane\u200b@example.com",  # zero-width space (Cf)
        "jane\u202e@example.com",  # right-to-left override (Cf)
        "jane@exam\u200dple.com",  # zero-width joiner in the domain (Cf)
        "jane\u0007@example.com",  # a control character (Cc)
        "jane\u2028@example.com",  # line separator (Zl)
        "jane\u2029@example.com",  # paragraph separator (Zp)
        "jane\ue000@example.com",  # private use (Co)
        "jane\u0378@example.com",  # unassigned (Cn)
        "jane\ud800@example.com",  # a lone surrogate
        "jane@exa_mple.com",
        "jane@-example.com",
        "jane@example..com",
        "jane@xn--zz.example",
        f"jane@{'a' * 64}.com",
        "jane@[127.0.0.1]",
        "no-at-sign.example.com",
        "@example.com",
        "\ufdfa" * 20 + "@example.com",  # NFKC makes each of these 18 characters
    ],
)
def test_an_address_without_a_canonical_form_is_refused(address):
    with pytest.raises(InvalidEmailError):
        canonical_email(address)


@given(st.text())
def test_any_text_is_an_address_or_refused_as_one_and_its_kept_form_has_the_same_key(text):
    try:
        canonical = canonical_email(text)
    except InvalidEmailError:
        return
    assert len(canonical) <= MAX_CANONICAL_LENGTH
    assert canonical_email(typed_email(text)) == canonical


ascii_local_parts = st.text(alphabet=string.ascii_letters + string.digits + "._%+-", min_size=1, max_size=30)
ascii_labels = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--"
)


@given(local=ascii_local_parts, labels=st.lists(ascii_labels, min_size=2, max_size=4))
def test_an_ascii_address_is_keyed_as_it_always_was_lower_cased(local, labels):
    address = f"{local}@{'.'.join(labels)}"

    assert canonical_email(address) == address.lower()


def test_the_profile_keeps_the_address_as_typed_in_nfc():
    assert typed_email("Ame\u0301lie@Example.com") == "Am\u00e9lie@Example.com"


def test_an_address_that_is_no_address_is_the_same_as_none():
    assert same_address("Jane@example.com", "jane@EXAMPLE.com.")
    assert not same_address("jane\u200b@example.com", "jane\u200b@example.com")
