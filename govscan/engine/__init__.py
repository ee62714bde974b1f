"""The engine: how work flows for every command.

A command turns its inputs (files/URLs, TLS endpoints, a portal, a scan config) into work units
(``units.py``, planned in ``plan.py``), runs them on an executor (``steps.py`` does one unit,
wherever it runs) and hands each result to a sink: the in-memory one that builds the result
``check``/``tls``/``crawl`` render, or the database one of a scheduled scan (``sinks.py``,
``run.py``, ``scan.py``). The engine sits above the rooms it orchestrates (readers, pii, tls,
web, sources, net, store, report) and below the CLI.
"""
