"""The findings database: SQLModel tables, a safe engine, and the finding lifecycle across scans."""
