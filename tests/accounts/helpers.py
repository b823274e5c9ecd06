"""Small helpers shared by the account tests."""
from __future__ import annotations

import re

from sqlalchemy import select

from field_app.accounts.models import User
from field_app.extensions import db
from tests.factories import PASSWORD, totp_code


def sign_in(client, username, password=PASSWORD, *, path="/login"):
    """Sign in through the pages; an account with a second factor gives its code too (the
    answer is then the second step's)."""
    response = client.post(path, data={"username": username, "password": password})
    if response.status_code == 302 and response.headers["Location"] == "/login/verify":
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.refresh(user)
        response = client.post("/login/verify", data={"code": totp_code(user)})
    return response


def flashes(response) -> list[str]:
    """The flash messages a page shows, in order."""
    return re.findall(r'<p class="flash \w+" role="status">(.*?)</p>',
                      response.get_data(as_text=True))


def form_errors(response) -> list[str]:
    """The messages a refused form shows in itself (``core.forms.handle_form``): those above
    the form, then those on its fields, in order."""
    page = response.get_data(as_text=True)
    return (re.findall(r'<p class="flash error form-error" role="alert">(.*?)</p>', page)
            + re.findall(r'<small class="error">(.*?)</small>', page))
