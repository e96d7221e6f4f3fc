"""The platform operators' side: opening organisations for new clients (outside any organisation)."""
