"""The bottom of the import graph: what every package may import (errors)."""
