"""The HJ 212 protocol functions: CRC, framing, parsing, readings, replies (pure, no database)."""
import datetime as dt
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring import hj212
from monitoring.hj212 import Frame, FrameReader, ProtocolError

TZ = hj212.DEFAULT_TZ
OFFICIAL = b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
# A minute-data upload in the shape of the reference's CP example.
MINUTE = ("QN=20190924220000001;ST=22;CN=2051;PW=123456;MN=88888880000001;Flag=5;CP=&&DataTime=20190924220000;"
          "a34006-Avg=2.697,a34006-Flag=N;a21026-Avg=7.966,a21026-Min=7.1,a21026-Max=9.25,a21026-Cou=0.12,"
          "a21026-ZsAvg=10.5,a21026-Flag=N&&")


def test_official_crc_vector():
    assert len(OFFICIAL) == 101
    assert hj212.crc16(OFFICIAL) == 0x1C80
    assert hj212.build_frame(OFFICIAL.decode()) == b"##0101" + OFFICIAL + b"1C80\r\n"


def test_crc_is_case_insensitive_and_swapped_modbus_only_when_allowed():
    data = b"QN=1;ST=32;CN=2011;MN=X;Flag=4;CP=&&DataTime=20200101000000;w01018-Rtd=1&&"
    crc = f"{hj212.crc16(data):04x}"
    assert hj212.check_crc(data, crc.lower()) == "standard"
    assert hj212.check_crc(data, crc.upper()) == "standard"
    swapped = f"{hj212.crc16_modbus_swapped(data):04X}"
    assert swapped != crc.upper()
    with pytest.raises(ProtocolError) as err:
        hj212.check_crc(data, swapped)
    assert err.value.reason == "bad_crc"
    assert hj212.check_crc(data, swapped, allow_swapped=True) == "swapped"
    with pytest.raises(ProtocolError):
        hj212.check_crc(data, "ZZZZ", allow_swapped=True)


def test_swapped_modbus_matches_a_logged_vendor_frame():
    """CRC-16/MODBUS of b'123456789' is 0x4B37; the vendor variant sends it byte-swapped."""
    assert hj212.crc16_modbus_swapped(b"123456789") == 0x374B


def test_frames_split_over_reads_and_several_in_one_read():
    frame = hj212.build_frame(OFFICIAL.decode())
    reader = FrameReader()
    got = []
    for i in range(0, len(frame), 7):  # one frame over many reads
        got += reader.feed(frame[i:i + 7])
    assert got == [Frame(OFFICIAL, b"1C80")]
    assert reader.feed(frame * 3) == [Frame(OFFICIAL, b"1C80")] * 3
    assert reader.close() is None


def test_frame_longer_than_1024_is_read():
    cp = "DataTime=20200101000000;" + ";".join(f"a{n:05d}-Rtd=1.5" for n in range(120))
    data = hj212.data_segment(cn="2011", mn="M1", cp=cp)
    assert len(data) > 1500
    [frame] = FrameReader().feed(hj212.build_frame(data))
    assert frame.data.decode() == data


def test_garbage_bad_length_and_half_frames_are_reported_and_resynchronised():
    good = hj212.build_frame(OFFICIAL.decode())
    reader = FrameReader()
    out = reader.feed(b"hello" + good + b"##01x1abc" + good)
    assert [o.reason if isinstance(o, ProtocolError) else "frame" for o in out] == \
        ["garbage", "frame", "bad_length", "frame"]
    # A frame whose length says more than it has: the next frame's CRLF shows where it really ended.
    short = b"##0200" + OFFICIAL + b"1C80\r\n"
    out = reader.feed(short + good)
    assert [o.reason if isinstance(o, ProtocolError) else "frame" for o in out] == ["bad_length", "frame"]
    # Length says less than there is: no CRLF where the frame should end.
    out = reader.feed(b"##0050" + OFFICIAL + b"1C80\r\n" + good)
    assert out[0].reason == "bad_length" and out[-1] == Frame(OFFICIAL, b"1C80")
    # Half a frame then the connection ends.
    assert reader.feed(good[:40]) == []
    assert reader.close().reason == "truncated"


