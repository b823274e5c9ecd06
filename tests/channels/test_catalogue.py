"""The channels' catalogue: every channel described, its columns those of the interchange
files it becomes, its choices the interchange's codes, its capability the record's."""
from __future__ import annotations

import pytest

from field_app.accounts.capabilities import Capability
from field_app.channels.catalogue import CHANNELS, DEFAULT_FROM, KINDS, spec_for
from field_app.channels.models import Channel
from field_app.exchange import files

# The interchange files each channel's rows become (hire_kind and month are the channel's own).
TARGETS = {
    Channel.SI_ATTRITION: (files.PERSONS, files.NATURAL_ATTRITION),
    Channel.SI_PAYEES: (files.PERSONS,),
    Channel.MARKET: (files.PERSONS, files.EMPLOYMENT_REGISTRATIONS),
    Channel.CIVIL_SERVICE: (files.PERSONS, files.EMPLOYMENT_REGISTRATIONS),
    Channel.STATISTICS: (files.EMPLOYED_TOTALS,),
}
# Columns that are the channel's own: the payee's division and month go to BenefitPayee.
OWN_KEYS = {Channel.SI_PAYEES: {"division_code", "month"}, Channel.CIVIL_SERVICE: {"hire_kind"}}


def test_every_channel_has_a_spec_under_its_name():
    assert set(CHANNELS) == set(Channel)
    for channel, spec in CHANNELS.items():
        assert spec.channel is channel
        assert spec_for(channel.value) is spec


@pytest.mark.parametrize("name", ["", "unknown", "SI_ATTRITION", "market "])
def test_an_unknown_channel_name_has_no_spec(name):
    assert spec_for(name) is None


@pytest.mark.parametrize("channel", list(Channel))
def test_headers_and_keys_are_unique_within_a_channel(channel):
    spec = CHANNELS[channel]
    headers = [f.header for f in spec.fields]
    keys = [f.key for f in spec.fields]
    assert len(set(headers)) == len(headers)
    assert len(set(keys)) == len(keys)
    assert all(f.kind in KINDS for f in spec.fields)
    assert all(f.hint for f in spec.fields)
    assert spec.title and spec.source and spec.description


@pytest.mark.parametrize("channel", list(Channel))
def test_keys_are_columns_of_the_interchange_files(channel):
    columns = {name for spec in TARGETS[channel] for name in spec.column_names}
    for field in CHANNELS[channel].fields:
        assert field.key in columns or field.key in OWN_KEYS.get(channel, ()), field.key


@pytest.mark.parametrize("channel", list(Channel))
def test_choice_codes_and_defaults_are_accepted_by_the_interchange(channel):
    for field in CHANNELS[channel].fields:
        if field.kind != "choice" or field.key in OWN_KEYS.get(channel, ()):
            continue
        column = next(spec.column(field.key) for spec in TARGETS[channel]
                      if field.key in spec.column_names)
        for code, label in field.choices:
            assert column.convert(code) == code
            assert label and label != code
        if field.default is not None:
            assert field.default in {code for code, _ in field.choices}


@pytest.mark.parametrize("channel", list(Channel))
def test_required_interchange_columns_come_from_a_required_field_or_a_default(channel):
    spec = CHANNELS[channel]
    fields = {f.key: f for f in spec.fields}
    for target in TARGETS[channel]:
        for column in target.columns:
            field = fields.get(column.name)
            if column.required and field is not None:
                assert field.required or field.default is not None \
                    or column.name in DEFAULT_FROM, column.name


def test_registration_date_defaults_to_the_start_date():
    for channel in (Channel.MARKET, Channel.CIVIL_SERVICE):
        spec = CHANNELS[channel]
        assert not spec.field("registered_on").required
        assert spec.field(DEFAULT_FROM["registered_on"]).required


@pytest.mark.parametrize(("channel", "capability"), [
    (Channel.SI_ATTRITION, Capability.ENTER_ATTRITION),
    (Channel.SI_PAYEES, Capability.REGISTER_DESK),
    (Channel.MARKET, Capability.REGISTER_DESK),
    (Channel.CIVIL_SERVICE, Capability.REGISTER_DESK),
    (Channel.STATISTICS, Capability.ENTER_TOTALS),
])
def test_each_channel_needs_the_capability_that_writes_its_records(channel, capability):
    assert CHANNELS[channel].capability is capability


def test_civil_service_hire_kinds_and_payee_month_are_the_channels_own_columns():
    hire = CHANNELS[Channel.CIVIL_SERVICE].field("hire_kind")
    assert hire.required and dict(hire.choices) == {
        "civil_servant": "公务员", "public_institution": "事业单位人员"}
    assert CHANNELS[Channel.SI_PAYEES].field("month").kind == "month"
