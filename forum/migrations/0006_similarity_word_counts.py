from django.db import migrations

# PostgreSQL only: how many indexed questions use each word (lexeme), refreshed off the request
# path by `lexical.word_counts_refresh` so a lookup never counts a common word in the GIN index.
# SQLite's FTS5 counts a word fast enough in the lookup itself and needs no such table.
PG_CREATE = (
    "CREATE TABLE forum_similarity_word_counts ("
    " word text PRIMARY KEY,"
    " documents integer NOT NULL)"
)
PG_DROP = "DROP TABLE IF EXISTS forum_similarity_word_counts"


def create_word_counts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE)


def drop_word_counts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0005_similar_link"),
    ]

    operations = [
        migrations.RunPython(create_word_counts, drop_word_counts),
    ]
