"""``flask report {rural|urban|roster} --division CODE --period P --out FILE.pdf``."""
from __future__ import annotations

from tests.indicators.support import BANNER, GACHA, TOWN


def test_report_command_writes_the_pdf_and_prints_number_and_hash(runner, make, tmp_path):
    make.rural_person(village=GACHA)
    from field_app.extensions import db

    db.session.commit()
    for kind, division in (("rural", BANNER), ("urban", BANNER), ("roster", GACHA)):
        out = tmp_path / f"{kind}.pdf"
        result = runner.invoke(args=["report", kind, "--division", division, "--period",
                                     "2024-01..2024-09", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"%PDF-")
        assert "-2024M01M09-" in result.output and "sha256" in result.output


def test_report_command_explains_refusals(runner, make, tmp_path):
    from field_app.extensions import db

    db.session.commit()
    out = str(tmp_path / "x.pdf")
    bad_period = runner.invoke(args=["report", "rural", "--division", BANNER, "--period",
                                     "2024Q5", "--out", out])
    assert bad_period.exit_code == 2 and "2024Q5" in bad_period.output
    roster = runner.invoke(args=["report", "roster", "--division", TOWN, "--period", "2024",
                                 "--out", out])
    assert roster.exit_code == 1 and "嘎查村" in roster.output
    unknown = runner.invoke(args=["report", "urban", "--division", "152299000000",
                                  "--period", "2024", "--out", out])
    assert unknown.exit_code == 1
    assert not (tmp_path / "x.pdf").exists()
