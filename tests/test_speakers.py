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


def test_sentence_initial_word_is_not_part_of_a_name():
    # "Already" is written in lower case elsewhere, so it is a common word, not part of the name
    text = ("The staff had already gone home. Already Tomas had left the room when the letter came.\n\n"
            "“It is too late for apologies,” Tomas said.\n\n"
            "“We will write again tomorrow,” he said.")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Tomas", "Tomas"]


def test_capitalized_auxiliary_look_alike_is_a_name():
    text = "“The war is a reminder that the stakes are high for every voter,” Will wrote."
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] == "Will"


def test_name_in_appositive_speaks_and_age_is_skipped():
    text = ("The city’s fire chief, Dana Reyes, said the blaze had been contained overnight.\n\n"
            "Okonkwo, 54, who ran the agency for a decade, said the budget would not cover repairs.")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Dana Reyes", "Okonkwo"]
    assert "fire chief" in q.loc[0, "speaker_role"]


def test_continuation_skips_a_scare_quote_in_the_paragraph():
    text = ("“Everything is on the table,” Marisol Vega told reporters, pointing to “changes” in staffing. "
            "“Every single thing is on the table, and I am looking carefully.”")
    q = extract_quotes(text)
    assert len(q) == 2 and q["speaker_name"].tolist() == ["Marisol Vega", "Marisol Vega"]
    assert q.loc[1, "rule"] == "continuation"


def test_news_quote_paragraph_after_someone_spoke():
    text = ("Sen. Ruth Calloway left the chamber at midnight and spoke briefly to reporters.\n\n"
            "“We are close, but close does not pay anybody’s salary,” she said later.\n\n"
            "Gov. Hal Brenner read a statement at the Capitol.\n\n"
            "“Eight weeks is too long for the patients and the nurses who are waiting.”")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Ruth Calloway", "Hal Brenner"]
    assert q.loc[1, "rule"] == "narration_paragraph"


def _dialogue_text():
    turns = []
    for k in range(12):
        turns.append(f"“Where is the key number {k}?” said Margaret.")
        turns.append(f"“In the drawer by the window, as always, number {k}.”")
    turns.append("Henry shrugged his shoulders. “I cannot find anything in this house.”")
    turns.append("“Then look again.” Margaret laughed and went out.")
    return ("Margaret came in. Henry was reading by the fire.\n\n“You are late,” said Henry.\n\n"
            + "\n\n".join(turns))


def test_dialogue_turns_alternate_and_narration_beats():
    text = _dialogue_text()
    q = extract_quotes(text)
    assert len(q) == 27
    # the answers (cue-less, odd turns) go to the other party of the exchange, not to Margaret
    answers = q.iloc[2:25:2]
    assert set(answers["rule"]) == {"turn_taking"}
    assert (answers["speaker_name"] == "Henry").all()
    assert (q.iloc[1:25:2]["speaker_name"] == "Margaret").all()
    assert q.iloc[25]["speaker_name"] == "Henry" and q.iloc[25]["rule"] == "narration_before"
    assert q.iloc[26]["speaker_name"] == "Margaret" and q.iloc[26]["rule"] == "narration_after"


def test_news_quote_paragraphs_continue_rather_than_alternate():
    text = ("“We have to be a lot tougher,” Trent Oyelaran said.\n\n“We are playing by different rules.”\n\n"
            "“Nobody is fighting it strongly enough,” Lena Fisk said.\n\n“It will only get worse from here.”")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Trent Oyelaran", "Trent Oyelaran", "Lena Fisk", "Lena Fisk"]


def test_office_titles_and_honorifics_stay_out_of_names():
    text = ("“Yes, we can pay,” Treasurer Priya Nandakumar said. “We are ready,” said Dr. Anika Bose. "
            "“Not today,” said Mrs. Costello.")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Priya Nandakumar", "Anika Bose", "Mrs. Costello"]
    assert q.loc[0, "speaker_role"] == "Treasurer" and pd.isna(q.loc[1, "speaker_role"])
