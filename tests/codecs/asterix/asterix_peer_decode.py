"""Runs inside the peer's own virtual environment (CroatiaControl `asterix-decoder`, module `asterix`).

Reads hex datagrams, one per line, on stdin; writes one JSON line per datagram: the list of records
as the peer decodes them (`asterix.parse(..., verbose=False)`). Kept free of Bastion imports: the
peer's environment has neither Bastion nor libasterix.
"""

import json
import sys

import asterix  # the peer's module, not libasterix

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    records = asterix.parse(bytes.fromhex(line), verbose=False)
    print(json.dumps(records, default=str))
