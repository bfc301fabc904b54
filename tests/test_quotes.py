"""Behaviour of the quote finder on realistic news and fiction sentences."""
import json
import time
from pathlib import Path

import pandas as pd
import pytest

from toolkit.quotes import COLUMNS, extract_quotes

SEED = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures" / "seed_article.gold.json"


def one(text, **kw):
    q = extract_quotes(text, **kw)
    assert len(q) == 1, q[["type", "text", "speaker"]]
    return q.iloc[0]


def test_columns_and_offsets_index_the_text():
    text = "“We will not back down,” the mayor said on Monday.\n\nShe added that the budget was final."
    q = extract_quotes(text)
    assert list(q.columns) == COLUMNS
    for r in q.itertuples():
        assert text[r.start:r.end] == r.text
    assert q["quote_id"].tolist() == [f"0:{k}" for k in range(len(q))]


def test_trailing_attribution_with_title_gives_name_and_role():
    r = one("“We expect that to happen in the coming days,” Secretary of State Antony Blinken said.")
    assert r.type == "direct" and r.text.startswith("We expect")
    assert r.speaker_name == "Antony Blinken" and r.speaker_role == "Secretary of State"
    assert r.cue == "said" and r.stance == "neutral" and r.rule == "trailing"


def test_inverted_trailing_with_appositive_role():
    r = one("“The deal is dead,” said Maria Lopez, the head of the union.")
    assert r.speaker_name == "Maria Lopez" and r.speaker_role == "the head of the union"


def test_leading_colon_and_marked_stance():
    r = one("The minister insisted: “There will be no new taxes this year.”")
    assert r.type == "direct" and r.stance == "marked" and r.rule == "leading"


def test_interrupted_quote_is_one_row_with_two_fragments():
    text = "“We tried,” Ms. Okafor said, “but the river rose too fast.”"
    r = one(text)
    assert len(r.fragments) == 2
    assert [text[s:e] for s, e in r.fragments] == ["We tried,", "but the river rose too fast."]
    assert r.speaker_name == "Ms. Okafor"


def test_pronoun_resolves_to_nearest_compatible_person():
    text = ("Vassily Nebenzia, Russia’s envoy to the UN, met Angela Brandt on Wednesday.\n\n"
            "“Nobody can impose this logic on us,” he said.")
    r = one(text)
    assert r.speaker == "he" and r.speaker_name == "Vassily Nebenzia"


def test_continuation_paragraph_keeps_the_speaker():
    text = ("“The water came up in minutes,” said Tom Harris, a farmer.\n\n"
            "“We lost everything we had in the barn and most of the animals.”")
    q = extract_quotes(text)
    assert len(q) == 2
    assert q.loc[1, "rule"] == "continuation" and q.loc[1, "speaker_name"] == "Tom Harris"


def test_scare_quote_is_a_term_only_on_request():
    text = "The leader has been pushing his so-called “victory plan,” which calls for long-range strikes."
    assert extract_quotes(text).empty
    t = extract_quotes(text, include_terms=True)
    assert t["type"].tolist() == ["term"] and t["speaker"].isna().all()


def test_indirect_and_mixed_speech():
    text = ("Also on Thursday, the Biden administration claimed there are about 8,000 troops near the border. "
            "Rep. Jane Doe said the US should consider “direct military action” soon.")
    q = extract_quotes(text)
    assert q["type"].tolist() == ["indirect", "mixed"]
    assert q.loc[0, "text"] == "there are about 8,000 troops near the border"
    assert q.loc[0, "speaker_kind"] == "organization" and q.loc[0, "stance"] == "marked"
    assert q.loc[1, "text"].startswith("the US should consider") and q.loc[1, "speaker_name"] == "Jane Doe"


def test_according_to():
    r = one("According to the company, sales fell by a third in the spring.")
    assert r.type == "indirect" and r.cue == "According to" or r.cue == "according to"
    assert r.text.startswith("sales fell")


def test_apostrophes_are_not_quote_marks():
    text = "O’Brien’s team said the ’90s were the players’ best years, and that’s that."
    q = extract_quotes(text)
    assert (q["type"] != "direct").all()


def test_guillemets_low9_and_single_quotes():
    assert one("«Nous resterons», said Jean Dupont.").text == "Nous resterons"
    assert one("„Wir bleiben hier“, said Anna Schmidt.").text == "Wir bleiben hier"
    assert one("‘We are staying,’ said Anna Schmidt.").text == "We are staying,"


