"""JSON and JSON Lines: leaf values grouped by normalised path, streamed, bounded."""

from __future__ import annotations

import json

from govscan.model import Field
from govscan.readers.limits import Limits


def test_nested_objects_and_arrays_give_dotted_paths_with_star_for_items(read_fixture):
    pieces = read_fixture("applications.json")
    assert pieces.columns == {
        "portal": ["egov.kz"],
        "total": ["2"],
        "items[*].id": ["1", "2"],
        "items[*].applicant.iin": ["710508363018", "020304500111"],
        "items[*].applicant.name": ["Иванов Иван Иванович", "Петрова Мария"],
        "items[*].applicant.contacts.phone": ["+7 701 123 45 67", "87011234567"],
        "items[*].applicant.contacts.emails[*]": ["ivanov@mail.kz", "ii@gov.kz"],
        "items[*].amount": ["1500.50", "200"],
        "items[*].comment": ["повторная заявка"],
    }


def test_paths_are_put_in_field_json_path(read_fixture):
    fields = {v.field for v in read_fixture("applications.json").values}
    assert Field(json_path="items[*].applicant.iin") in fields


def test_top_level_array_of_records_gives_star_prefixed_paths(read):
    pieces = read("list.json", '[{"iin": "710508363018"}, {"iin": "810508363018"}]')
    assert pieces.columns == {"[*].iin": ["710508363018", "810508363018"]}


def test_numbers_keep_their_exact_source_text(read):
    pieces = read("n.json", '{"iin": 710508363018, "big": 12345678901234567890, "f": 1.50, "e": 1e5}')
    assert pieces.columns == {"iin": ["710508363018"], "big": ["12345678901234567890"], "f": ["1.50"], "e": ["1E+5"]}


def test_booleans_and_nulls_are_skipped(read):
    assert read("b.json", '{"a": true, "b": false, "c": null, "d": "x"}').columns == {"d": ["x"]}


def test_a_scalar_document_has_the_root_path(read):
    assert read("s.json", '"710508363018"').columns == {"$": ["710508363018"]}


def test_nested_arrays_add_one_star_per_level(read):
    assert read("m.json", '{"m": [[1, 2], [3]]}').columns == {"m[*][*]": ["1", "2", "3"]}


def test_keys_with_dots_are_quoted(read):
    assert read("k.json", '{"a.b": {"c d": 1}}').columns == {'["a.b"]["c d"]': ["1"]}


def test_keys_that_look_like_personal_data_are_values_not_path_segments(read):
    pieces = read("by_iin.json", '{"people": {"710508363018": {"phone": "+77011234567"}, "a@b.kz": {"phone": "1"}}}')
    assert pieces.columns == {
        "people.{key}": ["710508363018", "a@b.kz"],
        "people.*.phone": ["+77011234567", "1"],
    }


def test_values_of_one_path_come_in_chunks_of_chunk_rows(read):
    doc = json.dumps([{"iin": str(700000000000 + i)} for i in range(7)])
    pieces = read("c.json", doc, Limits(chunk_rows=3))
    assert [len(v.values) for v in pieces.values] == [3, 3, 1]


def test_buffers_are_flushed_when_too_many_values_are_held(read):
    doc = json.dumps([{"a": "1", "b": "2"} for _ in range(5)])
    pieces = read("c.json", doc, Limits(chunk_rows=100, max_buffered_values=4))
    assert all(len(v.values) <= 4 for v in pieces.values)
    assert pieces.columns == {"[*].a": ["1"] * 5, "[*].b": ["2"] * 5}


def test_json_lines_by_extension_have_paths_without_star_prefix(read):
    content = '{"applicant": {"phone": "+77011234567"}}\n{"applicant": {"phone": "87021234567"}}\n'
    assert read("log.jsonl", content).columns == {"applicant.phone": ["+77011234567", "87021234567"]}


def test_ndjson_extension_is_json_lines(read):
    assert read("a.ndjson", '{"iin": "1"}\n{"iin": "2"}\n').columns == {"iin": ["1", "2"]}


def test_json_lines_are_sniffed_in_a_json_file(read):
    assert read("export.json", '{"iin": "1"}\n{"iin": "2"}\n').columns == {"iin": ["1", "2"]}


def test_malformed_json_is_a_read_error_after_the_values_before_it(read):
    pieces = read("bad.json", '[{"iin": "710508363018"}, {"iin": oops}]')
    assert pieces.columns == {"[*].iin": ["710508363018"]}
    assert len(pieces.problems) == 1
    assert pieces.problems[0].startswith("malformed JSON: ")
    assert "\n" not in pieces.problems[0]


def test_truncated_json_is_a_read_error_after_the_values_before_it(read):
    pieces = read("cut.json", '{"items": [{"iin": "710508363018"}, {"iin": "8105')
    assert pieces.columns == {"items[*].iin": ["710508363018"]}
    assert pieces.problems and pieces.problems[0].startswith("malformed JSON: ")


def test_nesting_deeper_than_the_limit_is_refused(read):
    pieces = read("deep.json", "[" * 100 + "]" * 100)
    assert pieces.problems == ["JSON nested deeper than 64 levels"]


def test_a_string_longer_than_the_limit_is_refused_before_it_is_held(read):
    pieces = read("long.json", '{"a": "x", "b": "' + "y" * 500_000 + '"}', Limits(max_field_chars=100_000))
    assert pieces.columns == {"a": ["x"]}
    assert pieces.problems == ["JSON token longer than 100000 bytes"]


def test_long_runs_of_small_tokens_are_not_mistaken_for_a_long_token(read):
    coordinates = ",".join(["[76.9, 43.2]"] * 100_000)  # a GeoJSON polygon: 1.3 MB without quotes
    pieces = read("shape.geojson", '{"c": [' + coordinates + "]}", Limits(max_field_chars=100_000))
    assert pieces.errors == []
    assert len(pieces.columns["c[*][*]"]) == 200_000


def test_cp1251_json_is_recoded(read):
    pieces = read("cp.json", '{"фио": "Иванов Иван Иванович", "город": "Алматы"}'.encode("cp1251"))
    assert pieces.columns == {"фио": ["Иванов Иван Иванович"], "город": ["Алматы"]}


def test_utf8_bom_json_is_read(read):
    assert read("bom.json", "\ufeff" + '{"iin": "1"}').columns == {"iin": ["1"]}
