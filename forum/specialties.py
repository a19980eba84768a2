"""The fixed specialty list (docs/contracts.md): a data migration loads it, seed_demo checks it."""

from __future__ import annotations

SPECIALTIES: tuple[tuple[str, str, str], ...] = (
    ("general-practice", "General practice", "First contact for most symptoms and check-ups."),
    ("emergency-medicine", "Emergency medicine", "Sudden, severe or life-threatening problems."),
    (
        "neurology",
        "Neurology",
        "Brain, spinal cord, nerves and muscles: twitching, numbness, headaches, seizures.",
    ),
    ("neurosurgery", "Neurosurgery", "Surgery of the brain, spine and nerves."),
    (
        "cardiology",
        "Cardiology",
        "Heart and circulation: chest pain, palpitations, blood pressure.",
    ),
    ("pulmonology", "Pulmonology", "Lungs and breathing: cough, breathlessness, asthma."),
    ("gastroenterology", "Gastroenterology", "Stomach, bowel and liver."),
    ("general-surgery", "General surgery", "Abdominal pain that may need surgery, lumps, hernias."),
    ("dermatology", "Dermatology", "Skin, hair and nails."),
    ("endocrinology", "Endocrinology", "Hormones: diabetes, thyroid, metabolism."),
    ("psychiatry", "Psychiatry", "Mood, anxiety, sleep and mental health."),
    ("orthopedics", "Orthopedics", "Bones, joints, back and sports injuries."),
    ("rheumatology", "Rheumatology", "Arthritis, autoimmune and connective-tissue diseases."),
    ("obstetrics-gynecology", "Obstetrics & gynecology", "Pregnancy, periods and women's health."),
    ("urology", "Urology", "Kidneys, bladder, prostate and male reproductive health."),
    ("nephrology", "Nephrology", "Kidney function and fluid balance."),
    ("ent", "Ear, nose & throat", "Ears, hearing, sinuses, throat and voice."),
    ("ophthalmology", "Ophthalmology", "Eyes and vision."),
    ("pediatrics", "Pediatrics", "Babies, children and teenagers."),
    ("infectious-disease", "Infectious disease", "Fevers, infections, travel and vaccines."),
    ("hematology-oncology", "Hematology & oncology", "Blood disorders and cancer."),
    ("allergy-immunology", "Allergy & immunology", "Allergies, hives and immune problems."),
)


def ensure_specialties() -> None:
    """Create or update the fixed specialties (idempotent)."""
    # Not at the top: the data migration imports SPECIALTIES, and a migration must not load
    # the models as they are today.
    from forum.models import Specialty

    if Specialty.objects.filter(slug__in=[s for s, _, _ in SPECIALTIES]).count() == len(
        SPECIALTIES
    ):
        return
    for slug, name, description in SPECIALTIES:
        Specialty.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
