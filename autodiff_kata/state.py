"""What the learner has seen, kept between commands in .kata-state.json (ignored by git)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class State:
    path: Path
    hints_seen: dict[str, int] = field(default_factory=dict)  # exercise name -> tiers shown

    @classmethod
    def load(cls, path: Path) -> State:
        """The saved state; a missing or damaged file is a fresh start, never an error."""
        try:
            data = json.loads(path.read_text())
            seen = {str(k): int(v) for k, v in data.get("hints_seen", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError):
            seen = {}
        return cls(path, seen)

    def save(self) -> None:
        """Written whole and renamed into place, so an interrupted write leaves the old file."""
        scratch = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        scratch.write_text(json.dumps({"version": 1, "hints_seen": self.hints_seen}, indent=2))
        scratch.replace(self.path)
