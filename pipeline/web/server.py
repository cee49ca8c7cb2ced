"""`triage serve`: the review application under uvicorn."""
from __future__ import annotations

import uvicorn

from pipeline.config import Settings
from pipeline.web.app import create_app


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run until interrupted; the secret key, database and migrations are checked before listening."""
    app = create_app(settings)
    uvicorn.run(app, host=host or settings.web.host, port=port or settings.web.port, proxy_headers=False,
                server_header=False, log_level="info")
