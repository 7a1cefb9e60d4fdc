"""/admin/custom-fields (manager or admin): custom field definitions for lots, serials and
products — define, rename, (de)activate, delete — and /lots/{id}/custom-fields, where a lot's
values are set from its page (DESIGN §9)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.custom_fields import CustomFieldDefinition, FieldEntity, FieldType
from lotline.domain.errors import LotlineError, ValidationError
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState, place_error
from lotline.entrypoints.web.routes_lots import lot_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
KINDS = [(FieldEntity.BATCH.value, "Lots"), (FieldEntity.SERIAL.value, "Serials"),
         (FieldEntity.PRODUCT.value, "Products")]
TYPES = [(FieldType.TEXT.value, "Text"), (FieldType.NUMBER.value, "Number"),
         (FieldType.DATE.value, "Date (YYYY-MM-DD)")]
DONE = {"created": "Custom field created.", "updated": "Custom field updated.",
        "deleted": "Custom field deleted."}


def _fields_page(web: Web, *, form: FormState | None = None, problem: str | None = None,
                 status: int = 200) -> Response:
    web.require_manager("managing custom fields")
    definitions = web.svc.custom_fields.list()
    return page(web, "admin_custom_fields.html", {
        "nav": "admin", "groups": [(label, [d for d in definitions
                                            if d.applies_to.value == kind])
                                   for kind, label in KINDS],
        "kinds": KINDS, "types": TYPES, "problem": problem,
        "form": form or FormState(values={"label": "", "applies_to": "batch", "type": "text"}),
        "done": DONE.get(web.request.query_params.get("done", ""), "")}, status=status)


@router.get("/admin/custom-fields")
def custom_fields(web: WebDep) -> Response:
    return _fields_page(web)


@router.post("/admin/custom-fields")
def create_field(web: WebDep, form: FormDep) -> Response:
    web.require_manager("defining custom fields")
    state = FormState(values={name: field(form, name) for name in ("label", "applies_to",
                                                                    "type")})
    try:
        web.svc.custom_fields.create(label=state.get("label"),
                                     applies_to=state.get("applies_to"),
                                     type=state.get("type") or "text")
    except LotlineError as error:
        place_error(state, error, {}, conflict_field="label")
        return _fields_page(web, form=state, status=422)
    return redirect("/admin/custom-fields?done=created")


@router.post("/admin/custom-fields/{field_id}")
def update_field(web: WebDep, field_id: str, form: FormDep) -> Response:
    web.require_manager("changing custom fields")
    changes: dict[str, Any] = {"label": field(form, "label")}
    if field(form, "active") in ("yes", "no"):
        changes["active"] = field(form, "active") == "yes"
    try:
        web.svc.custom_fields.update(field_id, **changes)
    except LotlineError as error:
        if error.http_status == 404:
            raise
        return _fields_page(web, problem=_words(error), status=error.http_status)
    return redirect("/admin/custom-fields?done=updated")


@router.post("/admin/custom-fields/{field_id}/delete")
def delete_field(web: WebDep, field_id: str, form: FormDep) -> Response:
    web.require_manager("deleting custom fields")
    if field(form, "confirm") != "yes":
        return _fields_page(web, problem="Tick “delete for good” to delete the field.",
                            status=422)
    try:
        web.svc.custom_fields.delete(field_id)
    except LotlineError as error:
        if error.http_status == 404:
            raise
        return _fields_page(web, problem=_words(error), status=error.http_status)
    return redirect("/admin/custom-fields?done=deleted")


def _words(error: LotlineError) -> str:
    """The message a person reads: field errors without their field paths."""
    if isinstance(error, ValidationError):
        return "; ".join(f"{e.field.capitalize()} {e.message}" for e in error.errors)
    return error.message[:1].upper() + error.message[1:]


@router.post("/lots/{batch_id}/custom-fields")
def set_lot_values(web: WebDep, batch_id: str, form: FormDep) -> Response:
    """One input per active lot field (`cf-<id>`); an empty one removes the value."""
    web.require_manager("changing lots")
    batch = web.svc.batches.get(batch_id)
    current = {f.custom_field_id: f.value for f in batch.custom_fields}
    sent = [(d, field(form, f"cf-{d.id}")) for d in web.svc.custom_fields.list("batch")
            if d.active or d.id in current]
    values = [{"custom_field_id": d.id, "value": value} for d, value in sent if value.strip()]
    try:
        web.svc.batches.update(batch_id, custom_fields=values)
    except ValidationError as error:
        problem = "; ".join(f"{_label(e.field, values, sent)}: {e.message}"
                            for e in error.errors)
        return _lot_page_with_problem(web, batch_id, problem)
    return redirect(f"/lots/{batch_id}?done=fields")


def _label(path: str, values: list[dict[str, str]],
           sent: list[tuple[CustomFieldDefinition, str]]) -> str:
    """`custom_fields.1.value` as the label of the input it came from."""
    parts = path.split(".")
    if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(values):
        wanted = values[int(parts[1])]["custom_field_id"]
        return next(d.label for d, _value in sent if d.id == wanted)
    return path


def _lot_page_with_problem(web: Web, batch_id: str, problem: str) -> Response:
    return lot_page(web, batch_id, fields_problem=problem, status=422)
