"""The ledger: one SQLite database in a provider's workspace recording what ecmx made,
received and (later) sent, and the X12 control numbers. Never required: without a
workspace every command works as before and records nothing. No member data."""