def test_unclosed_quote_is_flagged_and_recovered_locally():
    text = "“This never ends, the mayor said.\n\nThe council met on Tuesday. “We are ready,” Tom Reed said."
    q = extract_quotes(text)
    assert q["flags"].str.contains("unclosed").any()
    assert (q["text"] == "We are ready,").any()


def test_documents_status_and_bad_rows():
    corpus = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["", "“” \"\" «", "“Yes,” she said."]})
    q, docs = extract_quotes(corpus, return_documents=True)
    assert docs["status"].tolist() == ["empty", "ok", "ok"]
    assert list(docs.columns) == ["doc_id", "chars", "quotes", "status", "problems"]
    assert q["doc_id"].tolist() == ["c"]


def test_missing_text_column_names_it():
    with pytest.raises(ValueError, match="text"):
        extract_quotes(pd.DataFrame({"doc_id": ["a"], "body": ["x"]}))


def test_adversarial_megabyte_finishes_fast():
    chunk = "“a ” \" « „ ‘x’ ’90s <p>He said “\r\n" * 20 + "\"\"\" said said that " * 10
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    t = time.time()
    q, docs = extract_quotes(pd.DataFrame({"doc_id": ["x"], "text": [text]}), return_documents=True)
    assert time.time() - t < 20
    assert docs.loc[0, "status"] == "ok"


def test_seed_fixture_strict_quotes_found():
    if not SEED.exists():
        pytest.skip("../shared fixture not available")
    gold = json.loads(SEED.read_text(encoding="utf-8"))
    q = extract_quotes(gold["text"])
    attributed = q[q["speaker_name"].notna()]
    for term in gold.get("not_quotes", []):
        assert not attributed["text"].str.contains(term["text"], regex=False).any()
    for g in (g for g in gold["quotes"] if g.get("strict", True) and g["type"] == "direct"):
        hit = q[(q["start"] <= g["start"] + 2) & (q["end"] >= g["end"] - 2)]
        assert len(hit) == 1
        r = hit.iloc[0]
        assert r["speaker_start"] < g["speaker_end"] and g["speaker_start"] < r["speaker_end"]


def test_that_clause_may_start_with_a_preposition_or_parenthetical():
    q = extract_quotes("The ministry said that over the past week it had received 4,000 complaints.")
    assert q["text"].tolist() == ["over the past week it had received 4,000 complaints"]
    q = extract_quotes("The agency has said that, at the request of the police, it will delay the report.")
    assert q["text"].tolist() == ["at the request of the police, it will delay the report"]


def test_that_far_after_the_cue_does_not_skip_the_clause():
    r = one("Dr. Lena Varga said she had reviewed the draft on the plane that morning.")
    assert r.text == "she had reviewed the draft on the plane that morning"


def test_adjunct_before_that_is_skipped():
    r = one("Chief Ana Ruiz told reporters at a 7 a.m. briefing that the bridge would stay closed.")
    assert r.text == "the bridge would stay closed" and r.speaker_name == "Ana Ruiz"


def test_numeric_clause_start():
    r = one("The coach said about 40 players had signed up for the camp.")
    assert r.text.startswith("about 40 players")


def test_coordinated_and_participle_cues_borrow_the_subject():
    q = extract_quotes("The regulator welcomed the ruling but said the fines were far too small.")
    assert q["text"].tolist() == ["the fines were far too small"]
    assert q.loc[0, "speaker"] == "The regulator" and q.loc[0, "rule"] == "indirect_coordinated"
    q = extract_quotes("Mayor Tom Reyes rejected the proposal on Friday, saying the city could not afford it.")
    assert q["text"].tolist() == ["the city could not afford it"]
    assert q.loc[0, "speaker_name"] == "Tom Reyes"


def test_object_verbs_need_that_or_a_quotation():
    assert extract_quotes("Mayor Tom Reyes rejected the proposal from the harbor board on Friday.").empty
    assert extract_quotes("The minister announced a new plan for rural schools on Monday.").empty
    r = one("The senator called the budget “a shell game” in a speech on Friday.")
    assert r.type == "mixed" and r.text.startswith("the budget “a shell game”")
    q = extract_quotes("The stadium deal, which critics called “a waste of money,” passed on Monday.")
    assert q["type"].tolist() == ["direct"] and q.loc[0, "text"] == "a waste of money,"


