"""The loader refuses every kind of broken file with a Dutch message and a line."""

from __future__ import annotations

import pytest

from convenant_gen.errors import YamlSyntaxError
from convenant_gen.region.load import MAX_BYTES, format_path, load_yaml


def test_positions_point_at_keys(write):
    path = write("regio:\n  naam: X\npartijen:\n  - naam: A\n    soort: gemeente\n")
    data, positions = load_yaml(path)
    assert data["partijen"][0]["soort"] == "gemeente"
    assert positions[("regio", "naam")] == (2, 3)
    assert positions[("partijen", 0, "soort")] == (5, 5)


def test_format_path_counts_list_items_from_one():
    assert format_path(("partijen", 3, "vertegenwoordiger", "naam")) == "partijen[4].vertegenwoordiger.naam"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("regio:\n\tnaam: X\n", 2, "tab"),
        ("regio:\n  naam: X\n\tcentrumgemeente: Y\n", 3, "tab gevonden"),
        ("regio: [a, b\n", 2, "niet gesloten"),
        ("- een\n- twee\n", 1, "geen lijst"),
        ("gewoon tekst\n", 1, "geen lijst of losse tekst"),
        ("", 1, "leeg"),
        ("regio: 1\nregio: 2\n", 2, "twee keer"),
        ("a: 1\n---\nb: 2\n", 2, "meer dan één document"),
        ("a: *nergens\n", 1, "anker"),
        ("a:\n  b: c: d\n", 2, "dubbele punt"),
        ('a:\n  b: "C:\\Users\\q"\n', 2, "ongeldige code met \\"),
        ('a: "\\uD800"\n', 1, "ongeldige code met \\"),
    ],
)
def test_broken_yaml_is_refused_with_line(write, text, line, words):
    path = write(text)
    with pytest.raises(YamlSyntaxError) as e:
        load_yaml(path)
    finding = e.value.findings[0]
    assert finding.line == line
    assert words in finding.message
    assert str(path) in str(e.value)


def test_invalid_utf8_names_line(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"regio:\n  naam: Caf\xe9\n")
    with pytest.raises(YamlSyntaxError) as e:
        load_yaml(path)
    assert e.value.findings[0].line == 2
    assert "UTF-8" in e.value.findings[0].message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes("\ufeffregio:\n  naam: Zeeland\n".encode())
    assert load_yaml(path)[0] == {"regio": {"naam": "Zeeland"}}


def test_alias_bomb_is_refused(write):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = write("\n".join(lines) + "\n")
    with pytest.raises(YamlSyntaxError) as e:
        load_yaml(path)
    assert "te veel waarden" in str(e.value)


def test_huge_file_is_refused(tmp_path):
    path = tmp_path / "groot.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    with pytest.raises(YamlSyntaxError, match="te groot"):
        load_yaml(path)


def test_deep_nesting_is_refused(write):
    path = write("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(YamlSyntaxError):
        load_yaml(path)


def test_missing_file(tmp_path):
    with pytest.raises(YamlSyntaxError, match="niet gevonden"):
        load_yaml(tmp_path / "bestaat-niet.yaml")


def test_invalid_date_stays_text_for_the_model(write):
    data, _ = load_yaml(write("datum: 2022-02-30\n"))
    assert data["datum"] == "2022-02-30"
