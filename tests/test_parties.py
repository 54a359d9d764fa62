"""Tests for archiver.parties: the packaged registry, descriptors, kinds and user files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from archiver import schemas
from archiver.errors import ArchiverError
from archiver.parties import AGENCIES, PRESS, Registry, registry

REPO = Path(__file__).parent.parent
NEWS = REPO.parent / "shared" / "corpus" / "news-html"

#: The agencies the registry must know, as prose and credits write them.
AGENCY_NAMES = [
    "AFP", "Reuters", "AP", "dpa", "EFE", "ANSA", "Xinhua", "Anadolu", "IRNA", "TASS",
    "RIA Novosti", "Interfax", "Kyodo", "Jiji", "Yonhap", "PA Media", "UPI", "ANI", "PTI",
    "APA", "Lusa", "Europa Press", "Agência Brasil", "AAP", "Canadian Press", "CP", "KCNA",
    "SANA", "WAFA", "MENA", "QNA", "SPA", "WAM", "Bernama", "Antara", "PNA", "Notimex",
    "Prensa Latina", "ANP", "Belga", "SDA", "Keystone-SDA", "NTB", "TT", "Ritzau", "STT",
    "CTK", "ČTK", "PAP", "MTI", "BTA", "Ukrinform", "Tasnim", "Fars", "Mehr News Agency",
    "ISNA",
]  # fmt: skip
OUTLET_NAMES = [
    "BBC", "CNN", "The New York Times", "The Washington Post", "The Guardian", "Al Jazeera",
    "Press TV", "RT", "Sputnik", "Le Monde", "Le Figaro", "Der Spiegel", "FAZ",
    "Süddeutsche Zeitung", "El País", "El Mundo", "Corriere della Sera", "La Repubblica",
    "Al Arabiya", "Haaretz", "The Times of Israel", "NHK", "Financial Times",
    "The Wall Street Journal", "Politico", "Axios", "Fox News", "NBC News", "CBS News",
    "ABC News", "NPR", "Deutsche Welle", "France 24", "Euronews",
]  # fmt: skip


@pytest.mark.parametrize("name", AGENCY_NAMES)
def test_every_listed_agency_resolves_with_a_domain(name):
    """Each agency of the issue resolves to one news_agency party with a domain."""
    party = registry().resolve(name)
    assert party is not None, name
    assert party["kind"] == "news_agency"
    assert party["domain"]


@pytest.mark.parametrize("name", OUTLET_NAMES)
def test_every_listed_outlet_resolves_with_a_domain(name):
    """Each outlet of the issue resolves (asked for outlets) to one outlet party with a domain."""
    party = registry().resolve(name, kinds=None)
    assert party is not None, name
    assert party["kind"] == "outlet"
    assert party["domain"]
    assert registry().resolve(name) is None  # the default answers with agencies only


def test_the_corpus_outlets_are_known_by_domain():
    """Most sites of the corpus pages map back to a registry outlet or agency by domain."""
    from archiver.identity import registrable_domain

    if not NEWS.is_dir():
        pytest.skip(f"corpus not found at {NEWS}")
    domains = {
        registrable_domain(json.loads(path.read_text(encoding="utf-8"))["url"])
        for path in NEWS.glob("*.truth.json")
    }
    unknown = {d for d in domains if registry().by_domain(d, kinds=None) is None}
    assert len(unknown) <= 3, unknown  # a blog, an archive and one unnamed local site


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("the French news agency", "Agence France-Presse"),
        ("The French press agency", "Agence France-Presse"),
        ("the British news agency", "Reuters"),
        ("the US news agency", "Associated Press"),
        ("the German news agency", "dpa"),
        ("the Spanish news agency", "EFE"),
        ("Iran's state news agency", "IRNA"),
        ("Iran’s state news agency", "IRNA"),
        ("l'agence française", "Agence France-Presse"),
        ("la agencia francesa", "Agence France-Presse"),
        ("die Deutsche Presse-Agentur", "dpa"),
        ("Syria's state news agency", "SANA"),
    ],
)
def test_descriptors_resolve_to_one_party(phrase, name):
    """A descriptor (any case, a leading article ignored) names one party."""
    assert registry().describe(phrase, kinds=None)["name"] == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("the official Xinhua news agency said", "Xinhua"),
        ("selon l'Agence France-Presse", "Agence France-Presse"),
        ("la agencia EFE informó", "EFE"),
        ("sagte die Deutsche Presse-Agentur", "dpa"),
        ("وكالة الأنباء الألمانية", "dpa"),
    ],
)
def test_names_inside_longer_phrases_are_found(text, name):
    """Aliases and codes are found inside phrases that carry them."""
    assert name in [party["name"] for party, _ in registry().find(text, kinds=None)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("RT reported, but rt is not a word", ["RT"]),
        ("Le Monde a publié; le monde entier regarde", ["Le Monde"]),
        ("Politico said; il politico ha detto", ["Politico"]),
        ("El País informó; en el país", ["El País"]),
        ("The Guardian said; the guardian of the child", ["The Guardian"]),
        ("a map, a pa, an ap and AP", ["Associated Press"]),
        ("apa and efe and EFE", ["EFE"]),
    ],
)
def test_codes_keep_their_exact_case(text, found):
    """Codes and names that are ordinary words match only in their exact case."""
    assert [party["name"] for party, _ in registry().find(text, kinds=None)] == found


def test_kinds_filter_every_lookup():
    """resolve, describe, by_domain and find answer with agencies unless told otherwise."""
    assert registry().resolve("BBC") is None
    assert registry().resolve("BBC", kinds=PRESS)["domain"] == "bbc.com"
    assert registry().by_domain("bbc.co.uk") is None
    assert registry().by_domain("bbc.co.uk", kinds=None)["name"] == "BBC"
    assert registry().by_domain("reuters.com")["name"] == "Reuters"
    assert [p["name"] for p, _ in registry().find("BBC and AFP")] == ["Agence France-Presse"]
    assert [p["name"] for p, _ in registry().find("BBC and AFP", kinds=PRESS)] == [
        "BBC",
        "Agence France-Presse",
    ]
    assert registry().describe("the French news agency", kinds={"outlet"}) is None
    assert AGENCIES <= PRESS


def test_aliases_ending_in_filler_words_still_resolve():
    """ "Fox News" and "AP News" are whole names, not "Fox" plus a filler word."""
    assert registry().resolve("Fox News", kinds=None)["name"] == "Fox News"
    assert registry().resolve("AP News")["name"] == "Associated Press"
    assert registry().resolve("Reuters Staff")["name"] == "Reuters"


# --- the file format ---------------------------------------------------------------


def _packaged() -> dict:
    raw = resources.files("archiver").joinpath("data/parties.json").read_text(encoding="utf-8")
    return json.loads(raw)


def test_packaged_file_matches_its_schema():
    """archiver/data/parties.json validates against schemas/parties.schema.json."""
    schema = schemas.load("parties")
    Draft202012Validator.check_schema(schema)
    assert not list(Draft202012Validator(schema).iter_errors(_packaged()))


def test_packaged_names_are_unique_and_codes_do_not_clash():
    """One entry per name, and no two parties claim the same code, alias or domain."""
    entries = _packaged()["parties"]
    names = [e["name"].casefold() for e in entries]
    assert len(names) == len(set(names))
    for field in ("codes", "domains"):
        claimed = [value for e in entries for value in e.get(field, [])]
        assert len(claimed) == len(set(claimed)), field
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for alias in entry.get("aliases", []):
            owners.setdefault(alias.casefold(), set()).add(entry["name"])
    assert {alias: names for alias, names in owners.items() if len(names) > 1} == {}


# --- user files ------------------------------------------------------------------------


def _write(folder: Path, parties: list[dict], name: str = "parties.json") -> str:
    path = folder / name
    path.write_text(json.dumps({"schema_version": "1", "parties": parties}), encoding="utf-8")
    return str(path)


def test_user_file_adds_parties_and_replaces_entries_by_name(tmp_path):
    """A user entry is added; one with a packaged name replaces that entry."""
    extra = _write(
        tmp_path,
        [
            {"name": "Resistance News Network", "kind": "social_media", "aliases": ["RNN"]},
            {
                "name": "Reuters",
                "kind": "news_agency",
                "domains": ["reuters.example"],
                "aliases": ["Reuters Wire"],
                "descriptors": ["the wire from London"],
            },
        ],
    )
    merged = registry((extra,))
    assert merged.resolve("RNN", kinds=None) == {
        "name": "Resistance News Network",
        "kind": "social_media",
    }
    assert merged.resolve("Reuters Wire")["domain"] == "reuters.example"
    assert merged.describe("The wire from London")["name"] == "Reuters"
    assert merged.by_domain("reuters.com") is None  # the replaced entry's domain is gone
    assert merged.resolve("AFP")["name"] == "Agence France-Presse"  # the rest stays
    assert registry().resolve("RNN", kinds=None) is None  # the packaged registry is untouched


def test_later_files_win_alias_clashes(tmp_path):
    """An alias claimed by a later file's entry points to that entry."""
    first = _write(
        tmp_path, [{"name": "Alpha Wire", "kind": "news_agency", "codes": ["AW"]}], "a.json"
    )
    second = _write(
        tmp_path, [{"name": "Beta Wire", "kind": "news_agency", "codes": ["AW"]}], "b.json"
    )
    assert Registry.from_files(first, second).resolve("AW")["name"] == "Beta Wire"
    assert Registry.from_files(second, first).resolve("AW")["name"] == "Alpha Wire"