def test_object_span_ends_after_its_quotation():
    r = one("She praised the firefighters, calling them “the bravest people I know” and she thanked the volunteers.")
    assert r.type == "mixed" and r.text == "them “the bravest people I know”"


def test_passive_and_noun_uses_are_not_cues():
    assert extract_quotes("The fire was declared fully contained on Wednesday after burning for weeks.").empty
    assert extract_quotes("The public comment period on the report closes April 17 at noon.").empty
    assert extract_quotes("Residents of the state fear that the dam is unsafe, state officials have warned nobody.")["cue"].tolist() != ["state"]


def test_gerund_object_is_not_a_clause():
    assert extract_quotes("The company denied selling customer data to advertisers.").empty


def test_colon_introduces_a_quote_without_a_verb():
    r = one("The governor returned to her favorite theme: “We finish what we start.”")
    assert r.type == "direct" and r.rule == "colon" and r.speaker == "The governor"
    r = one("Lindqvist: ‘We need more time’ before the council vote")
    assert r.type == "direct" and r.speaker == "Lindqvist"


def test_relative_who_speaker_and_clause_stops_at_the_comma():
    q = extract_quotes("Sen. Mark Dale, who has said the tax is unfair, voted for the bill on Tuesday.")
    assert q["text"].tolist() == ["the tax is unfair"] and q.loc[0, "speaker_name"] == "Mark Dale"


def test_clause_stops_at_the_next_reporting_clause():
    q = extract_quotes("Officials said at least 14 homes had burned, though they cautioned that the number could rise.")
    assert q["text"].tolist() == ["at least 14 homes had burned", "the number could rise"]


def test_trailing_clause_needs_an_adjunct_only_tail():
    assert extract_quotes("A month after the vote, farmers feel the pinch of higher prices.").empty
    r = one("Two hikers were rescued from the ridge overnight, the county sheriff said on Sunday.")
    assert r.text == "Two hikers were rescued from the ridge overnight" and r.rule == "indirect_trailing"


def test_trailing_quote_inside_a_sentence_is_mixed_from_the_sentence_start():
    r = one("The new tax plan was “a disaster for families,” Senator Ruth Gale said.")
    assert r.type == "mixed" and r.text.startswith("The new tax plan was “a disaster")
    assert r.speaker_name == "Ruth Gale"


def test_subject_and_verb_after_a_closed_sentence_quote_is_not_its_cue():
    text = "The mayor said the council “failed the city.” Councilman Joe Park called the mayor “a bully” on Friday."
    q = extract_quotes(text)
    assert len(q) == 2 and (q["speaker_name"] == "Joe Park").sum() == 1
    assert q.loc[q["speaker_name"] == "Joe Park", "text"].iloc[0].startswith("the mayor “a bully”")


def test_naming_participle_introduces_a_name_not_speech():
    assert extract_quotes("The troupe staged a comedy called “Brokers” last spring in Madrid.").empty
    q = extract_quotes("She rejected the offer, which she called “an insult to every nurse here.”")
    assert q["type"].tolist() == ["direct"] and q.loc[0, "speaker"] == "she"


def test_participle_cue_after_a_quoted_title():
    r = one("Judge Amy Cole published a report, titled “Open Doors,” recommending that the city close two jails.")
    assert r.text == "the city close two jails" and r.speaker_name == "Amy Cole"


def test_interrupted_quote_start_end_cover_all_fragments():
    text = "Flood crews worked all night. “We tried,” she said, “but the river rose too fast.”"
    r = one(text)
    (s0, e0), (s1, e1) = r.fragments
    assert (r.start, r.end) == (s0, e1) and r.text == text[r.start:r.end]
    assert "she said" in r.text and text[s1:e1] == "but the river rose too fast."


def test_quote_over_several_paragraphs_is_one_row():
    text = ("“The shelter opened at noon,” said Rosa Imbert, who runs it. “By six we had no beds left.\n\n"
            "“We are asking the city for a second building before the cold comes.”\n\n"
            "The city did not reply.")
    r = one(text)
    assert len(r.fragments) == 3 and r.speaker_name == "Rosa Imbert"
    assert (r.start, r.end) == (r.fragments[0][0], r.fragments[-1][1]) and r.text == text[r.start:r.end]
    assert text[slice(*r.fragments[-1])].startswith("We are asking")


