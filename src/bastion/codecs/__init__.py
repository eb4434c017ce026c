"""Pure codecs: bytes -> records and back (ASTERIX, SAPIENT, CoT, ADS-B, Remote ID, CAP)."""
