"""Excel workbooks other than sheets and ledgers (the cards report), and the one styling system every workbook uses.

Imports `services/` and below; `sheets/` and `ledger/` take their look from `styling`.
"""
