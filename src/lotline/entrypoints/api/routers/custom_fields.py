"""/custom-fields: the organization's custom field definitions (DESIGN §9). Every role reads
them; a manager or admin creates, changes and deletes them. Lots (`custom_fields` or seed 003's
`batch_custom_fields`), serials and products name them by `custom_field_id`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import body_fields, created, no_content, ok
from lotline.entrypoints.api.schemas.batches import CustomField, CustomFieldIn
from lotline.entrypoints.api.schemas.common import Input, Text
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["custom fields"])

Kind = Annotated[str, Field(max_length=10, description="text (default), number or date")]
AppliesTo = Annotated[str, Field(max_length=10, description="batch (lots), serial or product")]


class CustomFieldDefinitionIn(Input):
    label: Text
    applies_to: AppliesTo
    type: Kind | None = None
    active: bool | None = None


class CustomFieldDefinitionPatch(Input):
    label: Text | None = None
    type: Kind | None = None
    active: bool | None = None


class CustomFieldDefinition(BaseModel):
    id: str = Field(description="the stable id records use as custom_field_id")
    label: str
    applies_to: str
    type: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomFieldPage(BaseModel):
    items: list[CustomFieldDefinition]
    next_cursor: str | None


@router.post("/custom-fields", status_code=201, response_model=CustomFieldDefinition)
def create_custom_field(body: CustomFieldDefinitionIn, svc: ServicesDep) -> Response:
    """Define a field for lots, serials or products. Its label is unique among the fields of
    that kind of record, ignoring case (409 otherwise)."""
    return created(svc.custom_fields.create(**body_fields(body)))


@router.get("/custom-fields", response_model=CustomFieldPage)
def list_custom_fields(svc: ServicesDep, applies_to: Annotated[str | None, Query(
        max_length=20, description="batch, serial or product")] = None) -> Response:
    """Every definition (inactive ones too), by kind of record then label; one page."""
    return ok({"items": svc.custom_fields.list(applies_to), "next_cursor": None})


@router.get("/custom-fields/{field_id}", response_model=CustomFieldDefinition)
def get_custom_field(field_id: str, svc: ServicesDep) -> Response:
    return ok(svc.custom_fields.get(field_id))


@router.patch("/custom-fields/{field_id}", response_model=CustomFieldDefinition)
def update_custom_field(field_id: str, body: CustomFieldDefinitionPatch,
                        svc: ServicesDep) -> Response:
    """Rename it (records show the new label), change its type while no record has a value,
    or deactivate it (`active: false`: records keep their values, take no new ones)."""
    return ok(svc.custom_fields.update(field_id, **body_fields(body)))


@router.delete("/custom-fields/{field_id}", status_code=204)
def delete_custom_field(field_id: str, svc: ServicesDep) -> Response:
    """Only while no record has a value of it (409: deactivate it instead)."""
    svc.custom_fields.delete(field_id)
    return no_content()


class SerialCustomFieldsIn(Input):
    custom_fields: Annotated[list[CustomFieldIn], Field(max_length=100)]


class SerialCustomFields(BaseModel):
    serial_id: str
    custom_fields: list[CustomField]


@router.get("/serials/{serial_id}/custom-fields", response_model=SerialCustomFields,
            tags=["serials"])
def get_serial_custom_fields(serial_id: str, svc: ServicesDep) -> Response:
    """A serial's custom field values."""
    return ok({"serial_id": serial_id,
               "custom_fields": svc.custom_fields.serial_values(serial_id)})


@router.put("/serials/{serial_id}/custom-fields", response_model=SerialCustomFields,
            tags=["serials"])
def set_serial_custom_fields(serial_id: str, body: SerialCustomFieldsIn,
                             svc: ServicesDep) -> Response:
    """Replace a serial's custom field values (manager): each names a definition that
    applies to serials, by `custom_field_id` or `label`; values are checked by its type."""
    fields = [field.model_dump(exclude_unset=True) for field in body.custom_fields]
    return ok({"serial_id": serial_id,
               "custom_fields": svc.custom_fields.set_serial_values(serial_id, fields)})