def test_single_quoted_quote_after_colon_with_relative_clause_subject():
    text = "The ferry crews, who have worked the strait since the ’80s, agreed: ‘Not in winter.’"
    r = one(text)
    assert r.type == "direct" and r.text == "Not in winter." and r.speaker == "The ferry crews"


def test_second_cue_between_pieces_makes_two_quotes_with_the_same_speaker():
    text = "“The plant will close in March,” Dana Whitlow said, adding, “We tried every buyer we could find.”"
    q = extract_quotes(text)
    assert len(q) == 2 and all(len(f) == 1 for f in q["fragments"])
    assert q["speaker_name"].tolist() == ["Dana Whitlow", "Dana Whitlow"]


def test_clause_keeps_a_dash_parenthesis_and_drops_a_closing_comment():
    q = extract_quotes("The mayor said the bridge -- closed since the storm in June -- would reopen next month.")
    assert q["text"].tolist() == ["the bridge -- closed since the storm in June -- would reopen next month"]
    q = extract_quotes("Ruiz said the county would sell the hospital, a move that could cost 300 jobs.")
    assert q["text"].tolist() == ["the county would sell the hospital"]


def test_according_to_after_a_subordinate_clause_and_after_a_quoted_comma():
    text = ("While most of the files were routine, according to two officials, three were marked “secret” by "
            "the agency.\n\nThe budget cut 40 teaching jobs and “gutted the arts program,” according to the union.")
    q = extract_quotes(text)
    assert q["type"].tolist() == ["mixed", "mixed"]
    assert q["text"].tolist()[0] == "three were marked “secret” by the agency"
    assert q["text"].tolist()[1].startswith("The budget cut") and q["speaker"].tolist()[1] == "the union"


def test_quoted_show_title_after_a_preposition_does_not_take_the_cue():
    q = extract_quotes("Speaking on CBS’s “Face the Nation,” Senator Ruth Hale said the plan would fail.")
    assert q["type"].tolist() == ["indirect"] and q["text"].tolist() == ["the plan would fail"]


def test_sentence_with_a_noun_like_state_before_a_trailing_quote_is_mixed():
    r = one("The governor of the state will “fight this to the end,” Ruiz said.")
    assert r.type == "mixed" and r.text.startswith("The governor")


def test_clause_between_cue_and_quote_makes_a_mixed_quote():
    r = one("Ortiz said because the river was rising so fast, “we had no choice but to leave.”")
    assert r.type == "mixed" and r.text.startswith("because the river")


def test_relative_clause_quote_ends_at_its_comma_and_cue_noun_is_not_a_cue():
    q = extract_quotes("The council backed the plan, but Mayor Lee Park, who says it is “reckless,” voted no.")
    assert q["text"].tolist() == ["it is “reckless,”"] and q["speaker_name"].tolist() == ["Lee Park"]
    q = extract_quotes("Okafor called him a “liar,” a charge he denied.")
    assert q["type"].tolist() == ["mixed"] and q["speaker"].tolist() == ["Okafor"]


def test_participle_after_a_trailing_cue_takes_that_cue_s_speaker():
    text = ("The new stadium will “pay for itself,” Mayor Ida Brandt said, adding that the city "
            "“cannot afford to wait another year.”")
    q = extract_quotes(text)
    assert q["type"].tolist() == ["mixed", "mixed"]
    assert q["speaker_name"].tolist() == ["Ida Brandt", "Ida Brandt"] and q["cue"].tolist() == ["said", "adding"]


def test_cue_word_used_as_a_noun_inside_an_object_and_two_quotes_in_one_clause():
    r = one("The union leader answered on Monday, calling the company’s claim “absurd” and “insulting.”")
    assert r.type == "mixed" and r.text == "the company’s claim “absurd” and “insulting.”"
    r = one("Graham argued that the town “is a family” and that “nobody gets left behind.”")
    assert r.type == "mixed" and r.text.startswith("the town “is a family” and that")


