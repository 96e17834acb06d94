from django.db import migrations, models

# Guest accounts were told apart by their name until now; the name stays, the flag decides.
GUEST_PREFIX = "anon-"


def mark_existing_guests(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Profile = apps.get_model("accounts", "Profile")
    guests = User.objects.filter(username__startswith=GUEST_PREFIX, password__startswith="!")
    Profile.objects.filter(user__in=guests).update(guest=True)
    have = set(Profile.objects.filter(user__in=guests).values_list("user_id", flat=True))
    Profile.objects.bulk_create(
        [Profile(user_id=pk, guest=True) for pk in guests.values_list("pk", flat=True) if pk not in have]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="guest",
            field=models.BooleanField(
                default=False,
                help_text="A throw-away account made for one browser session on a campaign that needs no login.",
            ),
        ),
        migrations.RunPython(mark_existing_guests, migrations.RunPython.noop),
    ]
