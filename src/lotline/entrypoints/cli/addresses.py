"""The options that describe a place (FSMA 204 location description, GS1 GLN), shared by
`lotline suppliers|customers|warehouses add|update` through `place_options`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
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

PLACE_OPTIONS: dict[str, Any] = {
    "phone": PhoneOption, "gln": GlnOption, "street": StreetOption, "city": CityOption,
    "region": RegionOption, "postal_code": PostalCodeOption, "country": CountryOption}


def place_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with the seven options above (default None, in that order) where its
    keyword-only `place` parameter stands; it is called with `place=description(...)` of
    them, so each command declares one parameter instead of seven."""
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name != "place":
            parameters.append(parameter)
            continue
        parameters += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                         annotation=option)
                       for name, option in PLACE_OPTIONS.items()]

    @functools.wraps(command)
    def with_place(*args: Any, **options: Any) -> None:
        place = description(**{name: options.pop(name) for name in PLACE_OPTIONS})
        command(*args, place=place, **options)

    # Typer reads the options from the signature and the (evaluated) annotations.
    with_place.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_place.__annotations__ = {parameter.name: parameter.annotation
                                  for parameter in parameters}
    return with_place


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