def test_quotation_in_the_object_of_any_verb_is_a_mixed_quote_of_its_subject():
    r = one("The senator played down the mayor’s remarks as “just part of the campaign” and moved on.")
    assert r.type == "mixed" and r.rule == "verb_object" and r.speaker == "The senator"
    assert r.text == "the mayor’s remarks as “just part of the campaign”"
    r = one("Ortega openly admires the old governor as a “true reformer,” comparing him to his father.")
    assert r.type == "mixed" and r.speaker == "Ortega" and r.text.startswith("the old governor")


def test_scare_quotes_titles_and_passives_stay_terms():
    for text in ("The leader has been pushing his so-called “victory plan,” which calls for long-range strikes.",
                 "The hacker known as “Guccifer,” a Romanian, was sentenced last year.",
                 "The river was described as “a disaster waiting to happen” in the report.",
                 "She said it in an interview on NBC’s “Meet the Press” this week."):
        q = extract_quotes(text)
        assert not ((q["type"] != "indirect") & q["speaker"].notna()).any(), text


def test_belief_and_evidence_verbs_report_a_clause_without_that_but_not_a_noun_phrase():
    q = extract_quotes("Few economists think the new tariff will survive the winter.")
    assert q["type"].tolist() == ["indirect"] and q["text"].tolist() == ["the new tariff will survive the winter"]
    q = extract_quotes("Early returns show the incumbent has lost three of the five wards.")
    assert q["text"].tolist() == ["the incumbent has lost three of the five wards"]
    assert extract_quotes("She knows the valley well and found a cabin near the lake.").empty


def test_evidence_verb_never_speaks_a_quotation():
    r = one("The senator said the vote showed that “persistence, properly applied, works.”")
    assert r.type == "mixed" and r.speaker == "The senator" and r.cue == "said"


def test_clause_stops_before_the_main_reporting_verb_after_a_comma():
    q = extract_quotes("The mayor, who has accused the board of a “reckless gamble,” said Tuesday that she would veto it.")
    assert q["text"].tolist() == ["the board of a “reckless gamble,”", "she would veto it"]
    assert q["cue"].tolist() == ["accused", "said"] and q["type"].tolist() == ["mixed", "indirect"]


def test_stance_objects_are_attributions_only_with_include_stances():
    text = ("The teachers’ union endorsed Senator Mara Quint on Tuesday. "
            "Governor Ellis Shaw criticized the court’s ruling, but his aides stayed silent.")
    assert extract_quotes(text).empty        # by default a plain noun-phrase object is not a quotation
    q = extract_quotes(text, include_stances=True)
    assert q["text"].tolist() == ["Senator Mara Quint on Tuesday", "the court’s ruling"]
    assert q["type"].tolist() == ["indirect", "indirect"]
    assert q["rule"].tolist() == ["indirect_object", "indirect_object"]
    assert q["speaker"].tolist() == ["The teachers’ union", "Governor Ellis Shaw"]
    r = one("Harbor pilots called for a full inquiry into the collision.", include_stances=True)
    assert r["text"] == "a full inquiry into the collision" and r["speaker"] == "Harbor pilots"


def test_stance_objects_skip_passives_prepositions_and_quotes():
    for text in ("The measure was opposed by most members of the council.",
                 "The plan, rejected on Monday by the board, will return next year.",
                 "Growth held up, as opposed to what the analysts feared.",
                 "Mayor Ruth Ames endorsed it."):
        assert extract_quotes(text, include_stances=True).empty, text
    # a quotation in the object keeps the object-cue rule (mixed), with or without the option
    q = extract_quotes("Mayor Ruth Ames praised the crews as “tireless and brave.”", include_stances=True)
    assert q["type"].tolist() == ["mixed"]


def test_commitment_infinitives_are_attributions_only_with_include_stances():
    text = "The company declined to comment on the lawsuit. Ms. Ortega vowed to appeal the ruling, her lawyer said."
    assert "vowed" not in extract_quotes(text)["cue"].tolist()
    q = extract_quotes(text, include_stances=True)
    rows = q[q["rule"] == "indirect_infinitive"]
    assert rows["text"].tolist() == ["to comment on the lawsuit", "to appeal the ruling"]
    assert rows["speaker"].tolist() == ["The company", "Ms. Ortega"]
    assert extract_quotes("The senator plans to be there.", include_stances=True).empty   # "to be": no content


