"""The Swarms API (seed 004), mounted at /swarms/: wire format only, every rule is the engine's.

See docs/swarms.md for the mount, auth, HAL links, lists and the error code table.
"""
