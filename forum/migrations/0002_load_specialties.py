from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from forum.specialties import SPECIALTIES

    Specialty = apps.get_model("forum", "Specialty")
    for slug, name, description in SPECIALTIES:
        Specialty.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