def test_headline_name_colon_statement_is_an_indirect_quote_when_the_name_returns():
    text = ("Haldane: Port expansion will not raise rents.\n\n"
            "Mayor Carla Haldane told a town meeting on Monday that the harbor plan protects tenants.")
    q = extract_quotes(text)
    head = q[q["rule"] == "headline_colon"]
    assert head["text"].tolist() == ["Port expansion will not raise rents"]
    assert head["type"].tolist() == ["indirect"] and head["speaker_name"].tolist() == ["Carla Haldane"]
    # a label before the colon is not a speaker
    for label in ("Breaking", "Revealed", "Watch"):
        text2 = f"{label}: Port expansion will not raise rents.\n\nThe council voted on Monday."
        assert extract_quotes(text2).empty, label


def test_verb_object_skips_try_verbs_and_locative_prepositions():
    for text in ("The ministry tried to “reset” the talks with the union before the vote.",
                 "Analysts looked at nine “nonprobability” samples drawn from online panels.",
                 "Their main competition came from an unaligned “Harbor First” slate of candidates."):
        q = extract_quotes(text)
        assert "verb_object" not in q["rule"].tolist(), text
    q = extract_quotes("At one rally, the senator referred to her rival as “the devil.”")
    assert q["rule"].tolist() == ["verb_object"] and q["type"].tolist() == ["mixed"]


def test_trailing_cue_after_a_closed_quote_keeps_adverbs_prepositions_subordinators_and_addressees():
    cases = [("“Can the port stay open?” Marta Quint asks as the cranes fall silent.", "Marta Quint"),
             ("“Long live the harbor!” Ivo Brandt, the editor of the Tide, wrote sarcastically in a post.", "Ivo Brandt"),
             ("“Why would anyone sell now?” Leena Ortiz said about the offer from the developers.", "Leena Ortiz"),
             ("“Open the gates!” the dockworkers shouted from the quay.", None),
             ("“Were you told in advance?” Paulo Reyes asked the harbor master.", "Paulo Reyes"),
             ("“We have the votes.” Dana Whitlock told reporters during a briefing on Tuesday.", "Dana Whitlock")]
    for text, name in cases:
        q = extract_quotes(text)
        direct = q[q["type"] == "direct"]
        assert len(direct) == 1 and direct["rule"].iloc[0] == "trailing", text
        assert q["type"].tolist() == ["direct"], text       # the cue is not read again as indirect speech
        if name:
            assert direct["speaker_name"].iloc[0] == name, text
    # a new sentence whose verb takes a clause is not a trailing attribution of the quote before it
    q = extract_quotes("“The bridge is safe.” Dana Whitlock told reporters the repairs would take a year.")
    direct = q[q["type"] == "direct"]
    assert direct["rule"].iloc[0] != "trailing"
    assert "the repairs would take a year" in q[q["type"] == "indirect"]["text"].tolist()


def test_name_set_off_by_an_ellipsis_or_dash_before_a_colon_speaks_the_quote():
    q = extract_quotes("Within the hour she posted about the ferry strike ... Marta Quint: “Proud of every one of you.”")
    assert q["rule"].tolist() == ["colon"] and q["speaker_name"].tolist() == ["Marta Quint"]
    q = extract_quotes("WHY SHIPPERS STAY LOYAL - Ana Ruiz and Tom Haller: “We found that reliability matters most.”")
    assert q["rule"].tolist() == ["colon"] and q["speaker"].tolist() == ["Ana Ruiz and Tom Haller"]
    # a plain sentence with a colon and no name before it gives no colon speaker from a dash segment
    q = extract_quotes("The sign on the gate - in red paint: “Keep out.”")
    assert "colon" not in q["rule"].fillna("").tolist() or q["speaker"].iloc[0] != "in red paint"


def test_object_span_continues_over_a_coordinated_prepositional_object():
    q = extract_quotes("The mayor has called for tighter rules on the “gray market” that operates in rentals and other stays, and for "
                       "higher fees on short stays. The council meets Monday.")
    mixed = q[q["type"] == "mixed"]
    assert len(mixed) == 1 and mixed["text"].iloc[0].endswith("higher fees on short stays")
    q = extract_quotes("The mayor called him a “fine partner,” and the council agreed.")
    assert q[q["type"] == "mixed"]["text"].iloc[0] == "him a “fine partner,”"


