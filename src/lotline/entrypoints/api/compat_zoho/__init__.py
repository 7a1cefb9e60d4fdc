"""Seed 003's Zoho-style batches API at `/api/compat/zoho/v1` (DESIGN §9): its paths, field
names, envelopes and messages word for word, over the same services, tokens and roles."""

PREFIX = "/api/compat/zoho/v1"
