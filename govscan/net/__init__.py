"""The network layer: the one guarded HTTP client and what it needs (guard, limiter, watchdog,
scope, robots, URL reading, the response model, dataset downloads). Nothing else imports requests."""
