"""Excel (and CSV) ledgers (台账): header mapping, parsing, import and export."""
