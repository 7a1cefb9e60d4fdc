"""One router per resource group; app.py mounts them under /api/v1."""
