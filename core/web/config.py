"""What one running page knows: its workspace, its token, its plugins and its port."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class WebConfig:
    workspace: Path  # the ecmx workspace (``ecmx init``): its ledger, uploads/, outbox/
    token: str  # the per-start secret (security.py)
    plugins: tuple  # (plugin_manager, registry), made once at start
    plans_dirs: tuple[Path, ...] = ()
    port: int | None = None  # the port served; the Host check needs it (None: any)
    show_values: bool = False  # member values in findings: masked unless asked for

    @property
    def registry(self):
        return self.plugins[1]

    @property
    def uploads(self) -> Path:
        folder = self.workspace / "uploads"
        folder.mkdir(exist_ok=True)
        return folder

    @property
    def outbox(self) -> Path:
        """Where made files go (the README's month uses the same folder name)."""
        folder = self.workspace / "outbox"
        folder.mkdir(exist_ok=True)
        return folder
