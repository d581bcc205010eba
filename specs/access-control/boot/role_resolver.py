"""The tutorial's server/boot/role-resolver.js: the custom role `teamMember`.

A caller holds it for a project when the team table has a row (project's owner, caller): the
project's owner's team. Anonymous callers and other models never hold it."""

from typing import Any


def setup(app: Any) -> None:
    async def team_member(role: str, context: Any) -> bool:
        if context.model != "project":
            return False
        user_id = context.user_id
        if user_id is None or context.model_id is None:
            return False
        project = await app.models["project"].find_by_id(context.model_id)
        if project is None:
            return False
        where = {"ownerId": str(project["ownerId"]), "memberId": str(user_id)}
        return bool(await app.models["team"].count(where) > 0)

    app.models["Role"].register_resolver("teamMember", team_member)
