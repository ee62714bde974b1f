"""Messages that are not findings never carry an identifier."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from govscan.model import ReadError
from govscan.redact import (
    clip,
    mask_identifiers,
    neutralise,
    public_json,
    public_text,
    public_uri,
    redact,
    shorten,
    terminal_line,
)


def test_digit_runs_and_emails_are_scrubbed() -> None:
    message = 'invalid char: {"iin": 710508363018x}, tel +7 701 123-45-67, mail a.b@mail.kz'
    cleaned = redact(message)
    assert "710508363018" not in cleaned and "701 123" not in cleaned and "a.b@mail.kz" not in cleaned
    assert "invalid char" in cleaned


def test_short_numbers_like_line_numbers_stay() -> None:
    assert redact("CSV error at line 12345: field larger than 100 characters") == (
        "CSV error at line 12345: field larger than 100 characters"
    )


def test_a_malformed_json_error_does_not_quote_the_data(tmp_path) -> None:
    from govscan.model import Asset
    from govscan.readers import read_asset

    path = tmp_path / "bad.json"
    path.write_text('{"a": [{"iin": "710508363018"}, {"iin": 710508363018x}]}', encoding="utf-8")
    [error] = [p for p in read_asset(Asset(str(path), str(path))) if isinstance(p, ReadError)]
    assert error.problem.startswith("malformed JSON")
    assert "63018" not in error.problem


# --- the one masking step: identifiers in every spelling ------------------------------------------

IIN = "160402513597"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"spravka_{IIN}.csv", "spravka_1604******97.csv"),
        ("160402-513597", "1604**-****97"),
        ("580.412.487.546", "580.4**.***.*46"),
        ("580 412 487 546", "580 4** *** *46"),
        ("1604 0251 3597", "1604 **** **97"),
        ("16_04_02_51_35_97", "16_04_**_**_**_97"),
        ("ИИН\u00a0160402\u00a0513597", "ИИН\u00a01604**\u00a0****97"),
        ("/uploads/160402%20513597/", "/uploads/1604**%20****97/"),
        ("?iin=160402+513597", "?iin=1604**+****97"),
        ("serialNumber=IIN160402513597", "serialNumber=IIN1604******97"),
        ("１６０４０２５１３５９７", "１６０４******９７"),  # full-width digits are digits too
    ],
)
def test_twelve_digit_identifiers_are_masked_in_every_spelling(text: str, masked: str) -> None:
    assert mask_identifiers(text) == masked
    assert mask_identifiers(masked) == masked  # idempotent: masking twice changes nothing


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("160402\u200b513597", "1604**\u200b****97"),  # zero-width space: invisible, the digits read as one run
        ("1\u200b6\u200b0\u200b4\u200b0\u200b2\u200b5\u200b1\u200b3\u200b5\u200b9\u200b7",
         "1\u200b6\u200b0\u200b4\u200b*\u200b*\u200b*\u200b*\u200b*\u200b*\u200b9\u200b7"),
        ("160402\u00ad513597", "1604**\u00ad****97"),  # soft hyphen
        ("160402\u2060513597", "1604**\u2060****97"),  # word joiner
        ("160402\ufeff513597", "1604**\ufeff****97"),
        ("160402\t513597", "1604**\t****97"),
        ("160402\n513597", "1604**\n****97"),  # split across a line break
        ("160402\r\n513597", "1604**\r\n****97"),
        ("/d/%31%36%30%34%30%32%35%31%33%35%39%37.csv", "/d/%31%36%30%34******%39%37.csv"),  # digits percent-encoded
        ("/d/160402%e2%80%8b513597", "/d/1604**%e2%80%8b****97"),
        ("/d/%EF%BC%91%EF%BC%96%EF%BC%90%EF%BC%94%EF%BC%90%EF%BC%92%EF%BC%95%EF%BC%91%EF%BC%93%EF%BC%95%EF%BC%99%EF%BC%97",
         "/d/%EF%BC%91%EF%BC%96%EF%BC%90%EF%BC%94******%EF%BC%99%EF%BC%97"),  # full-width digits, percent-encoded
    ],
)  # fmt: skip
def test_identifiers_split_by_invisible_characters_or_percent_encoded_are_masked(text: str, masked: str) -> None:
    assert mask_identifiers(text) == masked
    assert mask_identifiers(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "report-2019-03-12.csv",  # dates and short numbers
        "2024-01-15 10:30:45.123456",
        "1234567890123",  # thirteen digits: not an IIN/BIN (cards and others have their own rules)
        "connect to 192.168.100.200:443 refused",  # a dotted IPv4 address (no IIN is one)
        "fingerprint 3f2a1234567890123456789012345678abcdef00ab12cd34ef56ab78cd90ef12",  # a SHA-256 in hex
    ],
)
def test_what_is_not_an_identifier_stays(text: str) -> None:
    assert mask_identifiers(text) == text


def test_a_long_hex_like_name_is_still_masked() -> None:
    """Only digests of the usual lengths are exempt; a name padded with hex letters is not."""
    assert IIN not in mask_identifiers("a" * 40 + IIN + ".csv")


# --- credentials and tokens in URLs ---------------------------------------------------------------


def test_public_uri_drops_credentials_and_masks_secret_parameters_but_keeps_the_others() -> None:
    shown = public_uri(f"https://user:pa55@Portal.kz:8443/uploads/{IIN}/a.csv?token=T0K&page=2&iin={IIN}#x=1")
    assert shown == "https://Portal.kz:8443/uploads/1604******97/a.csv?token=***&page=2&iin=1604******97"


@pytest.mark.parametrize(
    "name", ["apiKey", "api_key", "access_token", "key", "secret", "client_secret", "password", "sig",
             "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "sessionid", "auth"],
)  # fmt: skip
def test_every_usual_credential_parameter_is_masked(name: str) -> None:
    assert public_uri(f"http://h/x?{name}=S3CR3T&format=csv") == f"http://h/x?{name}=***&format=csv"


def test_a_jwt_is_masked_whatever_the_parameter_is_called() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    assert "eyJhbGci" not in public_uri(f"http://h/x?h={jwt}")


def test_public_uri_never_raises_and_keeps_ipv6_hosts() -> None:
    assert public_uri("http://[::1]:8080/a?key=k") == "http://[::1]:8080/a?key=***"
    assert public_uri("http://u:p@[bad/x") == "http://[bad/x"
    assert public_uri("http://host:99999999/") == "http://host:99999999/"


def test_the_stored_form_of_a_public_uri_is_the_stored_form_of_the_raw_uri() -> None:
    """A finding's location is public; the asset it belongs to was recorded from the raw uri."""
    from govscan.identity import stored_uri

    for raw in [
        f"HTTPS://u:p@Portal.KZ:443/d/{IIN}.csv?apiKey=K&iin={IIN}#frag",
        f"./exports/spravka_{IIN}.csv",
        f"exports/a.zip!/{IIN}/b.csv",
        "http://portal.kz",
    ]:
        assert stored_uri(public_uri(raw)) == stored_uri(raw)
        assert "K&" not in stored_uri(raw) and IIN not in stored_uri(raw)


