"""Personal-data detection: recognizers, per-column verdicts, free text through presidio."""
