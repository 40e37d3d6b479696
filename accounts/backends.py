from django.contrib.auth.backends import ModelBackend


class PeopleOnlyBackend(ModelBackend):
    """Django's password backend for people only: a service account (an integration's
    identity, API tokens only) is refused at every browser door — the product login, the
    admin login — and a session that somehow names one is not honoured either
    (`get_user` asks the same question), whatever password someone set on it."""

    def user_can_authenticate(self, user) -> bool:
        return not getattr(user, "is_service_account", False) and super().user_can_authenticate(
            user
        )
