"""Write the instance settings file with a generated SECRET_KEY.

Usage: python3 scripts/make_instance_settings.py [PATH]   (default: instance/settings.py)

An existing file is never overwritten: its secret key signs every session, and
replacing it would sign everybody out. The file is git-ignored (instance/*).
Only the standard library is used, so this runs before the virtualenv exists.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

TEMPLATE = '''"""Settings for this machine, written by `make instance`. Never commit this file.

Environment variables of the same name take precedence over these values.
"""

SECRET_KEY = "{secret_key}"
'''


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "instance/settings.py")
    if path.exists():
        print(f"{path} already exists: kept as it is.")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    content = TEMPLATE.format(secret_key=secrets.token_hex(32))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"{path} already exists: kept as it is.")
        return 0
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    print(f"Wrote {path} with a new SECRET_KEY.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
