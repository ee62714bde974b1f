"""XML: streamed with defusedxml, values grouped by element path, hostile DTDs refused."""

from __future__ import annotations

from govscan.model import Field
from govscan.readers.limits import Limits

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<r>&xxe;</r>
"""


def test_record_elements_get_star_and_leaves_are_dotted(read_fixture):
    pieces = read_fixture("records.xml")
    assert pieces.columns == {
        "records.@published": ["2023-05-01"],
        "records.record[*].@id": ["1", "2"],
        "records.record[*].iin": ["710508363018", "020304500111"],
        "records.record[*].fio": ["Иванов Иван Иванович", "Петрова Мария"],
        "records.record[*].contacts[*].phone": ["+7 701 123 45 67", "87272123456"],
        "records.record[*].contacts[*].phone.@type": ["mobile", "home"],
    }


def test_paths_go_in_field_json_path(read_fixture):
    assert Field(json_path="records.record[*].iin") in {v.field for v in read_fixture("records.xml").values}


def test_mixed_content_text_after_a_child_goes_to_the_parent(read):
    pieces = read("m.xml", "<doc><p>Заявитель <b>Иванов</b> ИИН 710508363018</p></doc>")
    assert pieces.columns == {"doc.p[*]": ["Заявитель", "ИИН 710508363018"], "doc.p[*].b": ["Иванов"]}


def test_values_come_in_chunks_of_chunk_rows(read):
    body = "".join(f"<r><iin>{700000000000 + i}</iin></r>" for i in range(5))
    pieces = read("c.xml", f"<rs>{body}</rs>", Limits(chunk_rows=2))
    assert [len(v.values) for v in pieces.values] == [2, 2, 1]


def test_billion_laughs_is_refused(read):
    assert read("bomb.xml", BILLION_LAUGHS).problems == ["XML entity/DTD refused (DTDForbidden)"]


def test_external_entity_is_refused(read):
    assert read("xxe.xml", EXTERNAL_ENTITY).problems == ["XML entity/DTD refused (DTDForbidden)"]


def test_malformed_xml_is_a_read_error_after_the_values_before_it(read):
    pieces = read("bad.xml", "<rs><r><iin>710508363018</iin></r><r><iin>1</r></rs>")
    assert pieces.columns == {"rs.r[*].iin": ["710508363018"]}
    assert pieces.problems[0].startswith("malformed XML: mismatched tag: line 1")


def test_truncated_xml_is_a_read_error(read):
    pieces = read("cut.xml", "<rs><r><iin>710508363018</iin></r><r><ii")
    assert pieces.columns == {"rs.r[*].iin": ["710508363018"]}
    assert pieces.problems[0].startswith("malformed XML")


def test_declared_windows_1251_is_honoured(read):
    content = '<?xml version="1.0" encoding="windows-1251"?><r><fio>Иванов Иван</fio></r>'.encode("cp1251")
    assert read("w.xml", content).columns == {"r.fio": ["Иванов Иван"]}


def test_undeclared_cp1251_is_recoded(read):
    content = "<r><fio>Иванов Иван Иванович</fio><city>Алматы</city></r>".encode("cp1251")
    assert read("w.xml", content).columns == {"r.fio": ["Иванов Иван Иванович"], "r.city": ["Алматы"]}


def test_nesting_deeper_than_the_limit_is_refused(read):
    pieces = read("deep.xml", "<a>" * 20 + "</a>" * 20, Limits(xml_max_depth=10))
    assert pieces.problems == ["XML nested deeper than 10 levels"]


def test_a_text_node_longer_than_the_limit_is_refused(read):
    pieces = read("long.xml", "<r><a>x</a><b>" + "7" * 500_000 + "</b></r>", Limits(max_field_chars=100_000))
    assert pieces.problems == ["XML text or tag longer than 100000 bytes"]
