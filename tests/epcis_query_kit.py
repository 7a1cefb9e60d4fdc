"""Six captured events (five made for the purpose and the kit's supplier shipment) that every
EPCIS standard query parameter tells apart, and for each parameter the exact events (eventIDs,
in order) it selects: the same table is run through the service (test_epcis_query_parameters),
the REST binding (test_api_epcis_query) and the CLI (test_cli_epcis_query)."""

from __future__ import annotations

from typing import Any

from epcis_capture_kit import (
    FARM_GLN,
    LETTUCE_GTIN,
    OUR_GLN,
    PEN_GTIN,
    as_stream,
    document,
    make_buyer,
    shipping_event,
)
from lotline.bootstrap import Services

GS1 = "https://id.gs1.org"
SSCC = "106141412345678908"
OUR_SITE = f"{GS1}/414/{OUR_GLN}"
FARM_SITE = f"{GS1}/414/{FARM_GLN}"
FARM_URN = "urn:epc:id:sgln:0614141.00000.0"  # the same site as FARM_SITE


def pen(serial: str) -> str:
    return f"{GS1}/01/{PEN_GTIN}/21/{serial}"


def lettuce(lot: str, quantity: int) -> dict[str, Any]:
    return {"epcClass": f"{GS1}/01/{LETTUCE_GTIN}/10/{lot}", "quantity": quantity, "uom": "KGM"}


def _event(number: int, kind: str, day: int, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "eventID": f"urn:uuid:q-{number}",
            "eventTime": f"2026-04-0{day}T08:00:00.000Z", "eventTimeZoneOffset": "+00:00",
            **fields}


def query_events() -> list[dict[str, Any]]:
    return [
        _event(1, "ObjectEvent", 1, action="ADD", bizStep="commissioning", disposition="active",
               epcList=[pen("A-1"), pen("A-2")], readPoint={"id": f"{OUR_SITE}/254/LINE1"},
               bizLocation={"id": OUR_SITE},
               bizTransactionList=[{"type": "po",
                                    "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:PO-1"}]),
        _event(2, "ObjectEvent", 2, action="OBSERVE", bizStep="inspecting",
               epcList=["urn:epc:id:sgtin:9506000.013437.B-1"],
               readPoint={"id": f"{OUR_SITE}/254/DOCK"},
               bizLocation={"id": f"{OUR_SITE}/254/DOCK"},
               errorDeclaration={"declarationTime": "2026-04-03T00:00:00.000Z",
                                 "reason": "incorrect_data"}),
        _event(3, "AggregationEvent", 3, action="ADD", bizStep="packing",
               parentID=f"{GS1}/00/{SSCC}", childEPCs=[pen("A-1")],
               readPoint={"id": FARM_SITE},
               sourceList=[{"type": "owning_party", "source": f"{GS1}/417/{FARM_GLN}"}]),
        _event(4, "TransformationEvent", 4, bizStep="commissioning",
               inputEPCList=[pen("A-2")], inputQuantityList=[lettuce("L-1", 5)],
               outputEPCList=[pen("C-1")], outputQuantityList=[lettuce("L-2", 4)],
               transformationID="urn:uuid:tx-1", readPoint={"id": f"{FARM_SITE}/254/FIELD-2"},
               bizLocation={"id": f"{FARM_SITE}/254/FIELD-2"}),
        _event(5, "ObjectEvent", 5, action="DELETE", bizStep="destroying",
               disposition="destroyed", quantityList=[lettuce("L-1", 3)],
               readPoint={"id": "urn:lotline:acme:loc:MAIN:BIN-4"},
               bizTransactionList=[{"type": "https://ref.gs1.org/cbv/BTT-desadv",
                                    "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:DA-1"}],
               destinationList=[{"type": "location", "destination": OUR_SITE}]),
        shipping_event(),  # urn:uuid:ship-1, 2026-04-10: PEN P-001/P-002, LETTUCE lot L-7
    ]


