"""Pure rule functions over plain data: dates (序时, overdue, countdown), cards, working days, scoring.

No database and no `date.today()` here: every function is given what it needs.
"""