def test_two_apostrophes_open_and_close_a_quotation():
    text = ("The ferry fares will rise in March, the authority said.\n\n"
            "''We held prices for six years and the fuel bill doubled,'' said Rosa Lindqvist, the authority's director. "
            "''Nobody likes it.''\n\n"
            "Commuters' groups called the increase ''a tax on the people who can least afford it.'' "
            "Rock 'n' roll played at the terminal.")
    q = extract_quotes(text)
    for r in q.itertuples():
        assert r.text == text[r.start:r.end]
        if r.type == "direct":      # without its marks
            assert all("''" not in text[a:b] for a, b in r.fragments)
        assert r.text.count("''") % 2 == 0
    first = q[q["text"].str.startswith("We held prices")]
    assert first["type"].tolist() == ["direct"] and first["speaker_name"].tolist() == ["Rosa Lindqvist"]
    assert first["cue"].tolist() == ["said"]
    assert any(t.endswith("Nobody likes it.") or t == "Nobody likes it." for t in q["text"])
    assert any("a tax on the people who can least afford it." in t for t in q["text"])
    assert not any("n' roll" in t for t in q["text"])
    # an elided letter after a single mark is not an opening pair: nothing closes it
    q = extract_quotes("He told them to repeat ''Tis the season,' and they did.")
    assert not any(t.startswith("Tis the season") and t.endswith("did.") for t in q["text"])


def test_mixed_clause_ends_at_a_coordinated_reporting_verb_after_a_closing_mark():
    q = extract_quotes("Councilwoman Irma Dale said that the harbor plan is a “careful, honest compromise,” and added that "
                       "the vote would wait until June.")
    mixed = q[q["type"] == "mixed"]
    assert mixed["text"].tolist() == ["the harbor plan is a “careful, honest compromise,”"]


def test_plural_and_quantity_subjects_before_a_bare_say():
    text = ("Analysts say the merger will close by spring. Among likely voters, 58 percent say they back the levy. "
            "Those surveyed say the ferry should run all night.")
    q = extract_quotes(text)
    assert q["type"].tolist() == ["indirect"] * 3
    assert q["speaker"].tolist() == ["Analysts", "58 percent", "Those surveyed"]
    assert q["text"].tolist()[0] == "the merger will close by spring"
    # a bare "say" after a singular name or as an interjection is no cue
    assert extract_quotes("Compare the plan with, say, the one from 2019, which failed.").empty


def test_parenthetical_cue_inside_its_reported_sentence_gives_two_fragments():
    text = "The old ferry, the harbor master said, will be sold by June. Too often, Mendez said on Friday, the port waits for money."
    q = extract_quotes(text)
    assert q["rule"].tolist() == ["indirect_parenthetical"] * 2
    assert [[text[a:b] for a, b in f] for f in q["fragments"]] == [["The old ferry", "will be sold by June"],
                                                                     ["Too often", "the port waits for money"]]
    assert q["speaker"].tolist() == ["the harbor master", "Mendez"]
    # a cue followed by its own participle is no parenthetical: the participle reports the clause
    q = extract_quotes("The ferry is late, she said, adding that the crew is sick.")
    assert "indirect_parenthetical" not in q["rule"].tolist()


def test_question_and_pronoun_clauses_after_object_taking_cues():
    q = extract_quotes("At the town hall, a nurse asked the governor whether the clinic would stay open past June.")
    assert q["text"].tolist() == ["whether the clinic would stay open past June"]
    assert q["speaker"].tolist() == ["a nurse"]
    q = extract_quotes("The mayor announced she will not seek a third term. The council announced its budget on Monday.")
    assert q["text"].tolist() == ["she will not seek a third term"]


def test_question_put_by_a_named_asker_is_the_askers_indirect_quote():
    text = "When asked by a reporter whether the ferry would run in winter, Mendez said the budget decides."
    q = extract_quotes(text)
    asked = q[q["rule"] == "indirect_asked"]
    assert asked["text"].tolist() == ["whether the ferry would run in winter"]
    assert asked["speaker"].tolist() == ["a reporter"]
    assert "the budget decides" in q["text"].tolist()
    # without an asker, or with a topic instead of a question, nothing is attributed to an asker
    for text in ("Asked whether the ferry would run, Mendez shrugged.", "When asked about the ferry, Mendez shrugged."):
        assert "indirect_asked" not in extract_quotes(text)["rule"].tolist()