def query_document() -> dict[str, Any]:
    return document(*query_events())


CAPTURED = len(query_events())


def capture_query_events(svc: Services) -> Services:
    """The setup every query test starts from: the kit's buyer (our site, the farm, lettuce
    and pens) and the query document captured through the service, all of it stored."""
    make_buyer(svc)
    job = svc.epcis_capture.capture(as_stream(query_document()))
    assert (job.success, job.errors, job.captured_count) == (True, [], CAPTURED)
    return svc


def result_ids(query_result: dict[str, Any]) -> list[str]:
    """The eventIDs (without "urn:uuid:") of an EPCISQueryDocument, in order."""
    return ids_of(query_result["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


ALL = ["q-1", "q-2", "q-3", "q-4", "q-5", "ship-1"]
PEN_UNITS = ["q-1", "q-2", "q-3", "ship-1"]  # in epcList or childEPCs
# (parameters, the eventIDs selected without their "urn:uuid:" prefix, in order)
CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"eventType": "AggregationEvent"}, ["q-3"]),
    ({"eventType": "ObjectEvent,TransformationEvent"}, ["q-1", "q-2", "q-4", "q-5", "ship-1"]),
    ({"GE_eventTime": "2026-04-03T08:00:00Z"}, ["q-3", "q-4", "q-5", "ship-1"]),
    ({"LT_eventTime": "2026-04-03T10:00:00+02:00"}, ["q-1", "q-2"]),
    ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-inspecting"}, ["q-2"]),
    ({"EQ_disposition": "destroyed"}, ["q-5"]),
    ({"EQ_action": "ADD"}, ["q-1", "q-3"]),
    ({"EQ_action": "DELETE"}, ["q-5"]),
    ({"EQ_eventID": "urn:uuid:q-4,urn:uuid:ship-1"}, ["q-4", "ship-1"]),
    ({"EQ_readPoint": f"{OUR_SITE}/254/DOCK"}, ["q-2"]),
    ({"EQ_readPoint": FARM_URN}, ["q-3", "ship-1"]),
    ({"EQ_bizLocation": OUR_SITE}, ["q-1"]),
    ({"WD_bizLocation": OUR_SITE}, ["q-1", "q-2"]),
    ({"WD_readPoint": FARM_URN}, ["q-3", "q-4", "ship-1"]),
    ({"WD_readPoint": "urn:lotline:acme:loc:MAIN"}, ["q-5"]),
    ({"WD_readPoint": f"{OUR_SITE}/254/DOCK"}, ["q-2"]),
    ({"MATCH_epc": pen("A-1")}, ["q-1", "q-3"]),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.013437.*"}, PEN_UNITS),
    ({"MATCH_epc": f"https://example.com/01/{PEN_GTIN}/21/*"}, PEN_UNITS),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.*.*"}, PEN_UNITS),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.*.*"}, []),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:*.*.*"}, PEN_UNITS),
    ({"MATCH_epc": f"{GS1}/01/{PEN_GTIN}/21/B-1"}, ["q-2"]),
    ({"MATCH_parentID": "urn:epc:idpat:sscc:0614141.*"}, ["q-3"]),
    ({"MATCH_parentID": f"{GS1}/00/{SSCC}"}, ["q-3"]),
    ({"MATCH_anyEPC": pen("A-2")}, ["q-1", "q-4"]),
    ({"MATCH_anyEPC": "urn:epc:idpat:sscc:*.*"}, ["q-3"]),
    ({"MATCH_inputEPC": pen("A-2")}, ["q-4"]),
    ({"MATCH_inputEPC": pen("A-1")}, []),
    ({"MATCH_outputEPC": "urn:epc:id:sgtin:9506000.013437.C-1"}, ["q-4"]),
    ({"MATCH_epcClass": f"{GS1}/01/{LETTUCE_GTIN}/10/*"}, ["q-5", "ship-1"]),
    ({"MATCH_epcClass": "urn:epc:idpat:sgtin:9506000.013435.*"}, ["q-5", "ship-1"]),
    ({"MATCH_inputEPCClass": "urn:epc:class:lgtin:9506000.013435.L-1"}, ["q-4"]),
    ({"MATCH_outputEPCClass": f"{GS1}/01/{LETTUCE_GTIN}/10/L-2"}, ["q-4"]),
    ({"MATCH_anyEPCClass": f"{GS1}/01/{LETTUCE_GTIN}/10/L-1"}, ["q-4", "q-5"]),
    ({"EQ_transformationID": "urn:uuid:tx-1"}, ["q-4"]),
    ({"EXISTS_errorDeclaration": ""}, ["q-2"]),
    ({"EQ_bizTransaction_po": "urn:epcglobal:cbv:bt:4012345000009:PO-1"}, ["q-1"]),
    ({"EQ_bizTransaction_desadv": "urn:epcglobal:cbv:bt:0614141000005:DA-1,"
                                  "urn:epcglobal:cbv:bt:0614141000005:DA-77"}, ["q-5", "ship-1"]),
    ({"EQ_source_owning_party": f"{GS1}/417/{FARM_GLN}"}, ["q-3", "ship-1"]),
    ({"EQ_source_owning_party": "urn:epc:id:pgln:0614141.00000"}, ["q-3", "ship-1"]),
    ({"EQ_destination_location": OUR_SITE}, ["q-5", "ship-1"]),
    ({"EQ_destination_owning_party": f"{GS1}/417/{OUR_GLN}"}, ["ship-1"]),
    ({"EQ_bizStep": "shipping,packing", "MATCH_anyEPC": pen("A-1")}, ["q-3"]),
    ({"orderBy": "eventTime", "orderDirection": "ASC"}, ALL),
    ({"orderDirection": "DESC"}, ALL[::-1]),
    ({"eventCountLimit": "2"}, ["q-1", "q-2"]),
    ({"eventCountLimit": "2", "orderDirection": "DESC"}, ["ship-1", "q-5"]),
    ({"maxEventCount": "6"}, ALL),
]
# (parameters, the parameter the QueryParameterException names, its message)
REFUSED: list[tuple[dict[str, str], str, str]] = [
    ({"HASATTR_bizLocation": "urn:x"}, "HASATTR_bizLocation", "names a master data attribute"),
    ({"EQATTR_bizLocation_name": "Dock"}, "EQATTR_bizLocation_name",
     "names a master data attribute"),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:95.013437.*"}, "MATCH_epc",
     "urn:epc:idpat:sgtin:95.013437.* is not an EPC pattern lotline reads"),
    ({"orderBy": "bizStep"}, "orderBy", "must be one of eventTime"),
    ({"orderDirection": "UP"}, "orderDirection", "must be ASC or DESC"),
    ({"eventCountLimit": "2", "maxEventCount": "3"}, "maxEventCount",
     "cannot be combined with eventCountLimit"),
    ({"eventCountLimit": "0"}, "eventCountLimit", "must be a whole number of 1 or more"),
    ({"EQ_action": "add"}, "EQ_action", "must be among ADD, OBSERVE, DELETE: add"),
    ({"EQ_bizTransaction_": "urn:x"}, "EQ_bizTransaction_", "names no type"),
    ({"WD_location": "urn:x"}, "WD_location", "is not a query parameter lotline supports"),
]
TOO_LARGE = {"maxEventCount": "5"}
TOO_LARGE_MESSAGE = ("maxEventCount: more than 5 events match the query; narrow it or raise "
                     "maxEventCount")


def ids_of(events: list[dict[str, Any]]) -> list[str]:
    return [str(event["eventID"]).removeprefix("urn:uuid:") for event in events]


def case_id(case: tuple[dict[str, str], Any]) -> str:
    return "&".join(f"{k}={v[:40]}" for k, v in case[0].items())