def test_registry_is_built_once_per_argument(tmp_path):
    """registry() and registry(extra) are cached separately, each built once."""
    extra = _write(tmp_path, [{"name": "Gamma", "kind": "outlet"}])
    assert registry() is registry()
    assert registry((extra,)) is registry((extra,))
    assert registry((extra,)) is not registry()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{not json", r"not JSON \(line 1 column 2", id="not-json"),
        pytest.param("[" * 100_000, r"nested too deeply", id="too-deep"),
        pytest.param('{"schema_version": "1"}', r"parties", id="no-parties"),
        pytest.param(
            '{"schema_version": "1", "parties": [{"name": "X", "kind": "agency"}]}',
            r"parties/0/kind",
            id="unknown-kind",
        ),
        pytest.param(
            '{"schema_version": "1", "parties": [{"name": "X", "kind": "outlet", "url": "x"}]}',
            r"parties/0",
            id="unknown-field",
        ),
        pytest.param(
            '{"schema_version": "1", "parties": [{"name": "X", "kind": "outlet", '
            '"domains": ["https://x.example/"]}]}',
            r"parties/0/domains/0",
            id="domain-not-a-domain",
        ),
        pytest.param(
            '{"schema_version": "2", "parties": []}', r"schema_version", id="wrong-version"
        ),
    ],
)
def test_malformed_user_file_names_the_file_and_the_fault(tmp_path, content, message):
    """A malformed file raises one ArchiverError line naming the file and what is wrong."""
    path = tmp_path / "mine.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ArchiverError, match=message) as raised:
        Registry.from_files(path)
    text = str(raised.value)
    assert str(path) in text and "\n" not in text


