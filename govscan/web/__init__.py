"""The portal side: a polite HTTP client, crawl, HTTP hygiene checks and exposure probes."""
