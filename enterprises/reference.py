"""Reference data every installation needs: the HJ 212-2017 code tables and GB/T 4754 industries.

``data/hj212_codes.csv`` is the whole appendix code table (water ``w…``, air ``a…``, noise ``L…``,
process ``e…``/``g…``, instrument ``i…``) with 2005 equivalents and units as the standard words them
(毫克/升); the units are stored as the symbols the platform shows (mg/L). ``data/pollutants.csv`` holds
the curated names, units and parameter flags of the codes the platform's permits use; it wins over the
appendix for those codes. Family codes (``e101xx``, ``i3331x``) are stored as families; a concrete code
such as ``e10101`` becomes its own row when a device first sends it (``family_of``).
"""
import csv
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

UNIT_SYMBOLS = {
    "%": "%", "[色]度": "度", "[角]度": "°", "个/升": "个/L", "伏[特]": "V", "分贝": "dB(A)", "分钟": "min",
    "千克": "kg", "千克/立方米": "kg/m³", "千帕": "kPa", "千瓦[特][小]时": "kWh", "升/秒": "L/s",
    "吨/平方千米x月": "t/(km²·月)", "安[培]": "A", "帕": "Pa", "平方米": "m²", "年月日时分秒": "", "微克/升": "μg/L",
    "微西[门子]/厘米": "μS/cm", "摄氏度": "℃", "无量纲": "无量纲", "毫伏[特]": "mV", "毫克/升": "mg/L",
    "毫克/立方米": "mg/m³", "秒": "s", "立方米/小时": "m³/h", "立方米/秒": "m³/s", "米": "m", "米/秒": "m/s",
    "纳克/升": "ng/L", "纳克/立方米": "ng/m³", "贝可[勒尔]/升": "Bq/L", "转/分钟": "r/min", "克": "g", "毫克": "mg",
    "立方米": "m³", "": "",
}
# Doubtful units of the transcription (see the reference notes): ambient particulates are µg/m³, flue-gas
# ammonia mg/m³.
UNIT_CORRECTIONS = {"a34001": "μg/m³", "a21001": "mg/m³"}
# Units of monitored conditions rather than pollutants: such codes are process parameters (no limit).
PARAMETER_UNITS = {"℃", "kPa", "Pa", "m/s", "°", "%", "m²", "μS/cm", "L/s", "m³/s", "m³/h", "A", "V", "kWh",
                   "min", "s", "r/min", "m", "mV", ""}
MEDIUM_BY_PREFIX = {"w": "water", "e": "water", "a": "air", "g": "air", "L": "noise", "i": "device"}
_FAMILY = re.compile(r"^([a-z]\d+)(x+)$")


def read_rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def code_table() -> dict[str, dict]:
    """Every code of the appendix table with the curated rows applied, as Pollutant field values."""
    table: dict[str, dict] = {}
    for row in read_rows("hj212_codes.csv"):
        code = row["code"]
        if code in table:
            continue  # the transcription lists e701xx and g119xx twice; the first is the standard's
        unit = UNIT_CORRECTIONS.get(code, UNIT_SYMBOLS[row["unit"]])
        table[code] = {
            "code_2005": row["code_2005"], "name": row["name"][:64], "medium": MEDIUM_BY_PREFIX[code[0]],
            "unit": unit, "emission_unit": UNIT_SYMBOLS[row["emission_unit"]], "note": row["note"][:200],
            "is_parameter": code[0] in "egi" or (code[0] in "aw" and unit in PARAMETER_UNITS),
        }
    for row in read_rows("pollutants.csv"):
        entry = table.setdefault(row["code"], {"emission_unit": "", "note": ""})
        entry.update(code_2005=row["code_2005"], name=row["name"], medium=row["medium"], unit=row["unit"],
                     is_parameter=row["is_parameter"] == "1")
    return table


# Data types of the transcription too narrow for what real effluent and air measure: conductivity of
# wastewater is often thousands of µS/cm, and particulates (which the platform counts in µg/m³, not ng/m³)
# reach four digits in a dust storm.
DATA_TYPE_CORRECTIONS = {"w01014": "N5.1", "a34002": "N4.1", "a34004": "N4.1"}


def data_types() -> dict[str, str]:
    """The data type of each code (``N5.2``, ``C890``) as the appendix gives it in the appendix's unit, with
    the corrections above; "" where there is none, or where the platform counts the code in another unit."""
    types: dict[str, str] = {}
    units: dict[str, str] = {}
    for row in read_rows("hj212_codes.csv"):
        types.setdefault(row["code"], row["data_type"])
        units.setdefault(row["code"], UNIT_CORRECTIONS.get(row["code"], UNIT_SYMBOLS[row["unit"]]))
    for row in read_rows("pollutants.csv"):
        if units.get(row["code"]) != row["unit"]:
            types[row["code"]] = ""
    return types | DATA_TYPE_CORRECTIONS


def family_of(code: str, families: dict[str, str]) -> str | None:
    """The family code (``e101xx``) a concrete code (``e10101``) belongs to, if any; ``families`` maps
    each family's prefix (``e101``) to its code."""
    for length in (len(code) - 2, len(code) - 1):
        family = families.get(code[:length])
        if family and code[length:].isdigit() and len(family) == len(code):
            return family
    return None


def families(codes) -> dict[str, str]:
    """Prefix → family code for the family codes among ``codes``."""
    out = {}
    for code in codes:
        match = _FAMILY.match(code)
        if match:
            out[match.group(1)] = code
    return out


def load_reference_data(pollutant_model, industry_model) -> None:
    """Insert or update the reference rows (idempotent). Models are passed in so migrations can use it."""
    have = {f.name for f in pollutant_model._meta.get_fields()}  # an older migration's model lacks new fields
    fields = [name for name in ("code_2005", "name", "medium", "unit", "emission_unit", "note", "is_parameter")
              if name in have]
    table = {code: {name: values[name] for name in fields} for code, values in code_table().items()}
    existing = {p.code: p for p in pollutant_model.objects.filter(code__in=table)}
    changed = []
    for code, values in table.items():
        row = existing.get(code)
        if row is None:
            continue
        if any(getattr(row, name) != values[name] for name in fields):
            for name in fields:
                setattr(row, name, values[name])
            changed.append(row)
    pollutant_model.objects.bulk_update(changed, fields, batch_size=200)
    pollutant_model.objects.bulk_create([pollutant_model(code=code, **values) for code, values in table.items()
                                         if code not in existing])
    for row in read_rows("industries.csv"):
        industry_model.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})


def load() -> None:
    from .models import Industry, Pollutant

    load_reference_data(Pollutant, Industry)
