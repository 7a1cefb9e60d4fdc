"""Organizations (installation-wide, small: a reference table when sharded)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from lotline.adapters import tables as t
from lotline.adapters.direct import run
from lotline.adapters.repositories.common import cached_statement
from lotline.domain.model import Organization, OrgSettings
from lotline.domain.statuses import RemovalStrategy, SerialScope


def settings_from_json(data: dict[str, Any]) -> OrgSettings:
    defaults = OrgSettings()
    return OrgSettings(
        serial_scope=SerialScope(data.get("serial_scope", defaults.serial_scope.value)),
        timezone=str(data.get("timezone", defaults.timezone)),
        digital_link_domain=str(data.get("digital_link_domain", defaults.digital_link_domain)),
        default_removal_strategy=RemovalStrategy(data.get(
            "default_removal_strategy", defaults.default_removal_strategy.value)),
        default_expiry_alert_days=int(data.get("default_expiry_alert_days",
                                               defaults.default_expiry_alert_days)))


def settings_to_json(settings: OrgSettings) -> dict[str, Any]:
    return {"serial_scope": settings.serial_scope.value, "timezone": settings.timezone,
            "digital_link_domain": settings.digital_link_domain,
            "default_removal_strategy": settings.default_removal_strategy.value,
            "default_expiry_alert_days": settings.default_expiry_alert_days}


class OrganizationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def to_entity(row: Row[Any]) -> Organization:
        return Organization(id=row.id, name=row.name, slug=row.slug,
                            settings=settings_from_json(row.settings), created_at=row.created_at)

    def get(self, org_id: str, *, for_update: bool = False) -> Organization | None:
        statement = select(t.organizations).where(t.organizations.c.id == org_id)
        if for_update:
            # FOR NO KEY UPDATE: plain FOR UPDATE would also wait for (and block) the KEY SHARE
            # lock every insert of a row naming the organization takes — all its writers.
            statement = statement.with_for_update(key_share=True)
        row = self.conn.execute(statement).first()
        return None if row is None else self.to_entity(row)

    def by_slug(self, slug: str) -> Organization | None:
        row = self.conn.execute(
            select(t.organizations).where(t.organizations.c.slug == slug)).first()
        return None if row is None else self.to_entity(row)

    def settings(self, org_id: str) -> OrgSettings:
        statement = cached_statement(("organizations", "settings"), lambda: select(
            t.organizations.c.settings).where(t.organizations.c.id == bindparam("org_id")))
        data = run(self.conn, statement, {"org_id": org_id}).scalar_one()
        return settings_from_json(data)

    def add(self, organization: Organization) -> None:
        self.conn.execute(insert(t.organizations).values(
            id=organization.id, name=organization.name, slug=organization.slug,
            settings=settings_to_json(organization.settings),
            created_at=organization.created_at))

    def ids(self) -> list[str]:
        return list(self.conn.execute(select(t.organizations.c.id)
                                      .order_by(t.organizations.c.id)).scalars())

    def save_settings(self, org_id: str, settings: OrgSettings) -> None:
        self.conn.execute(update(t.organizations).where(t.organizations.c.id == org_id)
                          .values(settings=settings_to_json(settings)))
