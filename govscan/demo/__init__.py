"""A local demo portal with synthetic Kazakh personal data, and the ``govscan demo`` run over it."""
