"""The personal-details detector on texts written for these tests (the labelled set is scored
in test_evaluation.py): what it must find, and the look-alikes it must leave alone."""

from __future__ import annotations

import pytest

from forum.privacy.detector import find_personal_details
from forum.privacy.masking import markdown_safe, mask, notice, summary


def found(text: str) -> list[tuple[str, str]]:
    return [(d.kind, d.text) for d in find_personal_details(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to ana.lopez+clinic@correo.example.es", "ana.lopez+clinic@correo.example.es"),
        ("mail me: jane(at)yahoo.com thanks", "jane(at)yahoo.com"),
        ("it's john dot smith at gmail dot com", "john dot smith at gmail dot com"),
        ("reach me on p.okafor AT outlook DOT com", "p.okafor AT outlook DOT com"),
        ("ruth [at] btinternet [dot] com", "ruth [at] btinternet [dot] com"),
    ],
)
def test_it_finds_email_addresses_also_written_out(text, expected):
    assert ("email", expected) in found(text)


def test_a_web_site_after_at_is_not_an_email_address():
    assert found("I looked at nhs.uk and it said rest") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring me on 07700 900 982 tonight", "07700 900 982"),
        ("call +1 (212) 555-0133 please", "+1 (212) 555-0133"),
        ("my mobile is +91 98765 43210", "+91 98765 43210"),
        ("tel 0033 6 12 34 56 78", "0033 6 12 34 56 78"),
        ("text 0412-555-019 any time", "0412-555-019"),
        ("number is o7911 l23456".replace("l", "1"), "o7911 123456"),
        ("Nigeria: 0803 555 0142", "0803 555 0142"),
    ],
)
def test_it_finds_phone_numbers_in_many_formats(text, expected):
    assert ("phone", expected) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I called 999 then 111 and in Spain you dial 112, in the US 911, in Australia 000",
        "NHS 111 told me to go to A&E",
        "BP 145/95 this morning and 120/80 last night",
        "platelets 150000 then 98000, ferritin 12, Hb 105 g/L",
        "took 1000 mg paracetamol at 10:30 and 500mg at 14:00",
        "diagnosed 2019-03-14, relapse 2021-2023, seen on 01/02/2024",
        "ICD-10 code E11.9 and I10 on my notes, referral ref 2024/0456/7812",
        "my NHS number is 943 476 5919 if that helps",
        "LOT 2X45B7 and product code B0CX12345 on the box",
        "I walk 10000 steps and my HR is 58 bpm, eGFR 58 mL/min",
        "on 40 units of Lantus, cholesterol 7.1, LDL 4.9, weight 68.5kg",
    ],
)
def test_emergency_numbers_doses_lab_values_dates_and_codes_are_not_phones(text):
    assert [k for k, _ in found(text) if k == "phone"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send it to 22 Baker Street, London NW1 6XE please", "22 Baker Street, London NW1 6XE"),
        ("we live at 350 Fifth Avenue, New York, NY 10118", "350 Fifth Avenue, New York, NY 10118"),
        ("Flat 2, 10 Station Road, Leeds", "Flat 2, 10 Station Road, Leeds"),
        ("my flat: 4/12 Smith St, Fitzroy VIC 3065", "4/12 Smith St, Fitzroy VIC 3065"),
        ("Hauptstraße 5, 10115 Berlin ist meine Adresse", "Hauptstraße 5, 10115 Berlin"),
        ("12 rue de la Paix, 75002 Paris", "12 rue de la Paix, 75002 Paris"),
        (
            "Flat No. 302, Sector 21, Noida, Uttar Pradesh 201301",
            "Flat No. 302, Sector 21, Noida, Uttar Pradesh 201301",
        ),
        ("come to 7 Kingsway, Cardiff CF10 3AT now", "7 Kingsway, Cardiff CF10 3AT"),
    ],
)
def test_it_finds_street_addresses_of_several_countries(text, expected):
    assert found(text) == [("address", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "I walked 20 miles from the hospital and took 2 Paracetamol Tablets",
        "my pain is 7 out of 10 on the right side",
        "St Thomas' Hospital said my scan on 12 March was clear",
    ],
)
def test_numbers_before_capitalised_words_are_not_addresses(text):
    assert [k for k, _ in found(text) if k == "address"] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("My name is Lucía Fernández and I have asthma", ["Lucía Fernández"]),
        ("my name's dave, 44, gout again", ["dave"]),
        ("I'm Oluwaseun and my BP is high", ["Oluwaseun"]),
        ("my wife Ingrid has had a cough for weeks", ["Ingrid"]),
        ("my little boy Tobi (3) has a rash", ["Tobi"]),
        ("Dr. Nwosu and Mr Achterberg disagree", ["Nwosu", "Achterberg"]),
        ("Grandpa Joe keeps falling over", ["Joe"]),
        ("Will is my son and he will not eat", ["Will"]),
        ("Pete here, 58, knee pain", ["Pete"]),
        ("thanks for reading. Kind regards, Olusegun Bello", ["Olusegun Bello"]),
        ("any advice welcome – Dev", ["Dev"]),
        ("follow my journey @sarah_runs_again", ["sarah_runs_again"]),
        ("Ngozi and I are trying for a baby", ["Ngozi"]),
    ],
)
def test_it_finds_the_names_people_typed(text, names):
    assert [t for k, t in found(text) if k == "name"] == names


