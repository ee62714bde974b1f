"""The findings database: SQLModel tables, a safe engine, and the finding lifecycle across scans."""

# Statuses a person may set on a finding (a scan sets open/fixed/suppressed itself). Kept here, free
# of the database imports, so the CLI can offer them without loading SQLAlchemy.
TRIAGE_STATUSES = ("open", "false_positive", "accepted_risk", "fixed")