def test_urls_inside_messages_are_made_public() -> None:
    message = f"GET http://admin:hunter2@portal.kz/x?access_token=abc&iin={IIN} failed: HTTP 500"
    shown = public_text(message)
    assert "hunter2" not in shown and "abc" not in shown and IIN not in shown
    assert shown.endswith("failed: HTTP 500")


def test_a_url_at_the_end_of_a_clause_keeps_the_prose_after_it() -> None:
    assert public_text("http://h/x.csv?key=K: HTTP 404") == "http://h/x.csv?key=***: HTTP 404"


def test_query_parameters_quoted_without_their_url_are_made_public_too() -> None:
    message = "HTTPConnectionPool(host='h', port=80): Max retries exceeded with url: /x.csv?access_token=T0K&page=2 (Caused by …)"
    shown = public_text(message)
    assert "T0K" not in shown and "/x.csv?access_token=***&page=2 (Caused by …)" in shown


def test_session_ids_in_path_parameters_are_masked() -> None:
    """Java servlets put the session in the path (``;jsessionid=``), before the query and mid-path."""
    assert public_uri("https://h/a;jsessionid=S3SS10N?page=2") == "https://h/a;jsessionid=***?page=2"
    assert public_uri("https://h/a;jsessionid=S3SS10N;v=1/b.csv") == "https://h/a;jsessionid=***;v=1/b.csv"
    assert "S3SS10N" not in public_text("failed for https://h/a;JSESSIONID=S3SS10N/b.csv: HTTP 500")


