"""Organisation: units, people, reporting lines, countries, currencies and fiscal calendars."""
