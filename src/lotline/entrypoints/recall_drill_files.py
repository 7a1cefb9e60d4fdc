"""A recall drill's three files, the same from the CLI (written into a directory) and the API
(one zip): the FSMA 204 spreadsheet (fsma204.xlsx, or .csv), the customer call list
(customers.csv: the recall export's `shipped` rows, with contacts) and the EPCIS document
(epcis.json)."""

from __future__ import annotations

import io
import zipfile

from lotline.entrypoints.recall_export import COLUMNS, recall_rows
from lotline.entrypoints.report_files import report_bytes
from lotline.entrypoints.serialize import json_text
from lotline.files.sheets import write_csv
from lotline.service_layer.recall_drill import DrillResult

FSMA_FORMATS = ("xlsx", "csv")


def drill_files(result: DrillResult, fsma_format: str = "xlsx") -> dict[str, bytes]:
    """File name → content, in the order a reader wants them."""
    customers = io.StringIO()
    write_csv(customers, COLUMNS, recall_rows({"customers": result.customers,
                                               "unattributed": result.unattributed}))
    return {f"fsma204.{fsma_format}": report_bytes(result.fsma204, fsma_format),
            "customers.csv": customers.getvalue().encode("utf-8"),
            # The EPCIS document is JSON already (dicts, lists, texts, numbers): written as it
            # is, without the walk that would copy its 40,000 events first.
            "epcis.json": (json_text(result.epcis, indent=2) + "\n").encode("utf-8")}


def drill_zip(result: DrillResult, fsma_format: str = "xlsx") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in drill_files(result, fsma_format).items():
            archive.writestr(name, content)
    return buffer.getvalue()
