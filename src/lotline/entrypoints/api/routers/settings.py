"""/settings: the organization's settings (DESIGN §2, §3, §8): every role reads them, an admin
changes them; each change is in the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import body_fields, ok
from lotline.entrypoints.api.schemas.common import Input
from lotline.entrypoints.api.security import ServicesDep
from lotline.service_layer.organizations import settings_dict

router = APIRouter(tags=["settings"])

Short = Annotated[str, Field(max_length=200)]


class Settings(BaseModel):
    serial_scope: str = Field(description="organization (a serial number once per "
                              "organization) or product (once per product, GS1 style)")
    timezone: str = Field(description="IANA time zone that decides 'today' (expiry)")
    digital_link_domain: str = Field(description="GS1 Digital Link domain of labels and EPCIS")
    default_removal_strategy: str = Field(description="fefo, fifo or lifo: what a product "
                                          "created without removal_strategy gets")
    default_expiry_alert_days: int = Field(description="what a product created without "
                                           "expiry_alert_days gets")


class SettingsPatch(Input):
    serial_scope: Short | None = None
    timezone: Short | None = None
    time_zone: Short | None = Field(default=None, description="alias of timezone")
    digital_link_domain: Annotated[str, Field(max_length=2000)] | None = None
    default_removal_strategy: Short | None = None
    default_expiry_alert_days: Annotated[int, Field(ge=0, le=100_000)] | None = None


@router.get("/settings", response_model=Settings)
def get_settings(svc: ServicesDep) -> Response:
    return ok(settings_dict(svc.settings.get()))


@router.patch("/settings", response_model=Settings)
def update_settings(body: SettingsPatch, svc: ServicesDep) -> Response:
    """Change the settings sent (admin only), all or none: a bad value is a 422 naming the
    field as sent. Moving `serial_scope` to `organization` is a 409 while two products share
    a serial number."""
    return ok(settings_dict(svc.settings.update(**body_fields(body))))
