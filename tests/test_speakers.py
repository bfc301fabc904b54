"""Speaker mentions, in-article coreference and corpus-wide ids."""
import pandas as pd

from toolkit.quotes import extract_quotes
from toolkit.speakers import load_aliases, mention_info, reporting_verbs, resolve_speakers, slugify, speakers


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
    assert top.speaker_name == "Maria Lopez" and top.quotes == 2
    assert "she" not in top.variants and "Maria Lopez" in top.variants   # pronouns are not name variants


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


def test_apostrophe_names_are_one_name_in_either_style():
    text = ("“The levy stays,” Sen. Aoife O’Callaghan said on Monday.\n\n"
            "“We will not move,” O'Callaghan added. “Not this year,” Mr. Tomas D'Arcy said.\n\n"
            "“He is wrong,” Tomas D’Arcy’s spokesman said. “Never,” said D’Arcy.")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist()[:2] == ["Aoife O’Callaghan", "Aoife O’Callaghan"]
    assert q["speaker_id"].tolist()[:2] == ["aoife-ocallaghan", "aoife-ocallaghan"]
    assert q["speaker_id"].iloc[-1] == q["speaker_id"].iloc[2] == "tomas-darcy"
    table = speakers(q)
    assert not table["speaker_name"].str.contains("'").any()
    assert slugify("Marcus O'Brien") == slugify("Marcus O’Brien") == "marcus-obrien"


def test_roles_are_noun_phrases_with_titles_written_out():
    text = ("“The budget is late,” Gov. Ines Carvalho said, speaking to reporters outside the capitol.\n\n"
            "“We will sue,” said Omar Haddad, 41, a teacher at Lakeside High School who leads the union.\n\n"
            "“It is over,” Rep. Lena Fischer said in a letter to members obtained by the Gazette.")
    q = extract_quotes(text).set_index("speaker_name")
    assert q.loc["Ines Carvalho", "speaker_role"] == "Governor"
    assert q.loc["Omar Haddad", "speaker_role"] == "a teacher at Lakeside High School"
    assert q.loc["Lena Fischer", "speaker_role"] == "Representative"


def test_role_clean_up_rejects_participles_and_ages():
    from toolkit.speakers import clean_role
    assert clean_role("asked whether the city could pay") is None
    assert clean_role("52") is None
    assert clean_role("in an interview with the Gazette") is None
    assert clean_role("Detective Sgt.") == "Detective Sergeant"
    assert clean_role("the county’s fire chief, who spoke Monday") == "the county’s fire chief"


def test_common_noun_organization_resolves_to_the_named_one():
    text = ("Northwind Logistics Inc. confirmed the layoffs. The Lakeside Transit Authority had warned of delays.\n\n"
            "“We regret the decision,” the company said in a statement.\n\n"
            "“Service will continue,” the transit authority said. “Talks go on,” the union said.")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Northwind Logistics Inc.", "Lakeside Transit Authority", "union"]
    assert (q["speaker_kind"] == "organization").all()


def test_lower_case_role_before_name_after_inverted_cue():
    q = extract_quotes("“The channel is clear,” said harbor pilot Jonas Berg. “Tide is high,” said goodbye.")
    assert q.loc[0, "speaker_name"] == "Jonas Berg" and q.loc[0, "speaker_role"] == "harbor pilot"


def test_suffixes_do_not_block_joining_short_names_across_articles():
    corpus = pd.DataFrame({"doc_id": ["a", "b"],
                           "text": ["“Yes,” Rep. Calvin Mercer Jr. said. “Fine,” Ferrobyte Inc. said in a statement.",
                                    "“No,” Mercer said. “We disagree,” Ferrobyte said."]})
    ids = extract_quotes(corpus)["speaker_id"].tolist()
    assert ids[0] == ids[2] == "calvin-mercer-jr" and ids[1] == ids[3] == "ferrobyte-inc"


def test_headline_quote_takes_the_speaker_of_the_body_quote_it_echoes():
    text = ("‘A season with no end’: forecaster warns of hotter summers\n\n"
            "Crews fought the Pine Hollow fire for a week.\n\n"
            "“Fire season used to be short,” said forecaster Ana Ruiz. “We are heading toward a season with no end.”")
    q = extract_quotes(text)
    assert q.loc[0, "text"] == "A season with no end"
    assert q.loc[0, "speaker_name"] == "Ana Ruiz" and q.loc[0, "rule"] == "headline_echo"


def test_quote_inside_a_relative_clause_belongs_to_its_subject():
    text = ("Mr. Tom Hale, who last week called the plan a “budget by press release,” said on Friday "
            "that the deal was fair.")
    q = extract_quotes(text)
    first = q.iloc[0]
    assert first["text"] == "budget by press release," and first["speaker_name"] == "Tom Hale"


def test_statement_from_an_organization_speaks_for_it():
    q = extract_quotes("“We expect furloughs by Friday,” said a statement from the Public Workers Federation.")
    assert q.loc[0, "speaker_name"] == "Public Workers Federation" and q.loc[0, "speaker_kind"] == "organization"


