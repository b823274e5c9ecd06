"""Writes on persons shared by the survey and the desk (the importer merges whole files of
them in bulk, set-based, in ``exchange.importer``)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from field_app.core.identifiers import parse_id_number
from field_app.households.models import Person


def create_person(session: Session, *, id_number: str, name: str, **details) -> Person:
    """A person new to the system, added to the session (not flushed). Sex and birth date are
    read from the ID number, which the caller has checked as a ``persons.csv`` row is;
    ``details`` are further columns (``hukou``, ``phone``). The caller has made sure that
    no person has this ID number and that the actor may write here."""
    resident = parse_id_number(id_number)
    person = Person(id_number=resident.number, name=name, sex=resident.sex,
                    birth_date=resident.birth_date, **details)
    session.add(person)
    return person