@pytest.mark.parametrize(
    "text",
    [
        "I will ask my GP. I hope it is nothing, it left a mark on my skin",
        "Parkinson's runs in the family, and my aunt has Crohn's and Hashimoto's",
        "Bell's palsy last year, then Guillain-Barré syndrome, now Ménière's disease",
        "Is Addison's disease linked to Graves' disease?",
        "Got referred to Mayo Clinic and Johns Hopkins Hospital",
        "Is Lyrica the same as pregabalin? I take Keppra and Ozempic too",
        "my husband has a cough and my daughter has a fever; my mum says rest",
        "Grace period on my prescription ran out. Frank question: is it safe?",
        "Seen in May, again in June and August",
        "Calf Twitching For A Month After Running With Grace",
        "The ECG and MRI were normal according to the NHS",
    ],
)
def test_drugs_eponyms_clinics_ordinary_words_and_relatives_are_not_names(text):
    assert [t for k, t in found(text) if k == "name"] == []


def test_a_name_found_once_is_found_where_it_is_repeated_but_not_its_ordinary_word():
    text = "my partner Kofi has flu. kofi's temperature is 39. Will (my son) will be fine"
    assert [t for k, t in found(text) if k == "name"] == ["Kofi", "kofi", "Will"]


def test_overlapping_findings_keep_the_more_specific_kind():
    assert found("I'm Priya: priya.shah@example.com") == [
        ("name", "Priya"),
        ("email", "priya.shah@example.com"),
    ]


def test_masking_replaces_each_detail_with_its_placeholder_and_says_what_was_hidden():
    masked = mask("I'm Tariq, call 07700 900 123 or tariq.b@example.com")
    assert masked.text == "I'm [name], call [phone number] or [e-mail address]"
    kinds = [d.kind for d in masked.details]
    assert summary(kinds) == "an e-mail address, a phone number and a name"
    assert notice(kinds) == (
        "Before your question is public we will hide: an e-mail address, a phone number and a name."
    )
    assert notice([]) == ""
    assert summary(["name", "name"]) == "2 names"


def test_a_text_without_personal_details_is_left_as_it_is():
    text = "My calf has been twitching for three weeks, mostly at night."
    assert mask(text).text == text
    assert mask("").details == ()


def test_placeholders_stay_text_in_markdown():
    assert markdown_safe("[name](x) and [name]: y") == "\\[name\\](x) and \\[name\\]: y"
