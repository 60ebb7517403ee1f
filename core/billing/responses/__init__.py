"""What the payer says after a claim file is sent: the 999 (the file's acknowledgement),
the 277CA (each claim accepted or rejected) and the 835 (what was paid). ``model`` has
what each reader returns; ``read`` picks the reader by the transaction's code."""