def test_unreadable_user_file(tmp_path):
    """A missing file, a folder or undecodable bytes: an ArchiverError naming the path."""
    for path in (tmp_path / "missing.json", tmp_path):
        with pytest.raises(ArchiverError, match="cannot read it") as raised:
            registry((str(path),))
        assert str(path) in str(raised.value)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ArchiverError, match="cannot read it"):
        Registry.from_files(binary)


WIRE_PAGE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n"
             b"Connection: close\r\n\r\n%s")
WIRE_BODY = (b"<html lang=en><head><title>Harbour talks resume</title></head><body><article>"
             b"<h1>Harbour talks resume</h1><p>OSLO (NWA) \xe2\x80\x94 Talks on the harbour resumed on "
             b"Monday after a week of silence, officials said.</p><p>The two delegations met for "
             b"three hours and agreed to meet again on Friday, the agency reported.</p>"
             b"</article></body></html>")


def _agencies_of_capture(home: Path, *args: str, site) -> list[str]:
    from tests.helpers import json_lines, run_cli

    site.raw("/wire", WIRE_PAGE % (len(WIRE_BODY), WIRE_BODY))
    result = run_cli(home, "capture", "--allow-network", "127.0.0.1/32", *args, "--json",
                     site.url("/wire"))
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.stdout)
    shown = json.loads(run_cli(home, "show", line["capture_id"], "--json").stdout)
    return [link["source"]["name"] for link in shown["attribution"]
            if link["source"]["kind"] == "news_agency"]


def test_capture_reads_the_archives_own_parties_file(tmp_path, site):
    """An agency only <home>/parties.json knows is recognised in a captured dateline."""
    assert _agencies_of_capture(tmp_path / "plain", site=site) == []
    home = tmp_path / "with-file"
    home.mkdir()
    (home / "parties.json").write_text(json.dumps({"schema_version": "1", "parties": [
        {"name": "Nordic Wire Agency", "kind": "news_agency", "codes": ["NWA"]}]}))
    assert _agencies_of_capture(home, site=site) == ["Nordic Wire Agency"]


def test_capture_refuses_a_bad_parties_file_before_capturing(tmp_path, site):
    """A malformed --parties file is a one-line error naming it; nothing is written."""
    from tests.helpers import run_cli

    bad = tmp_path / "mine.json"
    bad.write_text("{not json")
    result = run_cli(tmp_path / "home", "capture", "--allow-network", "127.0.0.1/32",
                     "--parties", str(bad), site.url("/"))
    assert result.exit_code == 2
    assert "mine.json" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "home" / "warcs").glob("*.warc.gz*"))
