"""Who asks for what: LB3's AccessContext (principals, model, model id, method, access type).

Built once per check from the runtime's `Principal` (or from plain values for a Python caller); pure
data, so role resolvers can read it and tests can build it without a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .access_types import DEFAULT_SCOPES

if TYPE_CHECKING:
    from ..context import Context

USER = "USER"
APP = "APP"
ROLE = "ROLE"


@dataclass(frozen=True, slots=True)
class PrincipalRef:
    """One principal of the caller: USER (or a user model's name when an app has several user
    models), APP, or ROLE with its id or name."""

    type: str
    id: Any

    def same(self, principal_type: str, principal_id: Any) -> bool:
        """LB3 compares principal ids as strings (`String(p.id) === String(acl.principalId)`)."""
        return self.type == principal_type and _text(self.id) == _text(principal_id)


@dataclass(frozen=True, slots=True)
class AccessContext:
    """LB3's AccessContext: what one authorization check is about.

    `user_models` names the app's User-based models, so a principal typed with one of their names counts
    as a user (LB3's getUser); `scopes` are the token's scopes (None: LB3's DEFAULT); `has_token` is
    whether the request carried a valid token, which decides 401 against the configured status."""

    model: str
    method: str  # LB3's `property` (and `method`): the shared method's name
    access_type: str
    method_names: tuple[str, ...] = ()
    model_id: Any = None
    principals: tuple[PrincipalRef, ...] = ()
    user_models: frozenset[str] = frozenset()
    scopes: tuple[str, ...] | None = None
    has_token: bool = False
    ctx: Context | None = field(default=None, compare=False)

    def user(self) -> PrincipalRef | None:
        """The calling user (LB3's getUser): the first USER principal, or one typed with a user model's
        name."""
        for p in self.principals:
            if p.type in (APP, ROLE, "SCOPE"):
                continue
            if p.type == USER or p.type in self.user_models:
                return p
        return None

    @property
    def user_id(self) -> Any:
        user = self.user()
        return user.id if user else None

    @property
    def app_id(self) -> Any:
        return next((p.id for p in self.principals if p.type == APP), None)

    @property
    def authenticated(self) -> bool:
        return bool(self.user_id is not None or self.app_id is not None)

    def scope_allowed(self, method_scopes: tuple[str, ...]) -> bool:
        """LB3's isScopeAllowed: one of the token's scopes is one the method accepts."""
        granted = self.scopes if self.scopes is not None else DEFAULT_SCOPES
        return any(s in granted for s in method_scopes)


def principals_of(
    user_id: Any = None,
    *,
    principal_type: str | None = None,
    app_id: Any = None,
    roles: tuple[str, ...] | frozenset[str] = (),
) -> tuple[PrincipalRef, ...]:
    """The principals LB3 derives from an access token: its user (typed USER, or its user model's
    name when the app has several), its application, plus any roles the caller holds directly."""
    out: list[PrincipalRef] = []
    if user_id is not None:
        out.append(PrincipalRef(principal_type or USER, user_id))
    if app_id is not None:
        out.append(PrincipalRef(APP, app_id))
    for role in sorted(roles) if roles else ():
        if not any(q.same(ROLE, role) for q in out):
            out.append(PrincipalRef(ROLE, role))
    return tuple(out)


def _text(value: Any) -> str:
    """JavaScript's String(value) for the values ids take."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
