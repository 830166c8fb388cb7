"""Property tests run the same examples on every machine: CI must not depend on luck."""

from hypothesis import settings

settings.register_profile("azmoon", derandomize=True)
settings.load_profile("azmoon")
