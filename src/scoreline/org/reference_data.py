"""ISO currencies and countries installed with the database; more can be added in the admin."""

# code, name, minor units (ISO 4217)
CURRENCIES: list[tuple[str, str, int]] = [
    ("AED", "UAE dirham", 2), ("AUD", "Australian dollar", 2), ("BRL", "Brazilian real", 2),
    ("CAD", "Canadian dollar", 2), ("CHF", "Swiss franc", 2), ("CNY", "Renminbi", 2),
    ("CZK", "Czech koruna", 2), ("DKK", "Danish krone", 2), ("EUR", "Euro", 2),
    ("GBP", "Pound sterling", 2), ("HKD", "Hong Kong dollar", 2), ("HUF", "Hungarian forint", 2),
    ("INR", "Indian rupee", 2), ("JPY", "Japanese yen", 0), ("KRW", "South Korean won", 0),
    ("MXN", "Mexican peso", 2), ("NOK", "Norwegian krone", 2), ("NZD", "New Zealand dollar", 2),
    ("PLN", "Polish złoty", 2), ("SAR", "Saudi riyal", 2), ("SEK", "Swedish krona", 2),
    ("SGD", "Singapore dollar", 2), ("TRY", "Turkish lira", 2), ("USD", "US dollar", 2),
    ("ZAR", "South African rand", 2),
]

# code, name, currency (ISO 3166-1 alpha-2)
COUNTRIES: list[tuple[str, str, str]] = [
    ("AE", "United Arab Emirates", "AED"), ("AT", "Austria", "EUR"), ("AU", "Australia", "AUD"),
    ("BE", "Belgium", "EUR"), ("BR", "Brazil", "BRL"), ("CA", "Canada", "CAD"),
    ("CH", "Switzerland", "CHF"), ("CN", "China", "CNY"), ("CZ", "Czechia", "CZK"),
    ("DE", "Germany", "EUR"), ("DK", "Denmark", "DKK"), ("ES", "Spain", "EUR"),
    ("FI", "Finland", "EUR"), ("FR", "France", "EUR"), ("GB", "United Kingdom", "GBP"),
    ("HK", "Hong Kong", "HKD"), ("HU", "Hungary", "HUF"), ("IE", "Ireland", "EUR"),
    ("IN", "India", "INR"), ("IT", "Italy", "EUR"), ("JP", "Japan", "JPY"),
    ("KR", "South Korea", "KRW"), ("MX", "Mexico", "MXN"), ("NL", "Netherlands", "EUR"),
    ("NO", "Norway", "NOK"), ("NZ", "New Zealand", "NZD"), ("PL", "Poland", "PLN"),
    ("PT", "Portugal", "EUR"), ("SA", "Saudi Arabia", "SAR"), ("SE", "Sweden", "SEK"),
    ("SG", "Singapore", "SGD"), ("TR", "Türkiye", "TRY"), ("US", "United States", "USD"),
    ("ZA", "South Africa", "ZAR"),
]
