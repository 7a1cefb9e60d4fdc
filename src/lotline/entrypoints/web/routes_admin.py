"""/admin (admin role): users and their roles, API keys (a new key is shown once)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.domain.statuses import Role
from lotline.entrypoints.web.confirming import ask, confirm_page, confirmed
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState, place_error
from lotline.service_layer.organizations import settings_dict

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ROLES = [("viewer", "Viewer — reads everything"),
         ("manager", "Manager — also master data and every stock operation"),
         ("admin", "Admin — also users, API keys and settings")]
USER_FIELDS = ("username", "password", "role")
SETTING_FIELDS = ("serial_scope", "timezone", "digital_link_domain", "default_removal_strategy",
                  "default_expiry_alert_days")
SCOPES = [("organization", "Once per organization"), ("product", "Once per product (GS1)")]
STRATEGIES = [("fefo", "FEFO — first expired, first out"), ("fifo", "FIFO — first in"),
              ("lifo", "LIFO — last in")]
KEY_FIELDS = ("name", "key_role")


def _admin_page(web: Web, *, user_form: FormState | None = None,
                key_form: FormState | None = None, new_key: str | None = None,
                settings_form: FormState | None = None,
                status: int = 200, **extra: Any) -> Response:
    web.require(Role.ADMIN, "administration")
    return page(web, "admin.html", {
        "settings_form": settings_form or FormState(values={
            name: str(value) for name, value in settings_dict(web.svc.settings.get()).items()}),
        "scopes": SCOPES, "strategies": STRATEGIES,
        "nav": "admin", "users": web.svc.users.list_users(),
        "keys": web.svc.users.list_api_keys(), "roles": ROLES,
        "user_form": user_form or FormState(values={"username": "", "role": "viewer"}),
        "key_form": key_form or FormState(values={"name": "", "key_role": "viewer"}),
        "new_key": new_key, "done": web.request.query_params.get("done", ""),
        "problem": None, "new_key_name": None, **extra},
        status=status)


@router.get("/admin")
def admin(web: WebDep) -> Response:
    return _admin_page(web)


@router.post("/admin/users")
def create_user(web: WebDep, form: FormDep) -> Response:
    web.require(Role.ADMIN, "creating users")
    state = FormState(values={name: field(form, name) for name in USER_FIELDS})
    try:
        web.svc.users.create_user(state.get("username").strip(), state.get("password"),
                                  state.get("role") or "viewer")
    except LotlineError as error:
        place_error(state, error, {}, conflict_field="username")
        state.values["password"] = ""
        return _admin_page(web, user_form=state, status=422)
    return redirect("/admin?done=user")


@router.post("/admin/users/{user_id}")
def update_user(web: WebDep, user_id: str, form: FormDep) -> Response:
    web.require(Role.ADMIN, "changing users")
    role = field(form, "role") or None
    active = {"yes": True, "no": False}.get(field(form, "active"))
    try:
        web.svc.users.update_user(user_id, role=role, active=active)
    except LotlineError as error:
        if error.http_status == 404:
            raise
        return _admin_page(web, status=409, problem=error.message)
    return redirect("/admin?done=updated")


@router.post("/admin/api-keys")
def create_key(web: WebDep, form: FormDep) -> Response:
    web.require(Role.ADMIN, "creating API keys")
    state = FormState(values={name: field(form, name) for name in KEY_FIELDS})
    try:
        issued = web.svc.users.issue_api_key(name=state.get("name"),
                                             role=state.get("key_role") or None)
    except LotlineError as error:
        place_error(state, error, {"role": "key_role"}, conflict_field="name")
        return _admin_page(web, key_form=state, status=422)
    return _admin_page(web, new_key=issued.key, new_key_name=issued.api_key.name)


@router.get("/admin/api-keys/{key_id}/revoke")
def confirm_revoke(web: WebDep, key_id: str) -> Response:
    web.require(Role.ADMIN, "revoking API keys")
    key = next((k for k in web.svc.users.list_api_keys() if k.id == key_id), None)
    if key is None or key.revoked_at is not None:
        return redirect("/admin")
    return confirm_page(
        web, nav="admin", question=f"Revoke the API key “{key.name}”?",
        consequence=f"Every program using {key.key_prefix}… is refused from now on; a new "
                    "key must be created and given to it.",
        action=f"/admin/api-keys/{key_id}/revoke", fields={}, yes="Yes, revoke it",
        back="/admin")


@router.post("/admin/api-keys/{key_id}/revoke")
def revoke_key(web: WebDep, key_id: str, form: FormDep) -> Response:
    web.require(Role.ADMIN, "revoking API keys")
    if not confirmed(form):
        return ask(f"/admin/api-keys/{key_id}/revoke", {})
    web.svc.users.revoke_api_key(key_id)
    return redirect("/admin?done=revoked")


@router.post("/admin/settings")
def update_settings(web: WebDep, form: FormDep) -> Response:
    """The organization's settings (DESIGN §2, §3, §8); only what changed is sent."""
    web.require(Role.ADMIN, "changing settings")
    state = FormState(values={name: field(form, name).strip() for name in SETTING_FIELDS})
    current = {name: str(value) for name, value in
               settings_dict(web.svc.settings.get()).items()}
    changed = {name: value for name, value in state.values.items() if value != current[name]}
    try:
        web.svc.settings.update(**changed)
    except LotlineError as error:
        place_error(state, error, {})
        return _admin_page(web, settings_form=state, status=error.http_status)
    return redirect("/admin?done=settings")