def test_an_authorization_header_quoted_in_a_message_is_masked() -> None:
    """A server echoing the request's headers into an error body must not carry the credential out."""
    for message in ["echo: Authorization: Basic dXNlcjpwYXNz", "{'Authorization': 'Bearer abc.def-ghi'}",
                    "proxy-authorization=Basic dXNlcjpwYXNz; x"]:  # fmt: skip
        shown = public_text(message)
        assert "dXNlcjpwYXNz" not in shown and "abc.def-ghi" not in shown, shown
        assert "uthorization" in shown


def test_a_personal_certificate_loses_its_pem_and_its_identifier() -> None:
    raw = {
        "certificate_chain": [
            {"subject": {"rfc4514_string": f"CN=Иванов,serialNumber=IIN{IIN}"}, "as_pem": "-----BEGIN…"},
            {"subject": {"rfc4514_string": "CN=НУЦ РК"}, "as_pem": "-----BEGIN CA…"},
        ]
    }
    shown = public_json(raw)
    personal, authority = shown["certificate_chain"]
    assert personal["subject"]["rfc4514_string"] == "CN=Иванов,serialNumber=IIN1604******97"
    assert "BEGIN" not in personal["as_pem"]
    assert authority["as_pem"] == "-----BEGIN CA…"  # a CA's certificate is public and stays as evidence


# --- terminals ------------------------------------------------------------------------------------


def test_escape_sequences_and_bidi_overrides_are_shown_not_obeyed() -> None:
    name = "a\x1b]0;owned\x07b\x1b[2Jc\u202etxt.exe\x9b31m\rX"
    shown = neutralise(name)
    assert shown == "a\\u001b]0;owned\\u0007b\\u001b[2Jc\\u202etxt.exe\\u009b31m\\u000dX"
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in shown)
    assert neutralise("row\r\n") == "row\r\n"  # a CSV line end is not a control to neutralise


def test_a_huge_input_is_clipped_around_an_ellipsis_keeping_the_problem() -> None:
    line = terminal_line("govscan: error: /" + "d/" * 2_500_000 + "x.csv: no such file")
    assert len(line) <= 1000 and "…" in line
    assert line.startswith("govscan: error: /d/d/") and line.endswith("x.csv: no such file")


def test_a_clip_never_leaves_part_of_an_identifier() -> None:
    text = "x" * 600 + IIN * 40 + "y" * 400
    shown = clip(text, 1000)
    assert "…" in shown and "16040251" not in shown and "02513597" not in shown


def test_a_value_cut_to_a_length_is_masked_before_the_cut() -> None:
    # A header quoted in 40 characters, cut after the tenth digit of an identifier
    value = "nosniff-" + "q" * 20 + "4504.2032.0289" + " rest"
    shown = shorten(value, 40)
    assert len(shown) == 40 and shown.endswith("…")
    assert "45042032" not in shown.replace(".", "") and shown.startswith("nosniff-")
    wide = "x" * 30 + "".join(chr(0xFF10 + int(d)) for d in "450420320289")  # full-width digits
    assert sum(ch.isdecimal() for ch in shorten(wide, 38)) <= 4
    encoded = "/" + "%EF%BC%94" * 12 + "/x"  # percent-encoded full-width digits shrink when masked
    assert unquote(shorten(encoded, 100)).count("４") == 6  # four before the stars, two after
    assert shorten("short", 40) == "short"


def test_a_clip_never_leaves_part_of_an_identifier_in_any_digits() -> None:
    # full-width digits are digits to the mask, and not in the characters a cut used to strip
    wide = "".join(chr(0xFF10 + int(d)) for d in IIN)
    for before in range(655, 668):
        shown = clip("x" * before + wide + "y" * (1001 - before - len(wide)), 1000)
        assert "…" in shown and sum(ch.isdecimal() for ch in shown) <= 6, before


@pytest.mark.parametrize(
    "spelled",
    [
        "450420  320289",  # two spaces: aligned by hand
        "4504 - 2032 - 0289",
        "4504\u00a0 2032 0289",
        "450420%20%20320289",
        "４５０４\u3000２０３２\u3000０２８９",  # full-width digits come with the ideographic space
        "４５０４．２０３２－０２８９",
    ],
)
def test_an_identifier_grouped_by_a_few_separators_is_masked(spelled: str) -> None:
    shown = mask_identifiers(f"spravka {spelled}.csv")
    assert sum(ch.isdecimal() for ch in unquote(shown)) == 6, shown


def test_digits_far_apart_are_not_one_identifier() -> None:
    assert mask_identifiers("450420    320289") == "450420    320289"  # four separators: two numbers
