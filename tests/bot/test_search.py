from bot.search import BM25Index


def test_rarer_terms_weigh_more() -> None:
    index = BM25Index(["support phone", "support chat", "support ticket", "billing"])
    hits = index.search("support phone")
    assert hits[0].doc == 0
    assert hits[0].coverage == 1.0
    assert 0 < hits[1].coverage < 0.5  # matched only the common word


def test_unknown_words_lower_coverage() -> None:
    index = BM25Index(["phone numbers", "ticket"])
    (hit,) = index.search("phone zzzz")
    assert hit.doc == 0
    assert hit.coverage < 0.6


def test_empty_and_stop_word_queries_find_nothing() -> None:
    index = BM25Index(["phone numbers"])
    assert index.search("") == []
    assert index.search("what is the") == []


def test_a_typo_reads_as_the_corpus_word_one_edit_away() -> None:
    index = BM25Index(["submit a ticket", "phone numbers", "способы поддержки"])
    assert index.search("tiket")[0].doc == 0          # letter missing
    assert index.search("ticcket")[0].doc == 0        # letter extra
    assert index.search("phnoe")[0].doc == 1          # neighbours swapped
    assert index.search("спосбы")[0].doc == 2         # Russian too
    assert index.search("tiket")[0].coverage == 1.0


def test_short_words_numbers_and_far_words_are_not_corrected() -> None:
    index = BM25Index(["pro plan", "p1 urgent", "ticket"])
    assert index.correct("pri") == "pri"
    assert index.correct("p2") == "p2"
    assert index.correct("2040") == "2040"
    assert index.correct("tkcet") == "tkcet"          # two edits away
