"""Pydantic models of the REST API: request bodies (unknown fields rejected) and the response
shapes the OpenAPI document shows."""