def test_participle_cue_takes_the_main_subject_past_negation_and_possessive_nouns():
    text = ("Councilmember Ruth Okoye didn’t seem impressed with the mayor’s remarks on Friday, telling reporters, "
            "“We have heard these promises before.”")
    q = extract_quotes(text)
    assert q.loc[0, "speaker_name"] == "Ruth Okoye"


def test_a_cue_word_after_a_possessive_is_a_noun_without_subject():
    from toolkit.speakers import subject_before
    text = "Critics mocked Sanders’ comments about the port."
    assert subject_before(text, text.index("comments"), 0) is None
    text = "The mayor’s aide said the port will reopen."
    assert subject_before(text, text.index("said"), 0) is not None
    text = "Since the vote, he’s said the same thing at every stop."
    assert subject_before(text, text.index("said"), 0) is not None     # "he’s" = he has, not a possessive


def test_relative_pronoun_is_the_mention_and_resolves_to_its_antecedent():
    text = ("The mayor sparred with Councilmember Dana Whitfield, who has called the budget “a shell game,” "
            "and with Treasurer Omar Reyes, who says it is “balanced to the penny.”")
    q = extract_quotes(text)
    rows = q[q["type"] == "mixed"]
    assert rows["speaker"].tolist() == ["who", "who"]
    assert rows["speaker_name"].tolist() == ["Dana Whitfield", "Omar Reyes"]
    assert mention_info(text, text.index("who"), text.index("who") + 3)["name"] == "Dana Whitfield"


def test_trailing_document_subject_with_a_present_tense_verb():
    text = ("“We will not let the clinic close without a fight,” the petition reads. "
            "“Our families depend on it.”")
    q = extract_quotes(text)
    assert len(q) == 1 and q.loc[0, "speaker"] == "the petition"


def test_trailing_subject_found_past_a_later_cue_word_of_another_clause():
    text = ("“Let me help you out, the answer is no,” the retired admiral joked at the town hall, "
            "drawing laughs from the crowd.")
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] == "the retired admiral"


def test_participle_after_a_comma_shares_the_subject_of_the_main_clause():
    text = ("Early in the race, Governor Lena Marsh attacked her rival, calling him “a tourist in this state.” "
            "Although she thanked the volunteers, Marsh struck a cautious note, saying, “We have not won anything yet.”")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Lena Marsh", "Lena Marsh"]
    assert q["speaker"].tolist() == ["Governor Lena Marsh", "Marsh"]


def _exchange(middle):
    """A novel-like exchange: enough alternating turns for dialogue mode, then ``middle``."""
    turns = []
    for k in range(12):
        turns.append(f"“Shall we walk to the river number {k}?” said Clara.")
        turns.append(f"“Not yet, the grass is still wet, number {k}.”")
    return ("Clara stood at the window. Edmund was reading by the lamp.\n\n“It is raining,” said Edmund.\n\n"
            + "\n\n".join(turns) + "\n\nThe clock struck nine.\n\n" + "\n\n".join(middle))


def test_vocative_names_the_next_speaker_and_never_the_current_one():
    text = _exchange([
        "“Have you seen my letters, Aunt Sophia?” asked Edmund.",
        "“They are on the hall table where you left them.”",
        "“Thank you. Clara, will you come down to dinner?”",
        "“Yes, Edmund, in a minute.”",
    ])
    q = extract_quotes(text)
    tail = q.tail(4)
    assert tail.iloc[1]["rule"] == "vocative" and tail.iloc[1]["speaker_name"] == "Aunt Sophia"
    assert tail.iloc[3]["speaker_name"] == "Clara"      # addressed by the turn before, and she addresses Edmund


def test_turns_anchor_on_a_later_explicit_attribution_when_none_precedes():
    text = _exchange([
        "“Who left the gate open?”",
        "“Not I, for once.”",
        "“Then it was the wind,” said Clara.",
    ])
    q = extract_quotes(text)
    tail = q.tail(3)
    assert tail.iloc[0]["speaker_name"] == "Clara" and tail.iloc[0]["rule"] == "turn_taking"
    # the other party of this run never speaks in it: guessing the last speaker before the break
    # (Edmund) is wrong as often as right, so the answer stays unattributed
    assert pd.isna(tail.iloc[1]["speaker_name"]) and pd.isna(tail.iloc[1]["speaker"])


def test_turns_after_an_unattributed_turn_still_count_from_the_anchor():
    text = _exchange([
        "“Who left the gate open?” asked Clara.",
        "“Not I, for once.”",
        "“Then it was the wind, I suppose.”",
        "“Or the boy from the farm.”",
    ])
    q = extract_quotes(text)
    tail = q.tail(4)
    assert pd.isna(tail.iloc[1]["speaker_name"]) and pd.isna(tail.iloc[3]["speaker_name"])
    assert tail.iloc[2]["speaker_name"] == "Clara" and tail.iloc[2]["rule"] == "turn_taking"


def test_plain_person_noun_resolves_to_the_nearest_person_it_fits():
    text = ("Daniel Wren came up the stairs two at a time. His sister was waiting.\n\n"
            "“I have news from the harbor,” cried the lad, out of breath.")
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] == "the lad" and q.loc[0, "speaker_name"] == "Daniel Wren"
    assert mention_info("the girl", 0, 8)["gender"] == "f"


