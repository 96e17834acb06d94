"""Writes made by the worker pages themselves (everything else goes through the engine's services)."""

import secrets

from django.contrib.auth.models import User


def guest_user_create() -> User:
    """A throw-away account for one browser session working on a campaign that needs no login (as Turkle)."""
    user = User(username=f"anon-{secrets.token_hex(8)}")
    user.set_unusable_password()
    user.save()
    return user