def test_too_long_declared_length_is_refused():
    out = FrameReader(max_length=1024).feed(b"##5000" + b"x" * 100)
    assert out[0].reason == "too_long"


def test_parse_header_and_cp():
    packet = hj212.parse_packet(MINUTE.encode())
    assert (packet.qn, packet.st, packet.cn, packet.pw, packet.mn, packet.flag) == \
        ("20190924220000001", "22", "2051", "123456", "88888880000001", 5)
    assert packet.wants_ack and packet.version == "2017" and packet.kind == "minute"
    assert packet.params == {"DataTime": "20190924220000"}
    assert packet.items["a21026"] == {"Avg": "7.966", "Min": "7.1", "Max": "9.25", "Cou": "0.12", "ZsAvg": "10.5",
                                      "Flag": "N"}


def test_readings_values_kinds_and_value_used_for_limits():
    rows = {r.code: r for r in hj212.readings(hj212.parse_packet(MINUTE))}
    so2 = rows["a21026"]
    assert so2.kind == "minute"
    assert so2.observed_at == dt.datetime(2019, 9, 24, 22, 0, tzinfo=TZ)
    assert (so2.avg, so2.min, so2.max, so2.cou, so2.zs_avg, so2.flag) == (7.966, 7.1, 9.25, 0.12, 10.5, "N")
    assert so2.value == 10.5  # the converted value is the one compared with stack limits
    assert rows["a34006"].value == 2.697


@pytest.mark.parametrize("cn,kind", [("2011", "realtime"), ("2051", "minute"), ("2061", "hour"), ("2031", "day")])
def test_data_kinds_by_command(cn, kind):
    data = hj212.data_segment(cn=cn, mn="M", cp="DataTime=20240102030405;w01018-Rtd=3,w01018-Avg=3")
    [reading] = hj212.readings(hj212.parse_packet(data))
    assert reading.kind == kind
    assert reading.value == 3


def test_2005_codes_become_2017_codes_and_2005_packets_without_flag_or_qn():
    data = "ST=32;CN=2011;PW=123456;MN=33048300000001;CP=&&DataTime=20240102030405;011-Rtd=55.2;060-Rtd=1.2&&"
    packet = hj212.parse_packet(data)
    assert packet.flag is None and packet.qn is None and packet.version == "2005" and not packet.wants_ack
    rows = hj212.readings(packet, {"011": "w01018", "060": "w21003"})
    assert {(r.code, r.rtd) for r in rows} == {("w01018", 55.2), ("w21003", 1.2)}


def test_lenient_forms_seen_in_the_wild():
    # everything in one ;-list, lower-case flag, standalone Flag=N, milliseconds in DataTime, SampleTime
    data = ("QN=1;ST=32;CN=2011;MN=M;Flag=4;CP=&&DataTime=20240102030405123;Flag=N;w01018-Rtd=1;"
            "w21003-Rtd=2;w21003-Flag=d;w21003-SampleTime=20240102025000;w01018-EFlag=0&&")
    rows = {r.code: r for r in hj212.readings(hj212.parse_packet(data))}
    assert rows["w01018"].flag == "N" and rows["w21003"].flag == "D"
    assert rows["w21003"].sampled_at == dt.datetime(2024, 1, 2, 2, 50, tzinfo=TZ)
    assert rows["w01018"].observed_at.microsecond == 123000
    # the closing && may be missing
    assert hj212.parse_packet("CN=2011;MN=M;CP=&&DataTime=20240102030405;w01018-Rtd=1").items == \
        {"w01018": {"Rtd": "1"}}


