"""The local portal of ``tests/net/conftest.py``, shared: these tests crawl and judge a real server."""

from __future__ import annotations

from ..net.conftest import make_client, other_site, portal, resolver, sleeps

__all__ = ["make_client", "other_site", "portal", "resolver", "sleeps"]
