"""Commands of the after-deadline work: extensions, written-part grading, regrade."""

from __future__ import annotations
