"""Write the public copies of every question, answer and follow-up already posted, with their
personal details masked (forum.privacy). A public question whose text changed is taken out of
the similarity index, whose full-text row and embedding were made from the typed text: run
`manage.py similar --rebuild-index` after migrating to index it again from its public copy."""

from django.db import migrations

BATCH = 500
FIELDS = {
    "question": {"title": "public_title", "body": "public_body", "medicines": "public_medicines"},
    "answer": {"body": "public_body"},
    "followup": {"body": "public_body"},
}


def _mask_rows(model, fields):
    from forum.privacy.masking import mask

    changed = []
    rows = model.objects.order_by("pk").only("pk", *fields)
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        found = []
        for source, copy in fields.items():
            masked = mask(getattr(row, source) or "")
            setattr(row, copy, masked.text)
            found += [
                {"field": source, "kind": d.kind, "start": d.start, "end": d.end}
                for d in masked.details
            ]
        row.personal_details = found
        if found:
            changed.append(row.pk)
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, [*fields.values(), "personal_details"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, [*fields.values(), "personal_details"])
    return changed


def mask_existing(apps, schema_editor):
    Question = apps.get_model("forum", "Question")
    Answer = apps.get_model("forum", "Answer")
    FollowUp = apps.get_model("forum", "FollowUp")
    SimilarityEntry = apps.get_model("forum", "SimilarityEntry")
    changed = _mask_rows(Question, FIELDS["question"])
    _mask_rows(Answer, FIELDS["answer"])
    _mask_rows(FollowUp, FIELDS["followup"])
    if not changed:
        return
    # Derived from the typed text: gone until indexed again from the public copy.
    SimilarityEntry.objects.filter(question_id__in=changed).delete()
    connection = schema_editor.connection
    table, key = (
        ("forum_similarity_fts", "rowid")
        if connection.vendor == "sqlite"
        else ("forum_similarity_lexical", "question_id")
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {table} WHERE {key} = %s",  # noqa: S608
            [(pk,) for pk in changed],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0009_personal_details_masked"),
    ]

    operations = [
        migrations.RunPython(mask_existing, migrations.RunPython.noop, elidable=True),
    ]