def test_trailing_subject_with_a_relative_clause_and_irregular_verbs():
    text = ("Ruling on the levee.\n\n"
            "“We will not raise the fee, not this year,” Mayor Ines Castro, who has opposed the levy since 2019, "
            "said at the time.\n\n"
            "“Every vote brings us closer,” read the campaign email. “We grow stronger every day.”\n\n"
            "“We ought to start the repairs this morning,” she went on.")
    q = extract_quotes(text)
    assert q["speaker"].tolist() == ["Mayor Ines Castro", "the campaign email", "she"]
    assert q.loc[2, "speaker_name"] == "Ines Castro"


def test_sentence_initial_inverted_cue_and_role_with_capitalized_modifier():
    text = ("Ruling on the levee.\n\n"
            "Said Okafor, “The thought that an error on our part caused this is painful to us.”\n\n"
            "“I do not know where he stands on that,” said undecided Republican voter Stephanie Hale of Derry, "
            "before the town meeting.")
    q = extract_quotes(text)
    assert q["speaker"].tolist()[0] == "Okafor"
    assert q["speaker_name"].tolist()[1] == "Stephanie Hale"


def test_coordinated_leading_verb_and_a_paragraph_that_ends_in_a_speech_verb():
    text = _exchange([
        "Edmund looked up from his book at once and said:",
        "“The river will be high tomorrow.”",
        "Clara did not answer at first. Edmund, who had expected as much, merely added,",
        "“And the bridge will be closed.”",
    ])
    q = extract_quotes(text)
    tail = q.tail(2)
    assert tail["speaker_name"].tolist() == ["Edmund", "Edmund"]


def test_cueless_quote_in_a_new_sentence_takes_that_sentences_subject():
    text = ("Early in the race, Governor Lena Marsh called her rival “a tourist in this state.” "
            "Senator Paul Okoro fired back in March, attacking Marsh for “the greed, the showing off, the bluster and the absurd schoolyard theatrics” "
            "of her campaign.")
    q = extract_quotes(text)
    last = q.iloc[-1]
    assert last["speaker_name"] == "Paul Okoro"


def test_a_pronoun_speaker_is_never_the_person_the_quote_addresses():
    text = ("Daniel Wren came into the morning-room and found Harry Vane there alone.\n\n"
            "“I am so sorry to be late, Harry,” he cried, “but the train was held at Reading.”")
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] == "he" and q.loc[0, "speaker_name"] == "Daniel Wren"


def test_possessive_pronoun_after_a_quote_is_not_a_speaker():
    text = ("Ruling on the levee.\n\n"
            "Nora Blake wrote to the board on Monday. “Who will pay for the repairs, and when?” "
            "Her questions went unanswered for a week.")
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] not in ("Her", "Her questions went")


def test_trailing_adverb_and_sentence_initial_adverb_stay_out_of_names():
    text = ("Ruling on the levee.\n\n"
            "Instantly Emma Finch rose. “I have seen the inhabitants,” answered the duchess vaguely.")
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] == "the duchess"
    from toolkit.speakers import ArticleSpeakers
    assert "Emma Finch" in ArticleSpeakers(text).entities


def test_in_dialogue_a_pronoun_in_the_next_turn_is_the_other_party():
    turns = []
    for k in range(12):
        turns.append(f"“Is the boat ready, number {k}?” asked Thomas Pike.")
        turns.append(f"“Nearly ready, number {k}, give me a minute.”")
    text = ("Thomas Pike and Henry Vane stood on the quay.\n\n" + "\n\n".join(turns)
            + "\n\n“Then we sail at noon?” asked Thomas Pike.\n\n“At noon, if the wind holds,” he said.")
    q = extract_quotes(text)
    assert q.iloc[-1]["speaker"] == "he" and q.iloc[-1]["speaker_name"] == "Henry Vane"


def test_name_then_role_then_relative_clause_the_name_speaks():
    text = ("Mei-Lin Zhao, the state privacy commissioner, who testified after the chief executive, "
            "told the committee that her inquiry would conclude by the end of July.")
    q = extract_quotes(text)
    assert q.loc[0, "speaker_name"] == "Mei-Lin Zhao"
    assert q.loc[0, "speaker_role"].endswith("state privacy commissioner")


def test_relative_pronoun_after_a_parenthetical_and_no_verb_inside_a_subject():
    text = ("And he praised Sen. Carla Ruiz (D-N.M.), who told a local newspaper on Tuesday that the dam could "
            "fail “within a decade” without repairs.")
    q = extract_quotes(text)
    assert q.loc[0, "speaker"] == "who" and q.loc[0, "speaker_name"] == "Carla Ruiz"


def test_a_subject_without_letters_is_not_a_speaker():
    from toolkit.speakers import subject_before
    text = "The strike ended at dawn,'' said Ines Castro."
    assert subject_before(text, text.index("said"), 0) is None
    text = "In all, 40 states report that turnout rose."
    assert subject_before(text, text.index("report"), 0) is None
    text = "Ines Castro said the strike ended at dawn."
    s, e = subject_before(text, text.index("said"), 0)[:2]
    assert text[s:e] == "Ines Castro"


