"""SQLAlchemy Core tables. Every row carries `org_id` (the distribution key for a sharded
PostgreSQL later); uniqueness and non-negative balances are constraints here, not only code.

The Alembic migrations build exactly this schema; a test compares the two."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from lotline.adapters.types import Amount, UTCDateTime
from lotline.domain.vocabularies import allowed_values_sql
from lotline.domain.webhooks import RESPONSE_BODY_KEPT

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ID = 36  # UUID text
NUMBER = 100  # serial and batch numbers
NAME = 200
LONG_TEXT = 2000
HASH = 64


def _id() -> Column[str]:
    return Column("id", String(ID), primary_key=True)


def _status_check(vocabulary: str, column: str = "status") -> CheckConstraint:
    """Only the statuses declared in the domain can be stored (a NULL where the column allows
    one: a movement of a lot has no serial status)."""
    return CheckConstraint(allowed_values_sql(column, vocabulary,
                                              nullable=column != "status"), name=column)


def _org() -> Column[str]:
    return Column("org_id", String(ID), ForeignKey("organizations.id"), nullable=False)


def _created() -> Column[object]:
    return Column("created_at", UTCDateTime(), nullable=False)


def _updated() -> Column[object]:
    return Column("updated_at", UTCDateTime(), nullable=False)


def _hold_columns() -> list[Column[object]]:
    return [
        Column("hold_reason", String(LONG_TEXT)),
        Column("hold_kind", String(20)),
        Column("hold_since", UTCDateTime()),
    ]


def _chain_columns() -> list[Column[object]]:
    # Head of this row's hash chain, changed under the same lock as its balances.
    return [
        Column("chain_seq", BigInteger, nullable=False, server_default=text("0")),
        Column("chain_head", String(HASH), nullable=False, server_default="0" * HASH),
    ]


def _custom_fields() -> Column[object]:
    # [{custom_field_id, label, value}], each naming a row of custom_field_definitions; NULL
    # is none (no default to rewrite big tables with, and PostgreSQL's json has no equality
    # for Alembic to compare a server default by).
    return Column("custom_fields", JSON)


def _party_columns() -> list[Column[object]]:
    return [
        Column("name", String(NAME), nullable=False),
        Column("code", String(NAME)),
        Column("email", String(NAME)),
        Column("phone", String(NAME)),
        Column("street", String(NAME)),
        Column("city", String(NAME)),
        Column("region", String(NAME)),
        Column("postal_code", String(40)),
        Column("country", String(NAME)),
        Column("gln", String(13)),
    ]


organizations = Table(
    "organizations", metadata,
    _id(),
    Column("name", String(NAME), nullable=False),
    Column("slug", String(NAME), nullable=False, unique=True),
    Column("settings", JSON, nullable=False),
    _created(),
)

products = Table(
    "products", metadata,
    _id(), _org(),
    Column("sku", String(NUMBER), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("gtin", String(14)),
    Column("uom", String(8), nullable=False),
    Column("tracking", String(12), nullable=False),
    Column("removal_strategy", String(8), nullable=False),
    Column("shelf_life_days", Integer),
    Column("expiry_alert_days", Integer, nullable=False),
    Column("serial_pattern", String(NUMBER)),
    _custom_fields(),
    *_chain_columns(),
    _created(), _updated(),
    UniqueConstraint("org_id", "sku"),
    Index("ix_products_org_id_id", "org_id", "id"),  # keyset pages (web list)
    CheckConstraint("tracking IN ('none', 'lot', 'serial', 'lot_serial')", name="tracking"),
    CheckConstraint("shelf_life_days IS NULL OR shelf_life_days >= 0", name="shelf_life"),
    CheckConstraint("expiry_alert_days >= 0", name="alert_days"),
)
Index("uq_products_org_id_gtin", products.c.org_id, products.c.gtin, unique=True,
      sqlite_where=products.c.gtin.isnot(None), postgresql_where=products.c.gtin.isnot(None))

suppliers = Table(
    "suppliers", metadata,
    _id(), _org(), *_party_columns(), _created(), _updated(),
    Index("ix_suppliers_org_id_name", "org_id", "name"),
    Index("ix_suppliers_org_id_id", "org_id", "id"),  # keyset pages (web list)
)

customers = Table(
    "customers", metadata,
    _id(), _org(), *_party_columns(),
    Column("min_remaining_shelf_life_days", Integer),
    _created(), _updated(),
    Index("ix_customers_org_id_name", "org_id", "name"),
    Index("ix_customers_org_id_id", "org_id", "id"),  # keyset pages (web list)
    CheckConstraint("min_remaining_shelf_life_days IS NULL OR min_remaining_shelf_life_days >= 0",
                    name="min_shelf_life"),
)

warehouses = Table(
    "warehouses", metadata,
    _id(), _org(),
    Column("code", String(NUMBER), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("is_default", Boolean, nullable=False),
    *_party_columns()[3:],  # phone, address and GLN, as a party has them (FSMA 204)
    _created(),
    UniqueConstraint("org_id", "code"),
)

locations = Table(
    "locations", metadata,
    _id(), _org(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("code", String(NUMBER), nullable=False),
    Column("kind", String(12), nullable=False),
    *_hold_columns(),
    _created(),
    UniqueConstraint("warehouse_id", "code"),
    Index("ix_locations_org_id_warehouse_id", "org_id", "warehouse_id"),
    Index("ix_locations_org_id_id", "org_id", "id"),  # keyset pages (web list)
)

batches = Table(
    "batches", metadata,
    _id(), _org(),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("supplier_id", String(ID), ForeignKey("suppliers.id")),
    # supplier_id or '' (own production), so the identity index treats "no supplier" as one.
    Column("supplier_key", String(ID), nullable=False),
    Column("batch_number", String(NUMBER), nullable=False),
    Column("batch_number_folded", String(2 * NUMBER), nullable=False),
    Column("manufacturer_batch_number", String(NUMBER)),
    Column("internal_batch_number", String(NUMBER)),
    Column("external_batch_number", String(NUMBER)),
    Column("manufacturing_date", Date),
    Column("expiry_date", Date),
    Column("quantity", Amount(), nullable=False),
    Column("unit_cost", Amount()),
    Column("purchase_date", Date, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("entry_transaction_ref", String(ID)),
    Column("location_id", String(ID), ForeignKey("locations.id")),
    Column("status", String(10), nullable=False),
    *_hold_columns(),
    Column("sales_rate", Amount()),
    Column("label_rate", Amount()),
    Column("custom_fields", JSON, nullable=False),
    # Registered serials that count against `quantity` (all but CANCELLED).
    Column("serial_count", Integer, nullable=False, server_default=text("0")),
    *_chain_columns(),
    Column("deleted_at", UTCDateTime()),
    _created(), _updated(),
    CheckConstraint("quantity >= 0", name="quantity"),
    CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="unit_cost"),
    CheckConstraint("serial_count >= 0", name="serial_count"),
    _status_check("lot"),
    Index("ix_batches_org_id_product_id_expiry_date", "org_id", "product_id", "expiry_date"),
    Index("ix_batches_org_id_batch_number_folded", "org_id", "batch_number_folded"),
    Index("ix_batches_org_id_expiry_date", "org_id", "expiry_date"),
)
Index("uq_batches_identity", batches.c.org_id, batches.c.product_id, batches.c.supplier_key,
      batches.c.batch_number_folded, unique=True,
      sqlite_where=batches.c.deleted_at.is_(None), postgresql_where=batches.c.deleted_at.is_(None))

lot_balances = Table(
    "lot_balances", metadata,
    Column("batch_id", String(ID), ForeignKey("batches.id"), primary_key=True),
    Column("location_id", String(ID), ForeignKey("locations.id"), primary_key=True),
    _org(),
    Column("in_quantity", Amount(), nullable=False),
    Column("balance_quantity", Amount(), nullable=False),
    Column("allocated_quantity", Amount(), nullable=False),
    CheckConstraint("in_quantity >= 0", name="in_quantity"),
    CheckConstraint("balance_quantity >= 0", name="balance"),
    CheckConstraint("allocated_quantity >= 0 AND allocated_quantity <= balance_quantity",
                    name="allocated"),
)

orders = Table(
    "orders", metadata,
    _id(), _org(),
    Column("reference", String(NUMBER), nullable=False),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("status", String(20), nullable=False),
    _created(), _updated(),
    UniqueConstraint("org_id", "reference"),
    _status_check("order"),
    Index("ix_orders_org_id_id", "org_id", "id"),  # keyset pages (web list)
    Index("ix_orders_org_id_status_id", "org_id", "status", "id"),
)

order_lines = Table(
    "order_lines", metadata,
    _id(), _org(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("quantity", Amount(), nullable=False),
    Column("unit_price", Amount()),
    UniqueConstraint("order_id", "line_no"),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="unit_price"),
)

serials = Table(
    "serials", metadata,
    _id(), _org(),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("batch_id", String(ID), ForeignKey("batches.id")),
    # '' under the organization-wide uniqueness scope, the product id under the product scope.
    Column("scope_key", String(ID), nullable=False),
    Column("serial_number", String(NUMBER), nullable=False),
    Column("status", String(12), nullable=False),
    Column("order_id", String(ID), ForeignKey("orders.id")),
    Column("location_id", String(ID), ForeignKey("locations.id")),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id")),
    Column("purchase_date", Date),
    Column("warranty_expiry", Date),
    Column("unit_cost", Amount()),
    *_hold_columns(),
    Column("parent_serial_id", String(ID), ForeignKey("serials.id")),
    # The bulk movement that registered this serial (DESIGN §5), when there was one.
    Column("entry_movement_id", String(ID)),
    _custom_fields(),
    _created(), _updated(),
    # The customer a unit is reserved for (ALLOCATED without an order, seed 001), or the
    # customer of its order or direct sale; kept like order_id, cleared back in stock.
    Column("customer_id", String(ID), ForeignKey("customers.id")),
    CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="unit_cost"),
    _status_check("serial"),
    Index("uq_serials_org_id_serial_number_scope_key", "org_id", "serial_number", "scope_key",
          unique=True),
    Index("ix_serials_batch_id_status", "batch_id", "status"),
    Index("ix_serials_org_id_status_id", "org_id", "status", "id"),
    Index("ix_serials_org_id_product_id_status_id", "org_id", "product_id", "status", "id"),
    # The serial list's "All" tab, with and without a product filter, in keyset (id) order.
    Index("ix_serials_org_id_id", "org_id", "id"),
    Index("ix_serials_org_id_product_id_id", "org_id", "product_id", "id"),
)
Index("ix_serials_order_id", serials.c.order_id,
      sqlite_where=serials.c.order_id.isnot(None), postgresql_where=serials.c.order_id.isnot(None))
Index("ix_serials_customer_id", serials.c.customer_id,
      sqlite_where=serials.c.customer_id.isnot(None),
      postgresql_where=serials.c.customer_id.isnot(None))
# The serials a bulk movement registered (ledger verify hashes them with it; EPCIS export).
Index("ix_serials_entry_movement_id", serials.c.entry_movement_id,
      sqlite_where=serials.c.entry_movement_id.isnot(None),
      postgresql_where=serials.c.entry_movement_id.isnot(None))
# The components installed in a unit (few serials have a parent; the index holds only those).
Index("ix_serials_parent_serial_id", serials.c.parent_serial_id,
      sqlite_where=serials.c.parent_serial_id.isnot(None),
      postgresql_where=serials.c.parent_serial_id.isnot(None))

# Serials per product and status, striped over COUNT_SLOTS rows picked by the serial's ledger
# stream (lot, or product), so writers of different lots seldom update the same row (DESIGN §9:
# no hot row). A status's count is the sum over its slots; one slot can go below zero (a serial
# counted in one slot and moved out through another), so the sum, not the row, is checked
# (`ledger verify`).
serial_status_counts = Table(
    "serial_status_counts", metadata,
    Column("org_id", String(ID), ForeignKey("organizations.id"), primary_key=True),
    Column("product_id", String(ID), ForeignKey("products.id"), primary_key=True),
    Column("status", String(12), primary_key=True),
    Column("slot", SmallInteger, primary_key=True, server_default=text("0")),
    Column("count", BigInteger, nullable=False),
    _status_check("serial"),
)

movements = Table(
    "movements", metadata,
    _id(), _org(),
    Column("stream_id", String(ID), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("batch_id", String(ID), ForeignKey("batches.id")),
    Column("serial_id", String(ID), ForeignKey("serials.id")),
    Column("quantity", Amount(), nullable=False),
    Column("from_location_id", String(ID), ForeignKey("locations.id")),
    Column("to_location_id", String(ID), ForeignKey("locations.id")),
    Column("from_status", String(12)),
    Column("to_status", String(12)),
    Column("order_id", String(ID), ForeignKey("orders.id")),
    Column("receipt_id", String(ID)),
    Column("transformation_id", String(ID)),
    Column("reverses_id", String(ID), ForeignKey("movements.id")),
    Column("unit_cost", Amount()),
    Column("reason", String(LONG_TEXT)),
    Column("prev_hash", String(HASH), nullable=False),
    Column("hash", String(HASH), nullable=False),
    UniqueConstraint("stream_id", "seq"),
    CheckConstraint("quantity >= 0", name="quantity"),
    _status_check("serial", "from_status"), _status_check("serial", "to_status"),
    Index("ix_movements_batch_id", "batch_id"),
    Index("ix_movements_org_id_recorded_at", "org_id", "recorded_at"),
)
Index("ix_movements_serial_id", movements.c.serial_id,
      sqlite_where=movements.c.serial_id.isnot(None),
      postgresql_where=movements.c.serial_id.isnot(None))
Index("ix_movements_order_id", movements.c.order_id,
      sqlite_where=movements.c.order_id.isnot(None),
      postgresql_where=movements.c.order_id.isnot(None))
# Transformation movements only: a lot's EPCIS export and a recall drill read each
# transformation of their trace whole by it (lot_events.whole).
Index("ix_movements_transformation_id", movements.c.transformation_id,
      sqlite_where=movements.c.transformation_id.isnot(None),
      postgresql_where=movements.c.transformation_id.isnot(None))
# The reversals only: `not_reversed` reads an organization's without reading its ledger.
Index("ix_movements_org_id_reverses_id", movements.c.org_id, movements.c.reverses_id,
      sqlite_where=movements.c.reverses_id.isnot(None),
      postgresql_where=movements.c.reverses_id.isnot(None))

audit_log = Table(
    "audit_log", metadata,
    _id(), _org(),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(ID), nullable=False),
    Column("action", String(40), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("reason", String(LONG_TEXT)),  # required for expiry date and cost edits
    Index("ix_audit_log_org_id_entity_entity_id", "org_id", "entity", "entity_id"),
    Index("ix_audit_log_org_id_id", "org_id", "id"),  # newest first: ids are time-ordered
    Index("ix_audit_log_org_id_occurred_at", "org_id", "occurred_at"),
)

# The outbox of the change feed (DESIGN §9): written in the transaction of the change it
# describes. `id` is the insertion order; `txid` is the writing transaction's id on PostgreSQL
# (`pg_current_xact_id()`, 0 on SQLite), which the feed reads behind a visibility horizon.
EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: a rowid alias
events = Table(
    "events", metadata,
    Column("id", EVENT_ID, primary_key=True, autoincrement=True),
    _org(),
    Column("txid", BigInteger, nullable=False, server_default=text("0")),
    Column("type", String(40), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_events_org_id_txid_id", "org_id", "txid", "id"),
)

# Signed heads of every hash chain (issue 17): append-only like the ledger.
ledger_checkpoints = Table(
    "ledger_checkpoints", metadata,
    _id(), _org(),
    _created(),
    Column("key_id", String(HASH), nullable=False),
    Column("stream_count", BigInteger, nullable=False),
    Column("movement_count", BigInteger, nullable=False),
    Column("heads_digest", String(HASH), nullable=False),
    Column("document", Text, nullable=False),
    Column("signature", String(100), nullable=False),
    Index("ix_ledger_checkpoints_org_id_created_at", "org_id", "created_at"),
)

# --- identity (installation-wide, small) ------------------------------------------------------

users = Table(
    "users", metadata,
    _id(), _org(),
    Column("username", String(NAME), nullable=False),
    # Usernames are unique across the installation, compared case-insensitively.
    Column("username_folded", String(2 * NAME), nullable=False, unique=True),
    Column("password_hash", String(400), nullable=False),
    Column("role", String(10), nullable=False),
    Column("active", Boolean, nullable=False),
    _created(), _updated(),
    CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role"),
    Index("ix_users_org_id", "org_id"),
)

auth_tokens = Table(
    "auth_tokens", metadata,
    _id(), _org(),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(HASH), nullable=False, unique=True),
    _created(),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Index("ix_auth_tokens_user_id", "user_id"),
)

api_keys = Table(
    "api_keys", metadata,
    _id(), _org(),
    Column("name", String(NAME), nullable=False),
    Column("role", String(10), nullable=False),
    Column("key_hash", String(HASH), nullable=False, unique=True),
    # The first characters of the key, shown in lists so a key can be recognised.
    Column("key_prefix", String(16), nullable=False),
    Column("created_by", String(NAME), nullable=False),
    # The user the key acts for: it never carries more than that user's current role, and
    # stops when the user is deactivated. Null for keys made by the system (CLI, bootstrap).
    Column("user_id", String(ID), ForeignKey("users.id")),
    _created(),
    Column("last_used_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
    CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role"),
    Index("ix_api_keys_org_id", "org_id"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", String(ID), primary_key=True),
    Column("username_folded", String(2 * NAME), nullable=False),
    Column("failed_at", UTCDateTime(), nullable=False),
    Index("ix_login_failures_username_folded_failed_at", "username_folded", "failed_at"),
)

# The page a browser's form POST answered, kept for its GET (web/replay.py): in the database,
# so whichever server process the browser's next request reaches can show it.
page_replays = Table(
    "page_replays", metadata,
    Column("key_hash", String(HASH), primary_key=True),  # SHA-256 of the cookie's key
    Column("owner_hash", String(HASH), nullable=False),  # SHA-256 of the session cookie
    Column("path", String(2000), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_page_replays_expires_at", "expires_at"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("id", String(ID), primary_key=True),
    # SHA-256 of the credential that sent the request: keys are per client, not global.
    Column("credential_hash", String(HASH), nullable=False),
    Column("key", String(NAME), nullable=False),
    Column("request_hash", String(HASH), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("content_type", String(NAME), nullable=False),
    Column("body", LargeBinary, nullable=False),
    # The response's other headers (Location, Retry-After…), a JSON list of [name, value].
    Column("headers", JSON),
    _created(),
    UniqueConstraint("credential_hash", "key"),
)

# --- warehouse flows: receipts, allocations, shipments ------------------------------------------

receipts = Table(
    "receipts", metadata,
    _id(), _org(),
    Column("reference", String(NUMBER), nullable=False),
    Column("supplier_id", String(ID), ForeignKey("suppliers.id"), nullable=False),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("status", String(20), nullable=False),
    _created(), _updated(),
    UniqueConstraint("org_id", "reference"),
    _status_check("receipt"),
)

receipt_lines = Table(
    "receipt_lines", metadata,
    _id(), _org(),
    Column("receipt_id", String(ID), ForeignKey("receipts.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("expected_quantity", Amount(), nullable=False),
    Column("received_quantity", Amount(), nullable=False),
    Column("unit_cost", Amount()),
    # Why a line was closed short or over, when it was.
    Column("reason", String(LONG_TEXT)),
    # The lots the ASN announced: [{batch_number, expiry_date, quantity}], null when none.
    Column("expected_lots", JSON),
    UniqueConstraint("receipt_id", "line_no"),
    CheckConstraint("expected_quantity > 0", name="expected"),
    CheckConstraint("received_quantity >= 0", name="received"),
    CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="unit_cost"),
)

receipt_expected_serials = Table(
    "receipt_expected_serials", metadata,
    Column("receipt_line_id", String(ID), ForeignKey("receipt_lines.id"), primary_key=True),
    Column("serial_id", String(ID), ForeignKey("serials.id"), primary_key=True),
    _org(),
)

shipments = Table(
    "shipments", metadata,
    _id(), _org(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("shipped_at", UTCDateTime(), nullable=False),
    Column("carrier", String(NAME)),
    Column("tracking_number", String(NAME)),
    Column("ship_to", JSON, nullable=False),
    Column("cost_of_goods", Amount(), nullable=False),
    Column("reversed_at", UTCDateTime()),
    _created(),
    Index("ix_shipments_order_id", "order_id"),
)

order_allocations = Table(
    "order_allocations", metadata,
    _id(), _org(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("order_line_id", String(ID), ForeignKey("order_lines.id"), nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("batch_id", String(ID), ForeignKey("batches.id")),
    Column("serial_id", String(ID), ForeignKey("serials.id")),
    Column("location_id", String(ID), ForeignKey("locations.id")),
    Column("quantity", Amount(), nullable=False),
    Column("picked_quantity", Amount(), nullable=False),
    Column("returned_quantity", Amount(), nullable=False),
    Column("unit_cost", Amount()),
    # allocated -> picked -> shipped; released when cancelled or swapped before shipping.
    Column("status", String(10), nullable=False),
    Column("shipment_id", String(ID), ForeignKey("shipments.id")),
    _created(), _updated(),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint("picked_quantity >= 0 AND picked_quantity <= quantity", name="picked"),
    CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity", name="returned"),
    _status_check("allocation"),
    Index("ix_order_allocations_order_id", "order_id"),
    Index("ix_order_allocations_batch_id_status", "batch_id", "status"),
)
Index("ix_order_allocations_serial_id", order_allocations.c.serial_id,
      sqlite_where=order_allocations.c.serial_id.isnot(None),
      postgresql_where=order_allocations.c.serial_id.isnot(None))

counters = Table(
    "counters", metadata,
    Column("org_id", String(ID), ForeignKey("organizations.id"), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# --- traceability: transformations, genealogy, recalls -----------------------------------------

transformations = Table(
    "transformations", metadata,
    _id(), _org(),
    Column("reference", String(NUMBER), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("notes", String(LONG_TEXT)),
    Column("location_id", String(ID), ForeignKey("locations.id"), nullable=False),
    _created(),
    UniqueConstraint("org_id", "reference"),
    CheckConstraint("kind IN ('production', 'repacking', 'kitting')", name="kind"),
)

# One edge per (input, output) pair of a transformation: what the recursive traces walk.
genealogy = Table(
    "genealogy", metadata,
    _id(), _org(),
    Column("transformation_id", String(ID), ForeignKey("transformations.id"), nullable=False),
    Column("input_batch_id", String(ID), ForeignKey("batches.id")),
    Column("input_serial_id", String(ID), ForeignKey("serials.id")),
    Column("input_product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("input_quantity", Amount(), nullable=False),
    Column("output_batch_id", String(ID), ForeignKey("batches.id")),
    Column("output_serial_id", String(ID), ForeignKey("serials.id")),
    Column("output_product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("output_quantity", Amount(), nullable=False),
    Index("ix_genealogy_input_batch_id", "input_batch_id"),
    Index("ix_genealogy_output_batch_id", "output_batch_id"),
    Index("ix_genealogy_transformation_id", "transformation_id"),
)

recalls = Table(
    "recalls", metadata,
    _id(), _org(),
    Column("reference", String(NUMBER), nullable=False),
    Column("reason", String(LONG_TEXT), nullable=False),
    Column("status", String(10), nullable=False),
    Column("held", Boolean, nullable=False),
    Column("criteria", JSON, nullable=False),
    # The report as it was when the recall was made, kept for export and audit.
    Column("report", JSON, nullable=False),
    Column("shipped_quantity", Amount(), nullable=False),
    Column("notes", JSON, nullable=False),
    Column("closed_at", UTCDateTime()),
    _created(), _updated(),
    UniqueConstraint("org_id", "reference"),
    _status_check("recall"),
)

recall_lots = Table(
    "recall_lots", metadata,
    Column("recall_id", String(ID), ForeignKey("recalls.id"), primary_key=True),
    Column("batch_id", String(ID), ForeignKey("batches.id"), primary_key=True),
    _org(),
    # 0 for a lot named in the recall, n for a lot made from it n transformations later.
    Column("depth", Integer, nullable=False),
)

recall_recoveries = Table(
    "recall_recoveries", metadata,
    _id(), _org(),
    Column("recall_id", String(ID), ForeignKey("recalls.id"), nullable=False),
    Column("batch_id", String(ID), ForeignKey("batches.id")),
    Column("serial_id", String(ID), ForeignKey("serials.id")),
    Column("quantity", Amount(), nullable=False),
    Column("movement_id", String(ID), ForeignKey("movements.id")),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Index("ix_recall_recoveries_recall_id", "recall_id"),
)
Index("ix_recall_lots_batch_id", recall_lots.c.batch_id)

# Webhook endpoints (DESIGN §9). `cursor_*` is the feed position of the last event queued for
# the endpoint; `lease_until` is held by the one worker sending to it (in order, never twice).
webhook_endpoints = Table(
    "webhook_endpoints", metadata,
    _id(), _org(),
    Column("url", String(LONG_TEXT), nullable=False),
    Column("description", String(LONG_TEXT)),
    Column("event_types", JSON, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(LONG_TEXT)),
    Column("cursor_txid", BigInteger, nullable=False, server_default=text("0")),
    Column("cursor_id", BigInteger, nullable=False, server_default=text("0")),
    Column("lease_until", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    _id(), _org(),
    Column("endpoint_id", String(ID), ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
           nullable=False),
    Column("event_id", BigInteger),  # None: a test delivery, its body in `payload`
    Column("payload", JSON),
    Column("seq", BigInteger, nullable=False),  # the endpoint's order of sending
    Column("status", String(20), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime()),
    Column("last_status_code", Integer),
    Column("last_error", String(LONG_TEXT)),
    Column("last_duration_ms", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),
    Index("ix_webhook_deliveries_endpoint_id_status_seq", "endpoint_id", "status", "seq"),
)

# DESIGN §9: an organization's own fields on lots, serials and products. Ids are UUIDs, except
# that free-form fields migrated by label keep the custom_field_id their clients already used.
custom_field_definitions = Table(
    "custom_field_definitions", metadata,
    Column("id", String(NUMBER), primary_key=True),
    _org(),
    Column("label", String(NAME), nullable=False),
    Column("label_folded", String(NAME), nullable=False),
    Column("applies_to", String(10), nullable=False),
    Column("type", String(10), nullable=False),
    Column("active", Boolean, nullable=False),
    _created(), _updated(),
    UniqueConstraint("org_id", "applies_to", "label_folded"),
    CheckConstraint("applies_to IN ('batch', 'serial', 'product')", name="applies_to"),
    CheckConstraint("type IN ('text', 'number', 'date')", name="type"),
)

# One row per HTTP attempt of a delivery (the deliveries log): what the receiver answered.
webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("id", EVENT_ID, primary_key=True,
           autoincrement=True),
    Column("delivery_id", String(ID), ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
           nullable=False),
    Column("endpoint_id", String(ID), nullable=False),
    Column("number", Integer, nullable=False),  # 1 for the first attempt of the delivery
    Column("attempted_at", UTCDateTime(), nullable=False),
    Column("status_code", Integer),
    Column("duration_ms", Integer, nullable=False),
    Column("error", String(LONG_TEXT)),
    Column("response_body", String(RESPONSE_BODY_KEPT)),
    Index("ix_webhook_attempts_delivery_id_number", "delivery_id", "number"),
    Index("ix_webhook_attempts_endpoint_id", "endpoint_id"),
)

# EPCIS capture (issue 15, DESIGN §9): each capture job, and every captured event verbatim with
# what the standard query matches it on (its identifiers in epcis_event_refs).
epcis_captures = Table(
    "epcis_captures", metadata,
    _id(), _org(),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("running", Boolean, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("error_behaviour", String(20), nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("captured_count", Integer, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("receipt_ids", JSON, nullable=False),
    Column("expected_lots", JSON, nullable=False),  # the ASNs' lots: receipt, product, lot
)

epcis_events = Table(
    "epcis_events", metadata,
    _id(), _org(),
    Column("capture_id", String(ID), ForeignKey("epcis_captures.id"), nullable=False),
    Column("event_key", String(LONG_TEXT), nullable=False),  # eventID, else the event hash
    Column("event_type", String(40), nullable=False),
    Column("event_time", UTCDateTime(), nullable=False),
    Column("record_time", UTCDateTime(), nullable=False),  # when we stored it (recordTime)
    Column("action", String(10)),
    Column("biz_step", String(LONG_TEXT)),
    Column("disposition", String(LONG_TEXT)),
    Column("read_point", String(LONG_TEXT)),
    Column("biz_location", String(LONG_TEXT)),
    Column("namespaces", JSON, nullable=False),  # the prefixes its document's @context declared
    Column("event", JSON, nullable=False),
    Column("receipt_id", String(ID), ForeignKey("receipts.id")),
    UniqueConstraint("org_id", "event_key"),
    Index("ix_epcis_events_org_id_event_time_event_key", "org_id", "event_time", "event_key"),
    Index("ix_epcis_events_org_id_record_time", "org_id", "record_time"),
)

epcis_event_refs = Table(
    "epcis_event_refs", metadata,
    Column("event_id", String(ID), ForeignKey("epcis_events.id"), primary_key=True),
    Column("role", String(40), primary_key=True),
    Column("value", String(LONG_TEXT), primary_key=True),
    _org(),
    Index("ix_epcis_event_refs_org_id_value", "org_id", "value"),
)
