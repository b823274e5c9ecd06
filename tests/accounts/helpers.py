"""Small helpers shared by the account tests."""
from __future__ import annotations

import re

from tests.factories import PASSWORD


def sign_in(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def flashes(response) -> list[str]:
    """The flash messages a page shows, in order."""
    return re.findall(r'<p class="flash \w+" role="status">(.*?)</p>',
                      response.get_data(as_text=True))
