"""The course's tools: ``python -m tools.course`` (everyday commands) and maintainers' scripts."""