def test_was_her_answer_names_the_possessor_as_speaker():
    text = ("Margaret Schlegel came in and Henry Wilcox looked up from his paper.\n\n"
            "“Are you tired?” was Henry’s first question.\n\n"
            "“Not in the least,” was her answer.\n\n"
            "“Then come and sit by the fire,” was his calm reply.")
    q = extract_quotes(text)
    assert q["speaker_name"].tolist() == ["Henry Wilcox", "Margaret Schlegel", "Henry Wilcox"]
    assert set(q["rule"]) == {"trailing_possessive"}
    assert q.loc[1, "speaker"] == "her" and q.loc[0, "speaker"] == "Henry"


def test_a_person_noun_in_the_next_turn_is_not_the_last_speaker():
    text = _exchange([
        "Then Walter Brisk came in from the garden, his boots wet.",
        "“You will ruin the carpet, Walter,” said Edmund sharply.",
        "“I will take them off at once,” answered the young man.",
    ])
    q = extract_quotes(text)
    assert q.iloc[-2]["speaker_name"] == "Edmund"
    assert q.iloc[-1]["speaker"] == "the young man" and q.iloc[-1]["speaker_name"] == "Walter Brisk"


def test_inverted_subject_known_as_a_name():
    q = extract_quotes("“There was never any order to wait,” said the station chief known as Dave, speaking "
                       "publicly for the first time.")
    assert q.loc[0, "speaker"] == "the station chief known as Dave" and q.loc[0, "speaker_name"] == "Dave"
    q = extract_quotes("“We lost everything,” said a woman identified only as a nurse.")
    assert q.loc[0, "speaker"] == "a woman"


def test_first_person_in_a_transcript_paragraph_is_the_labelled_speaker():
    text = ("Governor Dana Whitfield spoke with the host on Sunday.\n\n"
            "HOLLAND: Is the budget that Senator Tom Reyes wrote going to pass?\n\n"
            "WHITFIELD: I think it will pass. I believe that the votes are there.\n\n"
            "CORRECTION: I said earlier that the vote was on Monday.")
    q = extract_quotes(text)
    mine = q[q["speaker"] == "I"]
    assert len(mine) >= 2
    assert (mine.iloc[:2]["speaker_name"] == "Dana Whitfield").all()
    assert not (mine["speaker_name"] == "Correction").any()


def test_portuguese_and_dutch_name_particles_stay_in_the_name():
    assert mention_info("Mat dos Santos", 0, 14)["name"] == "Mat dos Santos"
    assert mention_info("Joana das Neves", 0, 15)["name"] == "Joana das Neves"
    assert mention_info("Pieter ter Horst", 0, 16)["name"] == "Pieter ter Horst"


def test_tokens_between_keeps_offsets_abbreviations_and_initials():
    from toolkit.speakers import tokens_between
    text = "Sen. John F. Kennedy told U.S. officials_2 on Tuesday: “It’s over.”  Mr.Smith left."
    toks = tokens_between(text, 0, len(text))
    assert all(text[s:e] == tok for s, e, tok in toks)
    words = [tok for _s, _e, tok in toks]
    assert words[:5] == ["Sen.", "John", "F.", "Kennedy", "told"]
    assert "U.S." in words and "officials_2" in words and "Mr." in words and "over" in words
    assert words[-1] == "."        # a sentence-final full stop stays a token of its own
    # a window: offsets stay absolute, a cut word is cut, a negative start reads from 0
    start = text.index("Kennedy") + 3
    assert tokens_between(text, start, start + 9) == [(start, start + 4, "nedy"), (start + 5, start + 9, "told")]
    assert tokens_between(text, -4, 4) == [(0, 4, "Sen.")]


def test_last_token_is_the_last_token_of_the_window():
    from toolkit.speakers import _last_token, tokens_between
    text = "Gov. J. R. Smith, the state’s U.S. envoy, said:  “We will win.” Dr. No left .  "
    for start in (0, 5, 17, 40):
        for end in range(start, len(text) + 2):
            full = tokens_between(text, start, end)
            assert _last_token(text, start, end) == (full[-1] if full else None)


def test_lower_case_word_test_matches_whole_lower_case_words_only():
    from toolkit.speakers import ArticleSpeakers
    article = ArticleSpeakers("Whether Helen knew, nobody asked whether-or-not. Hope’s hope came 3rd, like mine.")
    assert article._used_in_lower_case("nobody") and article._used_in_lower_case("hope")
    assert article._used_in_lower_case("mine")
    assert not article._used_in_lower_case("whether")      # capitalized, or inside "whether-or-not"
    assert not article._used_in_lower_case("helen") and not article._used_in_lower_case("rd")


def test_person_of_the_organization_speaks_with_the_affiliation_as_role():
    q = extract_quotes("“The permit was rushed,” Ms. Varga of the Harbor Trust said.")
    assert q["speaker"].tolist() == ["Ms. Varga"]
    assert q["speaker_role"].tolist() == ["of the Harbor Trust"]
    q = extract_quotes("“The permit was rushed,” Daniel Ortiz of the Harbor Trust said.")
    assert q["speaker_name"].tolist() == ["Daniel Ortiz"]


