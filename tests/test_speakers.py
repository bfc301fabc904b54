"""Speaker mentions, in-article coreference and corpus-wide ids."""
import pandas as pd

from toolkit.quotes import extract_quotes
from toolkit.speakers import load_aliases, mention_info, reporting_verbs, resolve_speakers, speakers


def test_lexicon_has_every_form_and_stances():
    verbs = reporting_verbs()
    lemmas = {lemma for lemma, _ in verbs.values()}
    assert len(lemmas) >= 150
    for form in ("say", "says", "said", "saying", "told", "wrote", "written"):
        assert form in verbs
    assert verbs["denied"][1] == "deny" and verbs["conceded"][1] == "concede" and verbs["warns"][1] == "warn"


def test_mention_titles_appositives_and_kinds():
    m = mention_info("North Korean Vice Foreign Minister Kim Jong Gyu", 0, 47)
    assert (m["name"], m["role"], m["kind"]) == ("Kim Jong Gyu", "North Korean Vice Foreign Minister", "person")
    assert mention_info("the Kremlin", 0, 11)["kind"] == "organization"
    assert mention_info("officials", 0, 9)["kind"] == "unnamed source"
    assert mention_info("Mrs. Costello", 0, 13)["gender"] == "f"


def test_all_mentions_of_a_person_resolve_to_one_name():
    text = ("Ukrainian President Volodymyr Zelensky said the aid was late.\n\n"
            "“It is zero,” Zelensky said.\n\n“We will keep fighting,” he said.\n\n"
            "The Ukrainian leader insisted that the front would hold.")
    q = extract_quotes(text)
    assert len(q) == 4
    assert set(q["speaker_name"]) == {"Volodymyr Zelensky"}
    assert q["speaker_id"].nunique() == 1


def test_unnamed_source_and_organization():
    text = ("A senior official, who spoke on condition of anonymity, said the talks had stalled. "
            "The Kremlin said the claims were false.")
    q = extract_quotes(text)
    assert q["speaker_kind"].tolist() == ["unnamed source", "organization"]


def test_ids_join_short_names_across_articles_and_aliases_split():
    corpus = pd.DataFrame({"doc_id": ["a", "b"],
                           "text": ["“Aid is late,” Volodymyr Zelensky said.", "“We wait,” Zelensky said."]})
    q = extract_quotes(corpus)
    assert q["speaker_id"].tolist() == ["volodymyr-zelensky", "volodymyr-zelensky"]
    table = pd.DataFrame({"alias": ["Zelensky"], "name": ["Zelensky"], "speaker_id": ["zelensky-other"]})
    split = resolve_speakers(q, aliases=table)
    assert split["speaker_id"].tolist() == ["volodymyr-zelensky", "zelensky-other"]
    merged = resolve_speakers(q.assign(speaker_name=["Vladimir Zelensky", "Zelensky"]),
                              aliases={"Vladimir Zelensky": "Volodymyr Zelensky"})
    assert merged["speaker_id"].nunique() == 1


def test_speakers_table():
    text = "“A,” Maria Lopez said. “B is coming soon,” she said. “C,” said Tom Reed."
    table = speakers(extract_quotes(text))
    assert table.columns.tolist() == ["speaker_id", "speaker_name", "kind", "variants", "roles", "quotes",
                                      "documents", "words"]
    top = table.iloc[0]
    assert top.speaker_name == "Maria Lopez" and top.quotes == 2 and "she" in top.variants


def test_default_alias_table_loads():
    table = load_aliases()
    assert list(table.columns) == ["alias", "name", "speaker_id"]
