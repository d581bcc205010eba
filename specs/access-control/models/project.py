"""project's Python logic (the access-control tutorial's common/models/project.js): listProjects,
donate and withdraw, declared in project.json's `methods`.

The tutorial's JavaScript crashes (500) when the id names no project; here that is LB3's 404. The
methods read and write as the app, not as the caller (no `ctx` passed on): LB3 checks ACLs at the
REST boundary only, so `listProjects` lists every project to anyone although `find` is the admin's,
and `donate` changes a balance although `$everyone` may not write projects."""

from __future__ import annotations

from typing import Any

from runtime.errors import ModelNotFound


def setup(Project: Any) -> None:
    async def list_projects() -> list[dict[str, Any]]:
        """Every project without its balance (the tutorial's `fields: {balance: false}`)."""
        projects: list[dict[str, Any]] = await Project.find({"fields": {"balance": False}})
        return projects

    async def found(project_id: Any) -> dict[str, Any]:
        project: dict[str, Any] | None = await Project.find_by_id(project_id)
        if project is None:
            raise ModelNotFound(f'Unknown "project" id "{project_id}".')
        return project

    async def donate(project_id: Any, amount: float | None) -> bool:
        project = await found(project_id)
        balance = (project.get("balance") or 0) + (amount or 0)
        await Project.patch_attributes(project["id"], {"balance": balance})
        return True

    async def withdraw(project_id: Any, amount: float | None) -> bool:
        project = await found(project_id)
        balance = project.get("balance") or 0
        amount = amount or 0
        remaining = balance - amount if balance >= amount else 0
        await Project.patch_attributes(project["id"], {"balance": remaining})
        return True

    Project.listProjects = list_projects
    Project.donate = donate
    Project.withdraw = withdraw