def test_a_written_text_that_reads_speaks_its_quotation():
    q = extract_quotes("A notice hung at the gate.\n\n“Strike begins at dawn,” the notice read. “Bring water.”")
    direct = q[q["type"] == "direct"]
    assert direct["speaker"].tolist() == ["the notice"] and direct["cue"].tolist() == ["read"]
    q = extract_quotes("She lifted a placard of her own. “Still standing,” it read.")
    assert q[q["type"] == "direct"]["speaker"].tolist() == ["it"]


def test_age_hometown_and_state_between_name_and_verb():
    q = extract_quotes("“The ferry is always late,” Dora Finch, 41, of Portland, Ore., who rides it daily, said on Monday.")
    assert q["speaker"].tolist() == ["Dora Finch"] and q["rule"].tolist() == ["trailing"]
    q = extract_quotes("Dora Finch, 41, of Portland, Ore., said the ferry is always late.")
    assert q["speaker"].tolist() == ["Dora Finch"]


def test_a_participle_after_a_quotation_takes_no_inverted_subject():
    q = extract_quotes("Okafor said the ferry plan is a “fantasy,” describing the harbor board as badly divided.")
    assert "the harbor board" not in q["speaker"].fillna("").tolist()
    assert q[q["text"].str.contains("fantasy")]["speaker"].tolist() == ["Okafor"]


def test_a_clause_after_said_is_not_an_inverted_subject():
    text = ("Ms. Lindqvist, who called the levy “a tax on every ferry ticket,” said the council would vote "
            "again in March.")
    quotes = extract_quotes(text)
    assert "the council would vote" not in " ".join(quotes["speaker"].dropna())
    assert quotes.loc[quotes["type"] == "direct", "rule"].tolist() != ["trailing_inverted"]
    inverted = extract_quotes("“The levy stays,” said Will Okafor, the council’s treasurer.")
    assert inverted[["speaker", "rule"]].values.tolist() == [["Will Okafor", "trailing_inverted"]]


def test_the_issuer_of_a_statement_speaks_its_participle_clause():
    q = extract_quotes("After the vote, Councilwoman Irene Paxton (D-Ward 4) issued a statement saying that the "
                       "ferry contract had been rushed through.")
    assert q["speaker"].tolist() == ["Councilwoman Irene Paxton"]
    q = extract_quotes("The harbor authority released a statement Friday questioning whether the audit was fair.")
    assert q["speaker"].tolist() == ["The harbor authority"]
    q = extract_quotes("In January, Senator Ruiz issued a report arguing that companies get away with crimes.")
    assert q["speaker"].tolist() == ["Senator Ruiz"]
    # a statement that is itself the subject still speaks
    q = extract_quotes("The statement said the pier would reopen in May.")
    assert q["speaker"].tolist() == ["The statement"]


def test_a_dashed_aside_between_subject_and_cue_is_skipped():
    q = extract_quotes("Council candidate Dana Whitfield - who once said she would sell the ferry line - said on "
                       "Saturday that the harbor should stay public.")
    said = q[q["text"] == "the harbor should stay public"]
    assert said["speaker"].tolist() == ["Council candidate Dana Whitfield"]
    q = extract_quotes("The governor — who had promised a veto — told reporters that he would sign the budget.")
    assert q["speaker"].tolist() == ["The governor"]


def test_a_participle_after_a_dash_belongs_to_the_sentence_subject():
    q = extract_quotes("The mayor has withheld her endorsement, meaning she will not campaign with him - "
                       "essentially conceding that the race is lost.")
    assert q.loc[q["cue"] == "conceding", "speaker"].tolist() == ["The mayor"]


def test_modals_time_phrases_and_adverbial_asides_stay_out_of_the_subject():
    cases = {
        "Organizers must say that the route is closed.": "Organizers",
        "Ruiz has since said he now believes the levy is fair.": "Ruiz",
        "The harbor board now says the dredging will wait.": "The harbor board",
        "Her closest allies have in the past said she was staying quiet on purpose.": "Her closest allies",
        "The union has in recent weeks warned that a strike is likely.": "The union",
        "The mayor, on Tuesday, said the pier would close.": "The mayor",
    }
    for text, speaker in cases.items():
        assert extract_quotes(text)["speaker"].tolist() == [speaker], text
    # an adverbial aside after a relative clause: the person before "who" speaks
    q = extract_quotes("Sandy Moreau, who lost her shop in the flood in Dayton, Ohio, in June 2019, said that "
                       "the levee plan had failed her family.")
    assert q["speaker"].tolist() == ["Sandy Moreau"]


def test_a_quote_after_a_mixed_clause_continues_its_speaker():
    q = extract_quotes("Commuters were angry on Monday. Lena Ortiz said the ferry was \"late every single day.\" "
                       "\"We deserve better than this.\"")
    assert q["type"].tolist() == ["mixed", "direct"]
    assert q["speaker"].tolist() == ["Lena Ortiz", "Lena Ortiz"]
    assert q["rule"].tolist() == ["indirect_leading", "continuation"]


def test_a_home_town_before_a_relative_clause_is_not_the_speaker():
    for text in ("Harry Bell, 30, of Raleigh, N.C., who was among those polled, said the race was close.",
                 "Mayor Jane Hill of Dayton, Ohio, who rides the ferry daily, said the fares were too high."):
        assert extract_quotes(text)["speaker"].str.startswith(("Harry Bell", "Mayor Jane Hill")).all(), text


