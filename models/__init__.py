"""Domain layer: the tables and the rules of the LSCB Action Tracker. Knows nothing of Slack."""
