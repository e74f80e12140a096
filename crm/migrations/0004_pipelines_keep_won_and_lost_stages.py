"""Every pipeline keeps a won and a lost stage (a lead won or lost from its page moves its deal
there); pipelines whose last won or lost stage was deleted before that rule get a "Won" or
"Lost" stage back at their end ("Won 2"… when the name is taken). Safe to run again: a
pipeline with such a stage is left alone. Reversing changes nothing: the stages may hold deals."""

from django.db import migrations

# The kinds and names as they were when this migration was written.
CLOSING = [("won", "Won"), ("lost", "Lost")]


def add_missing_closing_stages(apps, schema_editor):
    Pipeline = apps.get_model("crm", "Pipeline")
    Stage = apps.get_model("crm", "Stage")
    for pipeline in Pipeline.objects.order_by("pk").iterator():
        stages = list(Stage.objects.filter(pipeline=pipeline).values_list("name", "kind", "position"))
        names = {name for name, _, _ in stages}
        kinds = {kind for _, kind, _ in stages}
        position = max((p for _, _, p in stages), default=-1)
        for kind, label in CLOSING:
            if kind in kinds:
                continue
            name = next(
                candidate
                for candidate in (label, *(f"{label} {n}" for n in range(2, 1000)))
                if candidate not in names
            )
            position += 1
            Stage.objects.create(pipeline=pipeline, name=name, kind=kind, position=position)
            names.add(name)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0003_contact_search"),
    ]

    operations = [
        migrations.RunPython(add_missing_closing_stages, migrations.RunPython.noop),
    ]
