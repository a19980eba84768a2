"""Search of the public Q&As: through the full-text index only, whole (stemmed) words, ranked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import listing, selectors
from forum.models import Question, Status
from forum.similarity import lexical
from tests.factories import api_client, make_question


def _qa(title: str, body: str, **fields: object) -> Question:
    """A public Q&A, indexed as the worker does once it is answered."""
    return make_question(status=Status.ANSWERED, title=title, body=body, index=True, **fields)


def _found(query: str, **kwargs: object) -> list[int]:
    page = selectors.public_question_page(per_page=50, query=query, **kwargs)
    return [q.pk for q in page.questions]


@pytest.mark.django_db
def test_it_finds_every_form_of_a_word_and_needs_every_word():
    calves = _qa("Calves twitching at night", "My calf muscles twitch when I lie down to sleep.")
    eyelid = _qa("Eyelid twitches after coffee", "My left eyelid has been jumping for a week.")
    _qa("Itchy rash on my forearm", "A red rash appeared after gardening on Sunday.")
    assert set(_found("twitched")) == {calves.pk, eyelid.pk}
    assert _found("calf twitching") == [calves.pk]
    assert _found("TWITCHES Eyelids") == [eyelid.pk]
    assert _found("calf rash") == []


@pytest.mark.django_db
def test_a_word_never_matches_inside_another():
    als = _qa("Worried about ALS", "I read that muscle twitching can be a sign of ALS.")
    _qa("Headache and also dizziness", "I also feel dizzy when I stand up quickly.")
    _qa("Pain in my arm at night", "A dull ache in the upper arm since I started lifting.")
    _qa("Alarm clock and a harmless warm rash", "Warm skin around a harmless spot on my leg.")
    assert _found("ALS") == [als.pk]
    assert _found("als") == [als.pk]
    assert len(_found("arm")) == 1
    assert _found("war") == []


@pytest.mark.django_db
def test_the_last_word_is_also_the_start_of_a_longer_one_while_no_question_uses_it():
    numb = _qa("Numbness in my toes", "My toes have felt numb and tingly since the cold snap.")
    _qa("Tingling fingers after typing", "Pins and needles in two fingers every afternoon.")
    assert _found("toes numbn") == [numb.pk]
    assert _found("tingl") != []
    # A word some question uses is looked up as it is: "toe" is not the start of "toes".
    assert _found("numb") == [numb.pk]
    # Only the last word, and not a short one: "ti" or "numbn toes" find nothing.
    assert _found("ti") == []
    assert _found("numbn toes") == []


@pytest.mark.django_db
def test_the_title_ranks_above_a_mention_in_the_text():
    mention = _qa(
        "Sore knee after running",
        "The knee hurts going downstairs and I also get a headache in the evening.",
    )
    titled = _qa("Headache every evening", "Most evenings a dull ache behind the eyes.")
    assert _found("headache") == [titled.pk, mention.pk]


@pytest.mark.django_db
def test_it_reads_only_the_full_text_index_never_the_question_text():
    """What is searched is what the index holds (the text made public), not the rows."""
    question = _qa("Cough for three weeks", "A dry cough since a cold; call me on 0777 123456.")
    # The index holds the public text as it was written to it: here without the number.
    lexical.upsert([(question.pk, question.title, "A dry cough since a cold.")])
    assert _found("cough") == [question.pk]
    assert _found("0777") == []
    assert _found("123456") == []
    # A public question the index does not hold (its indexing has not run yet) is not found.
    make_question(status=Status.ANSWERED, title="Cough with green phlegm", body="Since Monday.")
    assert _found("cough") == [question.pk]
    with CaptureQueriesContext(connection) as ctx:
        _found("cough phlegm")
    assert not [q for q in ctx.captured_queries if "LIKE" in q["sql"].upper()]


@pytest.mark.django_db
def test_it_never_shows_a_question_no_longer_public_whatever_the_index_holds(alice):
    public = _qa("Ringing in my ears", "A high ringing in both ears after a concert.")
    private = _qa("Ringing in one ear", "Ringing in the left ear for a week.", is_private=False)
    hidden = _qa("Ringing ears and dizziness", "Ringing with spinning dizziness.")
    # Made private and hidden behind the services' back: the index still holds both.
    Question.objects.filter(pk=private.pk).update(is_private=True)
    Question.objects.filter(pk=hidden.pk).update(is_hidden=True, hidden_reason="spam")
    page = selectors.public_question_page(per_page=20, query="ringing")
    assert [q.pk for q in page.questions] == [public.pk]
    assert page.count == 1
    for user in (None, alice):
        data = api_client(user).get(reverse("api:question-list"), {"q": "ringing"}).json()
        assert [q["id"] for q in data["results"]] == [public.pk]


@pytest.mark.django_db
def test_a_specialty_narrows_the_search():
    neuro = _qa("Twitching eyelid for a month", "It flickers every evening.")
    skin = _qa("Twitching skin on my arm", "A patch of skin twitches.", specialty="dermatology")
    assert _found("twitching", specialty="dermatology") == [skin.pk]
    assert _found("twitching", specialty="neurology") == [neuro.pk]
    assert _found("twitching", specialty="no-such-specialty") == []


ODD = [
    "\x00",
    "pain\x00",
    "calf\x00twitching",
    '"',
    '"calf',
    "calf*",
    "*",
    "^calf",
    "calf:*",
    "calf & | !",
    "(calf",
    "calf OR twitching",
    "NEAR(calf twitching)",
    "calf AND NOT twitching",
    "col:calf",
    "title:calf",
    "'",
    "don't",
    "\\",
    "%",
    "_",
    "ﬁnger",
    "Ünïcödé",
    "😀",
    "\u202e",
    "  ",
    "a",
    "the and of",
    "x" * 500,
    "1",
    "2024",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ODD)
def test_odd_characters_in_a_search_give_results_or_nothing_never_an_error(client, query):
    _qa("Calf twitching at night", "My calf twitches when I lie down; no pain.")
    response = client.get(reverse("forum:question-list"), {"q": query})
    assert response.status_code == 200
    response = api_client().get(reverse("api:question-list"), {"q": query})
    assert response.status_code in (200, 400)


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_in_a_search_are_no_error(client):
    _qa("Calf twitching at night", "My calf twitches when I lie down; no pain.")
    assert client.get(reverse("forum:question-list") + "?q=%ff%fe%00calf").status_code == 200
    response = api_client().get(reverse("api:question-list") + "?q=%ed%a0%80calf")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_nul_byte_finds_nothing(client):
    _qa("Pain behind my knee", "A dull pain behind the knee when I walk.")
    refused = api_client().get(reverse("api:question-list"), {"q": "\x00"})
    assert refused.status_code == 400 and "q" in refused.json()  # the schema forbids it
    response = client.get(reverse("forum:question-list"), {"q": "\x00"})
    assert response.context["page"].questions == []
    assert "Search with a few words" in response.content.decode()


def test_search_words_keep_letters_and_digits_only():
    assert listing.search_words("Calf-twitching; B12?") == (["calf", "twitching", "b12"], False)
    assert listing.search_words("the twitc") == (["twitc"], True)
    assert listing.search_words("what is ALS") == (["als"], False)
    assert listing.search_words('"\x00*:&|!()') == ([], False)
    assert listing.search_words("Müdigkeit") == (["mudigkeit"], True)
    assert len(listing.search_words(" ".join(f"word{n}" for n in range(20)))[0]) == 8


@pytest.mark.django_db
def test_results_are_ranked_among_the_newest_matches_and_counted_up_to_them(monkeypatch):
    monkeypatch.setattr(listing, "SEARCH_POOL", 3)
    made = [_qa(f"Backache number {n}", "My lower back aches after work.").pk for n in range(5)]
    page = selectors.public_question_page(per_page=2, query="backache")
    assert (page.count, page.count_exact) == (3, False)
    assert {q.pk for q in page.questions} <= set(made[-3:])
    second = selectors.public_question_page(per_page=2, query="backache", page=2)
    assert len(second.questions) == 1 and second.older is None
    assert {q.pk for q in page.questions + second.questions} == set(made[-3:])


@pytest.mark.django_db
def test_search_pages_link_by_number(client, settings):
    settings.QUESTIONS_PER_PAGE = 2
    for n in range(5):
        _qa(f"Sore throat day {n}", "A sore throat and a mild fever.")
    first = client.get(reverse("forum:question-list"), {"q": "throat"})
    assert first.context["older_url"] == "?q=throat&page=2"
    assert "5 questions match, the most relevant first." in first.content.decode()
    third = client.get(reverse("forum:question-list"), {"q": "throat", "page": "3"})
    assert len(third.context["page"].questions) == 1
    assert third.context["newer_url"] == "?q=throat&page=2"
    data = api_client().get(reverse("api:question-list"), {"q": "throat", "page_size": 2}).json()
    assert data["next"].endswith("?q=throat&page_size=2&page=2")


@pytest.mark.django_db
def test_a_search_makes_the_same_number_of_queries_for_1_and_30_matches(client):
    _qa("Knee pain climbing stairs", "My knee hurts on the stairs.")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("forum:question-list"), {"q": "knee"}).status_code == 200
        return len(ctx)

    count()  # the words' document counts are cached per process from here
    one = count()
    for n in range(29):
        _qa(f"Knee swelling {n}", "A swollen knee after football.")
    assert count() == one
