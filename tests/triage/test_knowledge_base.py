from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage import assess, knowledge_base
from triage.kb import KB_DIR, KnowledgeBaseError, load_knowledge_base


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(KB_DIR, target)
    return target


def _append_flag(kb_dir: Path, body: str) -> None:
    path = kb_dir / "flags" / "zz_test.yaml"
    path.write_text("flags:\n" + body, encoding="utf-8")


def test_the_shipped_knowledge_base_loads_with_a_version() -> None:
    kb = knowledge_base()
    assert kb.version
    assert len(kb.complaints) >= 40


def test_every_entry_names_a_declared_source() -> None:
    kb = knowledge_base()
    entries = list(kb.flags) + list(kb.complaints) + list(kb.causes.values())
    assert all(e.source in kb.sources for e in entries)


def test_the_seed_domain_is_covered() -> None:
    kb = knowledge_base()
    causes = set(kb.causes)
    assert {
        "stress_anxiety",
        "exercise_exertion",
        "fatigue_sleep_deprivation",
        "caffeine_stimulants",
        "alcohol",
        "dehydration",
        "magnesium_deficiency",
        "electrolyte_imbalance",
        "poor_diet",
        "med_corticosteroids",
        "med_diuretics",
        "med_estrogens",
        "med_fluoroquinolones",
        "med_levodopa",
        "chemotherapy_radiation",
        "als",
        "muscular_dystrophy",
        "fibromyalgia",
        "multiple_sclerosis",
        "benign_fasciculation_syndrome",
        "isaac_syndrome",
        "dystonia",
        "nerve_compression",
        "peripheral_neuropathy",
        "restless_legs_syndrome",
        "sleep_apnea",
        "lupus",
        "myasthenia_gravis",
        "spinal_cord_injury",
    } <= causes
    assert {
        "weakness",
        "progressive_weakness",
        "numbness_tingling",
        "muscle_wasting",
        "difficulty_speaking",
        "difficulty_swallowing",
        "balance_coordination",
        "persistent_twitching",
        "widespread_twitching",
        "twitching_with_pain",
    } <= kb.flag_codes


def test_it_rejects_an_unknown_specialty(kb_copy: Path) -> None:
    _append_flag(
        kb_copy,
        "  - {code: x, label: X, urgency: soon, specialty: dentistry, "
        "source: nhs-111, any: [toothache]}\n",
    )
    with pytest.raises(KnowledgeBaseError, match="unknown specialty 'dentistry'"):
        load_knowledge_base(kb_copy)


def test_it_rejects_a_bad_urgency(kb_copy: Path) -> None:
    _append_flag(kb_copy, "  - {code: x, label: X, urgency: asap, source: nhs-111, any: [a b]}\n")
    with pytest.raises(KnowledgeBaseError, match="bad urgency 'asap'"):
        load_knowledge_base(kb_copy)


def test_it_rejects_a_duplicate_flag_code(kb_copy: Path) -> None:
    _append_flag(
        kb_copy, "  - {code: seizure, label: X, urgency: soon, source: nhs-111, any: [a b]}\n"
    )
    with pytest.raises(KnowledgeBaseError, match="duplicate flag code"):
        load_knowledge_base(kb_copy)


def test_it_rejects_an_unknown_source(kb_copy: Path) -> None:
    _append_flag(kb_copy, "  - {code: x, label: X, urgency: soon, source: a-blog, any: [a b]}\n")
    with pytest.raises(KnowledgeBaseError, match="unknown source"):
        load_knowledge_base(kb_copy)


def test_it_rejects_a_reference_to_a_missing_concept(kb_copy: Path) -> None:
    _append_flag(
        kb_copy, "  - {code: x, label: X, urgency: soon, source: nhs-111, all: [['@nope']]}\n"
    )
    with pytest.raises(KnowledgeBaseError, match="unknown concept @nope"):
        load_knowledge_base(kb_copy)


def test_it_rejects_a_misspelt_key(kb_copy: Path) -> None:
    _append_flag(kb_copy, "  - {code: x, label: X, urgncy: soon, source: nhs-111, any: [a b]}\n")
    with pytest.raises(KnowledgeBaseError, match=r"zz_test\.yaml"):
        load_knowledge_base(kb_copy)


def test_every_concept_is_used_by_a_rule() -> None:
    kb = knowledge_base()
    complaints = {c.code for c in kb.complaints}
    referenced = {label for rule in kb.flags for alt in rule.alternatives for label in alt}
    referenced |= {label for rule in kb.flags for alt in rule.duration_free for label in alt}
    referenced |= {label for labels in kb.overrides.values() for label in labels}
    # a piece of a composed concept is used where the composed concept is
    for composition in kb.compositions:
        if composition.code in referenced:
            referenced |= {label for pair in composition.parts for label in pair}
    unused = set(kb.concepts) - complaints - referenced
    assert not unused, f"concepts no rule refers to: {sorted(unused)}"


def test_it_rejects_an_override_of_a_missing_concept(kb_copy: Path) -> None:
    path = kb_copy / "causes.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("overrides: [numbness,", "overrides: [numbnes,", 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match="overrides unknown concept 'numbnes'"):
        load_knowledge_base(kb_copy)


def test_it_rejects_within_words_outside_scope_near(kb_copy: Path) -> None:
    _append_flag(
        kb_copy,
        "  - {code: x, label: X, urgency: soon, source: nhs-111, scope: post, within_words: 3,"
        " all: [['@numbness', '@weakness']]}\n",
    )
    with pytest.raises(KnowledgeBaseError, match="within_words only applies to scope near"):
        load_knowledge_base(kb_copy)


def test_condition_names_are_statuses_and_count_as_cues() -> None:
    kb = knowledge_base()
    lupus = kb.causes["lupus"]
    assert lupus.name_label is not None
    assert kb.kinds[lupus.name_label] == "status"
    assert kb.cue_codes[lupus.name_label] == "lupus"


def test_a_composed_concept_is_mentioned_by_its_parts_close_together() -> None:
    kb = knowledge_base()
    assert "chest_pain_any" in {c.code for c in kb.compositions}
    assert (
        "cardiac_chest_pain"
        in assess(
            "my chest is super tight like someone is standing on it and im sweating"
        ).flag_codes
    )
    # too far apart, in another clause of a long sentence: no chest pain
    assert (
        "cardiac_chest_pain"
        not in assess(
            "the chest x-ray was fine and the doctor said the pain in my knee is arthritis,"
            " im sweating"
        ).flag_codes
    )


def test_it_rejects_a_composition_of_a_missing_concept(kb_copy: Path) -> None:
    path = kb_copy / "concepts" / "heart_and_lungs.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"@chest_word"', '"@chest_wurd"', 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="unknown concept @chest_wurd"):
        load_knowledge_base(kb_copy)
