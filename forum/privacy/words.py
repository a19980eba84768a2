"""Word lists the name and address rules read: given names, ordinary words that can be names,
the English dictionary (symspellpy's frequency list, already a dependency of triage) and the
small closed classes (function words, months, titles, relatives, eponyms) written here."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

# A word seen at least this often in the frequency list reads as an ordinary English word.
COMMON_WORD_MIN_COUNT = 400_000


def _name_file(filename: str) -> frozenset[str]:
    text = resources.files("forum.privacy").joinpath(filename).read_text(encoding="utf-8")
    return frozenset(
        word
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
        for word in line.split()
    )


@lru_cache(maxsize=1)
def ordinary_names() -> frozenset[str]:
    """Names that are ordinary words too: "will", "hope", "grace", "mark" …"""
    return _name_file("ordinary_names.txt")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Common given names of many countries, lower case, without the ordinary-word ones."""
    return _name_file("given_names.txt") - ordinary_names()


@lru_cache(maxsize=1)
def english_counts() -> dict[str, int]:
    listing = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    counts: dict[str, int] = {}
    for line in listing.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        if count.isdigit():
            counts[word] = int(count)
    return counts


def is_common_word(word: str) -> bool:
    """An ordinary English word (a name that is one, such as "sarah", counts too)."""
    return english_counts().get(word.lower(), 0) >= COMMON_WORD_MIN_COUNT


def is_known_word(word: str) -> bool:
    """In the English dictionary at all."""
    return word.lower() in english_counts()


FUNCTION_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves im ive id ill
    its dont doesnt didnt cant wont isnt yes ok okay hi hello hey dear thanks thank please pls
    plz sorry sir madam google anyone someone everyone nobody anybody somebody thing things since
    still even ever never always sometimes already though although however anyway also yet maybe
    """.split()
)

MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
    sat sun christmas easter
    """.split()
)

# Titles before a surname: "Dr Patel", "Mr. Parkinson", "Prof Okafor".
TITLES = frozenset(
    """
    dr dr. doctor mr mr. mrs mrs. ms ms. miss mx prof prof. professor sister nurse matron
    """.split()
)

# "my husband Raj", "my mum Grace Okafor", "my physio Jess".
RELATIVES = frozenset(
    """
    husband wife partner spouse hubby fiance fiancé fiancee fiancée boyfriend girlfriend bf gf
    son daughter child kid kids baby babies boy girl twin twins toddler stepson stepdaughter
    mum mom mam mummy mommy mother dad daddy father stepmum stepmom stepdad stepfather
    stepmother parent parents brother sister bro sis sibling grandson granddaughter grandchild
    nan nana nanna gran granny grandma grandmother grandpa grandad granddad grandfather
    grandparent uncle aunt auntie aunty cousin niece nephew mother-in-law father-in-law
    sister-in-law brother-in-law son-in-law daughter-in-law friend mate pal bestie flatmate
    housemate roommate neighbour neighbor colleague boss carer caregiver physio physiotherapist
    gp doctor consultant surgeon neurologist cardiologist oncologist dermatologist
    rheumatologist psychiatrist psychologist therapist counsellor counselor nurse midwife
    dentist optician pharmacist paediatrician pediatrician gynae gynaecologist gynecologist
    endo endocrinologist urologist specialist worker koro kuia
    """.split()
)

# Capitalised relatives used as a title: "Grandma Beata", "Uncle Abdul".
RELATIVE_TITLES = frozenset(
    """
    grandma grandpa granny gran nan nana nanna grandad granddad grandmother grandfather uncle
    aunt auntie aunty cousin
    """.split()
)

# The people in eponymous diseases, signs and tests: "Parkinson's", "Bell's palsy".
EPONYMS = frozenset(
    """
    addison alzheimer apgar asperger baker barrett behcet behçet bell bright charcot conn crohn
    cushing down dupuytren ehlers epley fabry gaucher gehrig gilbert graves guillain hashimoto
    hirschsprung hodgkin huntington kaposi kawasaki klinefelter korsakoff lewy lou lyme marfan
    meniere ménière morton osgood paget parkinson perthes peyronie raynaud reiter rett sjogren
    sjögren somogyi still tay tourette turner wernicke whipple wilson wilms bartholin colles
    heberden bouchard tietze kegel valsalva heimlich cheyne stokes munchausen hashimoto graves
    """.split()
)

# Words after a name that make it a disease, a test or an institution instead.
DISEASE_WORDS = frozenset(
    """
    disease diseases syndrome palsy lymphoma sarcoma oesophagus esophagus phenomenon sign test
    manoeuvre maneuver cyst cysts neuroma tumour tumor ulcer ulcers contracture disorder
    fracture effect reflex nodes node thyroiditis ataxia chorea dementia arthritis day anatomy
    """.split()
)

ORG_WORDS = frozenset(
    """
    clinic clinics hospital hospitals infirmary institute university college centre center
    health trust foundation surgery practice pharmacy medical healthcare nhs ward wing unit
    school street road avenue lane house hall church
    """.split()
)

# Prepositions after which a name-like capitalised word is a place: "in Florence", "near Austin".
PLACE_PREPOSITIONS = frozenset("in at near around from visiting outside inside".split())
