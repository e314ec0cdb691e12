"""What the learner has seen, kept between commands in .kata-state.json (ignored by git)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autodiff_kata.files import write_atomically


class StateNotSaved(OSError):
    """The state file could not be written; the message says what is in the way."""


@dataclass
class State:
    path: Path
    hints_seen: dict[str, int] = field(default_factory=dict)  # exercise name -> tiers shown

    @classmethod
    def load(cls, path: Path) -> State:
        """The saved state; a missing, damaged or unreadable file (or a folder in its place)
        is a fresh start, never an error. A count that is not a whole number of tiers (a
        string, a bool, a float such as 1e400 or NaN, a negative number) is dropped, so
        `hint` never shows "-4 of 3"."""
        try:
            data = json.loads(path.read_text())
            entries = data.get("hints_seen", {}).items()
        except (OSError, ValueError, TypeError, AttributeError):
            return cls(path)
        seen = {
            str(name): count
            for name, count in entries
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0
        }
        return cls(path, seen)

    def forget_hints(self, name: str) -> bool:
        """Start an exercise's hints over (after a reset); whether there were any."""
        return self.hints_seen.pop(name, None) is not None

    def save(self) -> None:
        """Written whole and renamed into place, so an interrupted write leaves the old file.

        Raises StateNotSaved, saying what to do, where the file cannot be written (a folder
        in its place, a read-only checkout): the caller has done its work and just warns."""
        text = json.dumps({"version": 1, "hints_seen": self.hints_seen}, indent=2)
        try:
            write_atomically(self.path, text)
        except OSError as error:
            why = "a folder is in its place" if self.path.is_dir() else error.strerror or error
            raise StateNotSaved(
                f"could not save {self.path} ({why}): the hints you have seen are not "
                f"remembered. Move whatever is at {self.path} out of the way, or make "
                f"{self.path.parent} writable."
            ) from error
