"""Building and sending survey changes as the phone does."""
from __future__ import annotations

import uuid


def new_ref() -> str:
    return str(uuid.uuid4())


def change(op: str, household_ref: str, target_ref: str | None = None, base: int | None = None,
           **data) -> dict:
    return {"uuid": str(uuid.uuid4()), "op": op, "household_ref": household_ref,
            "target_ref": target_ref or household_ref, "base_version": base, "data": data,
            "made_at": "2026-11-27T08:00:00+08:00"}


def household(ref: str | None = None, **data) -> dict:
    ref = ref or new_ref()
    return change("household.save", ref, ref, **({"address": "第1组1号"} | data))


def member(household_ref: str, id_number: str, ref: str | None = None, base=None, **data) -> dict:
    fields = {"id_number": id_number, "name": "巴特尔", "relation": "head",
              "labour_capacity": "full"} | data
    return change("member.save", household_ref, ref or new_ref(), base, **fields)


def spell(household_ref: str, member_ref: str, ref: str | None = None, base=None, **data) -> dict:
    fields = {"member_ref": member_ref, "kind": "non_agri", "start_date": "2026-03-01",
              "end_date": "", "destination": "in_region", "industry": "E",
              "stable_workplace": True, "stable_income": True} | data
    return change("spell.save", household_ref, ref or new_ref(), base, **fields)


def training(household_ref: str, member_ref: str, ref: str | None = None, base=None,
             **data) -> dict:
    fields = {"member_ref": member_ref, "course": "电焊", "institution": "兴安职业培训学校",
              "institution_certified": True, "funding": "employment_fund",
              "start_date": "2026-04-01", "end_date": "2026-04-20", "completed": True} | data
    return change("training.save", household_ref, ref or new_ref(), base, **fields)


class Phone:
    """A signed-in collector's client that syncs like the app: token from /session, then
    POST /sync with it."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self) -> str:
        return self.client.get("/api/survey/session").get_json()["csrf_token"]

    def send(self, *changes: dict):
        return self.client.post("/api/survey/sync", json={"changes": list(changes)},
                                headers={"X-CSRFToken": self.token()})

    def sync(self, *changes: dict) -> list[dict]:
        response = self.send(*changes)
        assert response.status_code == 200, response.get_data(as_text=True)[:400]
        body = response.get_json()
        assert body["server"] == "field_app"
        return body["results"]

    def roster(self) -> dict:
        response = self.client.get("/api/survey/roster")
        assert response.status_code == 200
        return response.get_json()
