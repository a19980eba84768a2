"""The triage engine."""