@pytest.mark.parametrize("data,reason", [
    ("ST=32;CN=2011;MN=M", "bad_field"),                                      # no CP
    ("ST=32;CN=2011;CP=&&&&", "bad_field"),                                   # no MN
    ("ST=32;CN=20x1;MN=M;CP=&&&&", "bad_field"),                              # CN not 4 digits
    ("ST=32;CN=2011;MN=M;Flag=A;CP=&&&&", "bad_field"),                       # Flag not a number
    ("ST=32;CN=2011;MN=M;Bogus;CP=&&&&", "bad_field"),                        # not key=value
    ("CN=2011;MN=M;CP=&&DataTime=20240102030405;w01018-Rtd=1,w01018-Rtd=2&&", "bad_field"),  # conflict
])
def test_bad_packets_are_refused_with_a_reason(data, reason):
    with pytest.raises(ProtocolError) as err:
        hj212.parse_packet(data)
    assert err.value.reason == reason


@pytest.mark.parametrize("cp,reason", [
    ("w01018-Rtd=1", "bad_time"),                                      # no DataTime
    ("DataTime=20241302030405;w01018-Rtd=1", "bad_time"),              # month 13
    ("DataTime=2024010203;w01018-Rtd=1", "bad_time"),                  # too short
    ("DataTime=20240102030405;w01018-Rtd=abc", "bad_number"),
    ("DataTime=20240102030405;w01018-Rtd=1_000", "bad_number"),        # float() would accept it
    ("DataTime=20240102030405;w01018-Rtd=nan", "bad_number"),
    ("DataTime=20240102030405;w01018-Rtd=1e999", "bad_number"),
    ("DataTime=20240102030405;w01018-Rtd=1,w01018-Flag=X", "bad_field"),
    ("DataTime=20240102030405;w01018-Foo=1", "bad_field"),
])
def test_bad_data_items_refuse_the_whole_packet(cp, reason):
    packet = hj212.parse_packet(hj212.data_segment(cn="2011", mn="M", cp=cp))
    with pytest.raises(ProtocolError) as err:
        hj212.readings(packet)
    assert err.value.reason == reason


def test_same_pollutant_in_2005_and_2017_form_is_refused():
    packet = hj212.parse_packet(hj212.data_segment(cn="2011", mn="M",
                                                   cp="DataTime=20240102030405;w01018-Rtd=1;011-Rtd=2"))
    with pytest.raises(ProtocolError, match="twice"):
        hj212.readings(packet, {"011": "w01018"})


def test_non_data_commands_have_no_readings():
    assert hj212.readings(hj212.parse_packet(OFFICIAL)) == []
    assert hj212.readings(hj212.parse_packet("CN=9015;MN=M;Flag=5;CP=&&&&")) == []


def test_acknowledgements_echo_qn_and_are_valid_frames():
    packet = hj212.parse_packet(MINUTE)
    [frame] = FrameReader().feed(hj212.data_ack(packet))
    hj212.check_crc(frame.data, frame.crc)
    ack = hj212.parse_packet(frame.data)
    assert (ack.qn, ack.st, ack.cn, ack.mn, ack.flag) == (packet.qn, "91", "9014", packet.mn, 4)
    [frame] = FrameReader().feed(hj212.request_ack(packet, hj212.QNRTN_WRONG_CRC))
    reply = hj212.parse_packet(frame.data)
    assert (reply.qn, reply.cn, reply.params) == (packet.qn, "9011", {"QnRtn": "9"})


# --- property tests -------------------------------------------------------------------------------

codes = st.sampled_from(["w01018", "w21003", "a21026", "a34013", "a01007", "a01008", "w00000"])
numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
flags = st.sampled_from(sorted(hj212.DATA_FLAGS))
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=TZ))
item_values = st.fixed_dictionaries({}, optional={"Rtd": numbers, "Avg": numbers, "Min": numbers, "Max": numbers,
                                                  "Cou": numbers, "ZsAvg": numbers, "Flag": flags})
mn_text = st.text(alphabet=string.ascii_uppercase + string.digits + "_", min_size=7, max_size=24)