def test_a_participle_belongs_to_the_main_clause_after_a_leading_adjunct():
    cases = {
        "While the mayor considered the unions her allies, she seems to have no problem cutting their pay, "
        "arguing that the city is broke.": "she",
        "In a letter to council members released Monday, Ruiz rips the harbor deal, arguing that the terms "
        "are unfair.": "Ruiz",
        "When her family moved back to Ohio, her mother refused to sell the farm, insisting that land was "
        "safer than cash.": "her mother",
    }
    for text, speaker in cases.items():
        assert extract_quotes(text)["speaker"].tolist() == [speaker], text
    # no adjunct: the first verb's subject, as before
    q = extract_quotes("The agency rejected the audit, saying that its books were in order.")
    assert q["speaker"].tolist() == ["The agency"]


def test_first_person_in_a_question_and_answer_interview_is_the_answer_label():
    text = ("Mayor Ines Calder spoke to Hugo Brandt about the flood.\n\n"
            "Q: What did the flood do to your town?\n\n"
            "A: We lost half the farms, and I believe the levee will fail again.")
    q = extract_quotes(text)
    believe = q[q["cue"] == "believe"]
    assert believe["speaker"].tolist() == ["I"] and believe["speaker_name"].tolist() == ["A"]


def test_a_clause_inside_an_according_to_clause_is_not_a_second_quote():
    q = extract_quotes("The ministry has told the court that the records were lost, according to a filing "
                       "released Thursday.")
    assert len(q) == 1
    assert q["cue"].tolist() == ["according to"] and q["text"].str.startswith("The ministry").all()


def test_a_weekday_at_the_end_of_a_mention_is_a_date_not_a_name():
    assert mention_info("a filing released Thursday", 0, 26)["name"] is None
    assert mention_info("Okafor earlier Thursday", 0, 23)["name"] == "Okafor"
    info = mention_info("The senator on Tuesday", 0, 22)
    assert info["name"] is None and info["kind"] == "nominal"


def test_a_quote_paragraph_after_reported_speech_continues_its_speaker():
    text = ("The harbor plan drew fire on Monday. Rather, Mayor Ines Calder said, the delays would only grow.\n\n"
            "“To my knowledge, nobody has even read the contract.”\n\n"
            "The council meets again in May.\n\n"
            "“It is a scandal.”")
    q = extract_quotes(text)
    direct = q[q["type"] == "direct"]
    first = direct.iloc[0]
    assert (first["speaker_name"], first["rule"]) == ("Ines Calder", "after_reported")
    # narration between the reported speech and the quote: no speaker guessed
    assert direct.iloc[1]["rule"] != "after_reported"


def test_a_double_hyphen_aside_is_skipped_like_a_dash():
    q = extract_quotes("A former candidate -- Tom Hale, who lost the 2012 race -- said the governor had offered "
                       "no changes to the budget.")
    assert q["speaker"].tolist() == ["A former candidate"]


def test_a_trailing_role_then_name_appositive_speaks():
    q = extract_quotes("''We looked at thousands of interviews,'' the company's chief executive, Lena Ortiz, told "
                       "a reporter in 2013. ''We found no pattern.''")
    assert q["speaker"].tolist() == ["Lena Ortiz"] and q["rule"].str.startswith("trailing").all()


def test_as_x_put_it_names_the_speaker_of_the_quote():
    q = extract_quotes("As Akhil Ramos, a professor of law at Yale, put it, “Senate Republicans should take the deal "
                       "while they can.”")
    assert (q["speaker"].tolist(), q["speaker_role"].tolist()) == (["Akhil Ramos"], ["a professor of law at Yale"])
    q = extract_quotes("As the mayor put it in her letter: “We are done waiting for the state.”")
    assert q["speaker"].tolist() == ["the mayor"]
    # a temporal "as" clause is not a source
    q = extract_quotes("As boos erupt from the crowd, the executive says, “Please quiet down.”")
    assert q["speaker"].tolist() == ["the executive"]


def test_a_participle_after_an_adverb_or_a_verb_phrase_takes_the_sentence_subject():
    q = extract_quotes("After the debate, the mayor's aides were also complimentary, perhaps recognizing that "
                       "imitation is a form of praise.")
    assert q["speaker"].tolist() == ["the mayor's aides"]
    q = extract_quotes("Ruiz kept up the pressure on radio, referencing a confirmed Daily Ledger report that six "
                       "inspectors had quit.")
    assert q.loc[q["text"] == "six inspectors had quit", "speaker"].tolist() == ["Ruiz"]


def test_a_quote_after_a_bare_cue_sentence_belongs_to_its_subject():
    text = ("The union will not take the case. “It is a loss for everyone,” one member said. "
            "The union plans to watch the trial closely, Ana Ruiz says. "
            "\"If the state can pick our words apart, free speech is in danger.\"")
    q = extract_quotes(text)
    last = q.iloc[-1]
    assert (last["speaker"], last["rule"]) == ("Ana Ruiz", "cue_sentence_before")
    # a sentence that reports something itself ("said that ...") is not a bare cue
    q = extract_quotes("Ana Ruiz spoke first. Tom Hale said that the vote was rigged. \"We will appeal at once.\"")
    assert q.iloc[-1]["rule"] != "cue_sentence_before"


