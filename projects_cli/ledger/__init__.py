"""Excel (and CSV) ledgers (台账) in and out: header mapping, parsing, import, export, 派工单 dispatch and returns.

Imports `services/`, `facts/`, `store/` and below; never `cli/`.
"""
