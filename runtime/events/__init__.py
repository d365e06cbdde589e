"""Domain events: the table's stream is the outbox, and the relay turns its records into events."""