def test_a_pull_quote_signed_on_its_last_line_belongs_to_the_signer():
    text = ("Economists are worried.\n\n\"We will enter the next recession without a consensus on stimulus.\n"
            "Ana Ruiz, Harbor Policy Institute.\"\n\nOthers disagree.")
    q = extract_quotes(text)
    assert (q["speaker"].tolist(), q["rule"].tolist()) == (["Ana Ruiz"], ["signature_line"])
    # a hard-wrapped line that merely starts with a name is not a signature
    q = extract_quotes("\"I will pay my call on\nSignor Carella, as you suggested, and see how things stand.\"")
    assert q["rule"].tolist() != ["signature_line"]


def test_a_quote_fragment_takes_the_cue_closing_its_sentence():
    text = ("The pollster, Tom Hale, is upbeat. \"I don't think the conventional wisdom\" -- that the mayor is a "
            "nanny-state liberal -- \"is going to last,\" he says.")
    q = extract_quotes(text)
    assert q["speaker"].tolist() == ["he", "he"] and q["speaker_name"].tolist() == ["Tom Hale", "Tom Hale"]
    assert q["rule"].tolist() == ["same_sentence", "trailing"]


def test_a_participle_does_not_borrow_an_object_after_a_mid_sentence_cue():
    q = extract_quotes("Ruiz blasted Hale for backing a bill that would have granted a pathway to citizenship for "
                       "migrants, telling radio host Ann Lee that Hale had lied.")
    assert q.loc[q["cue"] == "telling", "speaker"].tolist() == ["Ruiz"]


def test_a_dash_then_name_then_colon_introduces_a_quote_that_ends_its_sentence():
    q = extract_quotes("Turnout matters. The demographic mix has been important for both parties - Philip Burke: "
                       "“Two weeks ago the race looked different.” [538]\n\nNext item.")
    assert (q["speaker"].tolist(), q["rule"].tolist()) == (["Philip Burke"], ["colon"])


def test_a_trailing_speaker_with_a_long_or_unclosed_aside():
    q = extract_quotes("''It has the virtue of being fiscally responsible,'' Leonard Burman, director of the centrist "
                       "Harbor Tax Policy Center and a professor at the Maxwell School of Syracuse University, said of "
                       "the plan.")
    assert q["speaker"].tolist() == ["Leonard Burman"]
    q = extract_quotes("“Clinton needs a strategy for the race,” Nate Silva, the polling guru who founded the site "
                       "tweeted on Wednesday.")
    assert q["speaker"].tolist() == ["Nate Silva"]
    # a closed relative clause still works as before
    q = extract_quotes("“We will win,” Ted Cruz, who has said the tax is wrong, said on Monday.")
    assert q.loc[q["type"] == "direct", "speaker"].tolist() == ["Ted Cruz"]


def test_a_quote_paragraph_after_a_paragraph_ending_in_a_bare_cue():
    text = ("What the plan means is left to voters, since Ruiz spoke only in vague terms during the interview.\n\n"
            "“We have to do something and it is the only way to stop it.”\n\n“We have to be a lot tougher.”")
    q = extract_quotes(text)
    assert q["speaker"].tolist() == ["Ruiz", "Ruiz"]
    assert q["rule"].tolist() == ["cue_sentence_before", "continuation"]


def test_a_capitalized_pronoun_after_a_mid_sentence_quote_starts_a_new_sentence():
    q = extract_quotes("Ruiz emailed her condolences, telling her, “you are an all-star player and we need you!” "
                       "She replied to him that it was an honor to serve.")
    direct = q[q["type"] == "direct"]
    assert direct["speaker"].tolist() == ["Ruiz"] and direct["rule"].tolist() == ["leading_participle"]


def test_a_leading_participle_skips_a_sentence_initial_prepositional_adjunct():
    q = extract_quotes("In June 2009, after Clinton suffered a concussion, Ruiz emailed her condolences, telling her, "
                       "“you are an all-star player and we need you!”")
    assert q["speaker"].tolist() == ["Ruiz"]


def test_name_colon_labels_inside_a_paragraph_each_speak_their_quote():
    q = extract_quotes("Both reject the term. Ruiz: \"Our goal is not to contain the flood, but to stop it.\" "
                       "Hale: \"The mission is to stop the flood -- not to contain it.\"")
    assert q["speaker"].tolist() == ["Ruiz", "Hale"] and q["rule"].tolist() == ["colon", "colon"]


def test_a_share_of_poll_respondents_is_reported_by_the_poll():
    q = extract_quotes("In a poll conducted by the Ledger and KXTV News, just 28 percent of voters said they had a "
                       "positive view of the mayor.")
    assert q["speaker"].tolist() == ["a poll conducted by the Ledger and KXTV News"]
    q = extract_quotes("The survey has bad news for Ruiz — 25 percent of likely voters say they would never back him.")
    assert q["speaker"].tolist() == ["The survey"]
    # no poll in the sentence: the respondents themselves
    q = extract_quotes("Just 28 percent of voters said they had a positive view of the mayor.")
    assert q["speaker"].tolist() == ["voters"]


