"""Program pages under /o/<slug>/programs/ and /o/<slug>/topics/ (admins and coordinators)."""
