"""Periods, the plans' calendars, deadlines and lateness, iCalendar export."""