def test_headline_words_after_a_name_are_not_part_of_it():
    from toolkit.speakers import ArticleSpeakers
    text = ("Mayor Ines Calder Attacks Ferry Deal.\n\nThe mayor attacks the deal and calls it a ferry to nowhere. "
            "“It is a scandal,” Calder said.")
    article = ArticleSpeakers(text)
    assert "Ines Calder" in article.entities
    assert not any(name.endswith(("Attacks", "Ferry", "Deal")) for name in article.entities)


def test_a_source_closing_a_reported_clause_speaks_the_whole_sentence():
    q = extract_quotes("He also thought that he alone was trusted on the case, officials said.")
    assert (q["speaker"].tolist(), q["rule"].tolist()) == (["officials"], ["indirect_trailing"])
    assert q["text"].tolist() == ["He also thought that he alone was trusted on the case"]
    # a clause that merely contains a name and "said that ..." keeps its own cue
    q = extract_quotes("In his book, Mr. McKinley said that he considered debt a last resort.")
    assert q["speaker"].tolist() == ["Mr. McKinley"]


def test_a_relative_pronoun_after_a_quote_is_not_its_speaker():
    q = extract_quotes("At one point the crowd loudly reprised the chant “Lock her up! Lock her up!” that ricocheted "
                       "through the arena all week.")
    assert "that" not in q["speaker"].tolist()


def test_a_trailing_speaker_whose_appositive_holds_a_quoted_name():
    q = extract_quotes("“We’ve had more successful conventions than this one,” Texas delegate Bill Eastman, wearing a "
                       "cowboy hat and “Ted Cruz” campaign pins, said matter-of-factly.")
    assert (q["speaker"].tolist(), q["rule"].tolist()) == (["Texas delegate Bill Eastman"], ["trailing"])
    assert len(q.iloc[0]["fragments"]) == 1      # the quoted name is not a second piece of the quote


def test_a_written_text_that_reads_before_its_quotation_speaks_it():
    q = extract_quotes("The flyer shows a photo of the senator.\n\nAt the bottom it reads, “P.S. You can support the "
                       "cause by chipping in $35 after you enter.”")
    direct = q[q["type"] == "direct"]
    assert (direct["speaker"].tolist(), direct["cue"].tolist()) == (["it"], ["reads"])


def test_a_noun_form_of_a_cue_after_a_determiner_is_part_of_the_trailing_speaker():
    q = extract_quotes("The agency \"is particularly feeble, often failing to use its full powers,\" the report said.")
    assert (q["speaker"].tolist(), q["rule"].tolist()) == (["the report"], ["trailing"])


def test_a_gerund_after_by_shares_the_subject_of_its_clause():
    q = extract_quotes("Ruiz picked up from his daughter by saying he is ready to go to work for the city.")
    assert q["speaker"].tolist() == ["Ruiz"]
    q = extract_quotes("The mayor ended the meeting without saying whether the pier would reopen.")
    assert q["speaker"].tolist() == ["The mayor"]


def test_a_sentence_word_before_a_company_name_is_not_part_of_it():
    text = ("Since Harbourline Ltd. lost the ferry contract, its crews have waited for news. "
            "The company said on Monday that it would rehire them in May.")
    quotes = extract_quotes(text)
    assert quotes["speaker_name"].tolist() == ["Harbourline Ltd."]
    # across articles, the bare name then joins the company
    two = pd.DataFrame({"doc_id": ["a", "b"], "text": [text, "Harbourline said the ferries would sail again."]})
    assert extract_quotes(two)["speaker_id"].nunique() == 1


def test_the_noun_before_a_participle_is_the_subject_not_the_object_phrase():
    quotes = extract_quotes("Inspectors examining the hull of the Harbour Queen believe the crack is old.")
    assert quotes["speaker"].tolist() == ["Inspectors"]
    quotes = extract_quotes("Engineers reviewing the plans for the new pier said the piles were too short.")
    assert quotes["speaker"].tolist() == ["Engineers"]
    # an -ing adjective is not a participle: "the rolling average of polls shows ..."
    quotes = extract_quotes("The Courier’s rolling average of polls shows Okafor ahead by four points.")
    assert quotes["speaker"].tolist() == ["polls"]


def test_speaker_ids_can_wait_for_one_pass_over_tables_put_together():
    first = pd.DataFrame({"doc_id": ["a"], "text": ["“We will rebuild the pier,” Mayor Ines Okafor said on Monday."]})
    second = pd.DataFrame({"doc_id": ["b"], "text": ["“Not this year,” Okafor said of the pier."]})
    from toolkit.quotes import extract_quotes

    parts = [extract_quotes(part, speaker_ids=False) for part in (first, second)]
    assert all(part["speaker_id"].isna().all() for part in parts)
    together = resolve_speakers(pd.concat(parts, ignore_index=True))
    # the surname alone in the second article joins the full name of the first
    assert together["speaker_id"].tolist() == ["ines-okafor", "ines-okafor"]
    whole = extract_quotes(pd.concat([first, second], ignore_index=True))
    assert together["speaker_id"].tolist() == whole["speaker_id"].tolist()
