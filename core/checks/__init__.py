"""Findings and the rules that produce them: field, business, cross-file and claims rules."""
