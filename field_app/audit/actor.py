"""Who is acting: set once per request or command on the session, read by the audit hooks."""
from __future__ import annotations

import dataclasses
import getpass

from sqlalchemy.orm import Session

SESSION_KEY = "field_app.actor"


@dataclasses.dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    ip: str | None = None
    division_code: str | None = None


def operator_actor() -> Actor:
    """Outside a request (commands, scripts) the writer is the operating-system user."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(None, f"cli:{name}"[:60])


def set_actor(session: Session, actor: Actor) -> None:
    session.info[SESSION_KEY] = actor


def get_actor(session: Session) -> Actor:
    actor = session.info.get(SESSION_KEY)
    return actor if actor is not None else operator_actor()


def actor_for(user, ip: str | None = None) -> Actor:
    return Actor(user.id, user.username, ip, user.division_code)
