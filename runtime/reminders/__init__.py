"""Reminders: one EventBridge Scheduler schedule per item due, the reminder recorded when it fires,
and the email the notifier sends from the reminder record on the stream."""
