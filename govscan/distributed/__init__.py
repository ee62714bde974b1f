"""Distributed scans on Celery: the app and tasks workers run, what crosses the broker, and the
state workers share through Redis (per-host politeness, robots.txt once per host per scan).

Extra ``govscan[distributed]`` (celery, redis). The coordinator's side is
``govscan.executors.celery.CeleryExecutor``; the worker is ``govscan worker``.
"""
