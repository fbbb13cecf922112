"""Reminders (催办提醒): what each unit is told (`plan`), the channels that carry it (`channels`), the record of what went out (`send`)."""
