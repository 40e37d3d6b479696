"""The API's own data. One module per topic; api-resources may add modules here
(import their models below so Django finds them)."""

from api.models.tokens import ApiToken, ServiceAccount, TokenKind

__all__ = ["ApiToken", "ServiceAccount", "TokenKind"]
