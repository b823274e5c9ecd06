"""Small data sets as ZIPs, for the upload tests."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from tests.factories import make_id_number

BANNER = "152201000000"  # 乌兰浩特市
VILLAGE = "152201100201"  # 葛根庙嘎查, in BANNER
OTHER_VILLAGE = "152202100201"  # 林俗村, in 阿尔山市


def dataset_zip(village: str = VILLAGE, households: int = 3, *, folder: str = "",
                extra: dict[str, str] | None = None) -> tuple[bytes, list[str]]:
    """A ZIP of persons.csv, households.csv and household_members.csv: ``households``
    households of two persons in ``village``; with the persons' ID numbers."""
    persons, homes, members, numbers = [], [], [], []
    for n in range(households):
        code = f"{village}{n:05d}"
        homes.append(f"{code},{village},第{n + 1}号,,")
        for relation in ("head", "spouse"):
            number = make_id_number(dt.date(1980 + n % 20, 3, 4),
                                    "male" if relation == "head" else "female")
            numbers.append(number)
            persons.append(f"{number},测试{n}{relation[0]},rural,")
            members.append(f"{code},{number},{relation},full")
    files = {
        "persons.csv": "id_number,name,hukou,phone\n" + "\n".join(persons) + "\n",
        "households.csv": "household_code,village_code,address,longitude,latitude\n"
                          + "\n".join(homes) + "\n",
        "household_members.csv": "household_code,id_number,relation,labour_capacity\n"
                                 + "\n".join(members) + "\n",
    } | (extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}{name}", text)
    return buffer.getvalue(), numbers
