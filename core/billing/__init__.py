"""ECM claims: coding, claim lines, grouping, X12 837P, invoice, control numbers."""
