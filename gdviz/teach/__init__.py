"""Words and one-step logic for learners: ``hiker`` (one update at a time on a curve) and
``narrate`` (verdicts, critical rates and schedules in plain sentences)."""