@settings(max_examples=200, deadline=None)
@given(cn=st.sampled_from(list(hj212.DATA_KINDS)), mn=mn_text, when=moments,
       items=st.dictionaries(codes, item_values, max_size=6), flag=st.sampled_from([4, 5, 6, 7, 8, None]),
       qn=st.one_of(st.none(), st.from_regex(r"[0-9]{17}", fullmatch=True)))
def test_build_then_parse_round_trip(cn, mn, when, items, flag, qn):
    items = {code: values for code, values in items.items() if values}
    frame = hj212.build_frame(hj212.data_segment(cn=cn, mn=mn, qn=qn, flag=flag, cp=hj212.data_cp(when, items)))
    [parsed_frame] = FrameReader().feed(frame)
    assert hj212.check_crc(parsed_frame.data, parsed_frame.crc) == "standard"
    packet = hj212.parse_packet(parsed_frame.data)
    assert (packet.cn, packet.mn, packet.qn, packet.flag) == (cn, mn, qn, flag)
    rows = {r.code: r for r in hj212.readings(packet)}
    assert set(rows) == set(items)
    for code, values in items.items():
        row = rows[code]
        assert row.observed_at == when and row.kind == hj212.DATA_KINDS[cn]
        assert row.flag == values.get("Flag", "N")
        for suffix, attr in hj212.VALUE_SUFFIXES.items():
            assert getattr(row, attr) == values.get(suffix)


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(st.one_of(st.binary(max_size=300),
                                 st.sampled_from([b"##", b"\r\n", b"##0101", b"##9999", b"&&", b"1C80\r\n"])),
                       max_size=30))
def test_garbage_never_crashes_the_framer(chunks):
    reader = FrameReader(max_length=2048)
    for chunk in chunks:
        for item in reader.feed(chunk):
            assert isinstance(item, (Frame, ProtocolError))
            if isinstance(item, Frame):
                try:
                    hj212.readings(hj212.parse_packet(item.data))
                except ProtocolError:
                    pass
        assert len(reader.buffer) <= 2048 + 12
    reader.close()


@settings(max_examples=100, deadline=None)
@given(garbage=st.binary(max_size=200), cut=st.integers(min_value=1, max_value=120))
def test_a_good_frame_after_garbage_is_still_read(garbage, cut):
    good = hj212.build_frame(OFFICIAL.decode())
    reader = FrameReader()
    out = reader.feed(garbage.replace(b"#", b"") + good[:cut])
    out += reader.feed(good[cut:])
    assert out[-1] == Frame(OFFICIAL, b"1C80")


def bitwise_crc16(data: bytes) -> int:
    """The routine as the reference writes it, to check the table-driven one against."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ byte
        for _ in range(8):
            lsb = reg & 1
            reg >>= 1
            if lsb:
                reg ^= 0xA001
    return reg


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_table_crc_equals_the_bitwise_routine(data):
    assert hj212.crc16(data) == bitwise_crc16(data)


def regex_number(text: str) -> float | str:
    """What parse_number gives by its regular expression alone (its reading before the digits-only shortcut)."""
    text = text.strip()
    if not hj212._NUMBER.fullmatch(text) or not abs(float(text)) < hj212.MAX_MAGNITUDE:
        return "bad_number"
    return float(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="0123456789.-+eE \t²٣１", max_size=18))
def test_the_digits_only_shortcut_reads_numbers_as_the_regex_does(text):
    try:
        got: float | str = hj212.parse_number(text)
    except ProtocolError as exc:
        got = exc.reason
    assert got == regex_number(text)


@settings(max_examples=200, deadline=None)
@given(blanks=st.lists(st.sampled_from(["", " ", "\t", "  "]), min_size=40, max_size=40))
def test_a_packet_with_blanks_around_its_fields_parses_as_one_without(blanks):
    around = iter(blanks)
    spaced = re.sub(r"[;,]", lambda separator: f"{next(around)}{separator.group()}{next(around)}", MINUTE)
    assert hj212.parse_packet(spaced) == hj212.parse_packet(MINUTE)
