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