def test_gerund_subject_clause_after_said():
    q = extract_quotes("The harbor master said dredging the channel would cost more than the new cranes.")
    assert q["text"].tolist() == ["dredging the channel would cost more than the new cranes"]
    # a gerund object, a pronoun object or a participle after a comma is not a clause
    assert extract_quotes("The company denied dumping waste in the bay.").empty
    assert extract_quotes("She said nothing when the board voted.").empty
    q = extract_quotes("Dock workers voted to strike, the union said on Sunday, setting up the first walkout since 1989.")
    assert not any(t.startswith("setting up") for t in q["text"])


def test_summary_appositive_with_its_own_cue_ends_the_clause():
    q = extract_quotes("Ruth Okafor said the nurses had offered to staff an emergency team, an offer she said the hospital refused.")
    assert q["text"].tolist()[0] == "the nurses had offered to staff an emergency team"


def test_straight_opening_mark_closed_by_a_curly_one():
    text = "The board met on Monday.\n\n\"We cannot wait for the state,” Mayor Lund said.\n\nThe vote is Friday."
    q = extract_quotes(text)
    assert q["text"].tolist() == ["We cannot wait for the state,"]
    assert q["speaker"].tolist() == ["Mayor Lund"]


def test_addressee_tail_with_a_noun_that_looks_like_a_cue_ends_the_sentence():
    q = extract_quotes("“Who pays for the repairs?” Mayor Lund asked reporters during Tuesday’s conference call.")
    assert q["speaker"].tolist() == ["Mayor Lund"] and q["rule"].tolist() == ["trailing"]


def test_headline_name_ending_in_s_is_found_again_in_the_body():
    text = "Richards: Clinic closures will hurt rural women\n\nCecile Richards spoke in Austin on Tuesday about the new rules."
    q = extract_quotes(text)
    assert q["rule"].tolist() == ["headline_colon"] and q["speaker"].tolist() == ["Richards"]


def test_findings_of_polls_and_records_are_attributed_to_them():
    q = extract_quotes("Two new polls show the mayor within three points of the challenger. The survey found deep unease about rents.")
    assert q["text"].tolist() == ["the mayor within three points of the challenger", "deep unease about rents"]
    assert q["speaker"].tolist() == ["Two new polls", "The survey"]
    # a person finding a thing reports no finding
    assert extract_quotes("The mayor found the keys under a bench.").empty


def test_according_to_long_sources_sentence_adverbs_and_parentheticals():
    q = extract_quotes("According to early results of exit polls conducted for the Harbor Gazette and two radio stations by a "
                       "local college, most voters backed the levy.")
    assert q["text"].tolist() == ["most voters backed the levy"]
    assert q["speaker"].iloc[0].startswith("early results of exit polls")
    q = extract_quotes("But, according to the poll, 46 percent of voters remain undecided.")
    assert q["text"].tolist() == ["46 percent of voters remain undecided"] and q["speaker"].tolist() == ["the poll"]
    text = "One of the options, according to a person close to the talks, is to sell the ferry."
    q = extract_quotes(text)
    assert [[text[a:b] for a, b in f] for f in q["fragments"]] == [["One of the options", "is to sell the ferry"]]
    # an appositive after the source is not the rest of the clause
    text = "Fares would rise, according to Dana Ruiz, a former port official."
    assert extract_quotes(text)["text"].tolist() == ["Fares would rise"]


def test_sentence_opened_by_a_poll_reports_its_finding():
    q = extract_quotes("In the latest Harbor Gazette poll released Wednesday, the mayor fell to 31 percent. In a speech, she laughed.")
    assert q[q["rule"] == "in_poll"]["text"].tolist() == ["the mayor fell to 31 percent"]
    assert q[q["rule"] == "in_poll"]["speaker"].tolist() == ["the latest Harbor Gazette poll released Wednesday"]


def test_three_apostrophes_close_an_inner_single_quote_and_the_quotation():
    text = "''Every captain tells me, 'The channel is too shallow,''' Harbor Master Ines Kowal said."
    q = extract_quotes(text)
    assert q["speaker"].tolist() == ["Harbor Master Ines Kowal"]
    assert q["text"].tolist() == ["Every captain tells me, 'The channel is too shallow,'"]
