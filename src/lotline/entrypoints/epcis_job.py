"""A capture job as the EPCIS REST binding shows it, for the API and the CLI alike."""

from __future__ import annotations

from typing import Any

from lotline.service_layer.epcis_ports import CaptureJob


def job_body(job: CaptureJob) -> dict[str, Any]:
    return {"captureID": job.id, "running": job.running, "success": job.success,
            "captureErrorBehaviour": job.error_behaviour, "errors": job.errors,
            "createdAt": job.created_at.isoformat(),
            "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
            "eventCount": job.event_count, "capturedCount": job.captured_count,
            "receiptIds": job.receipt_ids,
            "expectedLots": [{"receiptId": lot["receipt_id"], "productId": lot["product_id"],
                              "lot": lot["lot"], "quantity": lot["quantity"]}
                             for lot in job.expected_lots]}
