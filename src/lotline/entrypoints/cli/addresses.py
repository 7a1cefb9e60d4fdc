"""The options that describe a place (FSMA 204 location description, GS1 GLN), shared by
`lotline suppliers|customers|warehouses add|update`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

PhoneOption = Annotated[str | None, typer.Option(help="Phone number.")]
GlnOption = Annotated[str | None, typer.Option(
    help="Global Location Number: 13 digits with a valid GS1 check digit.")]
StreetOption = Annotated[str | None, typer.Option(help="Street address.")]
CityOption = Annotated[str | None, typer.Option(help="City.")]
RegionOption = Annotated[str | None, typer.Option(help="State, province or region.")]
PostalCodeOption = Annotated[str | None, typer.Option(help="Postal code.")]
CountryOption = Annotated[str | None, typer.Option(help="Country of the address.")]


def description(*, phone: str | None = None, gln: str | None = None,
                street: str | None = None, city: str | None = None,
                region: str | None = None, postal_code: str | None = None,
                country: str | None = None) -> dict[str, Any]:
    """The given options only (an update changes what was named, nothing else)."""
    fields: dict[str, Any] = {name: value for name, value in
                              (("phone", phone), ("gln", gln)) if value is not None}
    address = {name: value for name, value in
               (("street", street), ("city", city), ("region", region),
                ("postal_code", postal_code), ("country", country)) if value is not None}
    if address:
        fields["address"] = address
    return fields


def one_line(address: Any) -> str:
    """`street, postal code city, region, country` without the empty parts."""
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    return ", ".join(part for part in (address.street, town, address.region, address.country)
                     if part)
