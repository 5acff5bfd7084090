"""A small hand-built county for the registry import tests, workbooks built cell by cell, and a
snapshot of the registry by natural keys to compare two registries."""
import io

from openpyxl import Workbook

from enterprises.models import (
    County, Enterprise, Grid, MonitoringDuty, Outlet, Permit, PermitLimit, Township, Village,
)
from enterprises.registry.tables import BASIC, DUTIES, LIMITS, OUTLETS
from enterprises.validators import make_credit_code


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def build_county() -> dict:
    """County 120.0-120.2 E, 30.0-30.1 N; 甲镇 the western half, 乙镇 the eastern; one village and
    one grid each (the grids without a boundary of their own)."""
    county = County.objects.update_or_create(code="330483", defaults={
        "name": "桐乡市", "boundary": square(120.0, 30.0, 120.2, 30.1)})[0]
    west = Township.objects.create(county=county, code="330483101", name="甲镇",
                                   boundary=square(120.0, 30.0, 120.1, 30.1))
    east = Township.objects.create(county=county, code="330483102", name="乙镇",
                                   boundary=square(120.1, 30.0, 120.2, 30.1))
    areas = {"west": west, "east": east}
    for key, town, x0 in (("west", west, 120.0), ("east", east, 120.1)):
        village = Village.objects.create(township=town, code=f"{town.code}001", name=f"{town.name[0]}村",
                                         boundary=square(x0, 30.0, x0 + 0.1, 30.1))
        areas[f"{key}_village"] = village
        areas[f"{key}_grid"] = Grid.objects.create(village=village, township=town, code=f"G{village.code}",
                                                   name=f"{village.name}网格")
    return areas


CODE_A = make_credit_code("330483", "MA2AAAAA")
CODE_B = make_credit_code("330483", "MA2BBBBB")
CODE_C = make_credit_code("330483", "MA2CCCCC")
CODE_D = make_credit_code("330483", "MA2DDDDD")


def basic_row(code, number, name, **over) -> dict:
    row = {"单位名称": name, "统一社会信用代码": code, "许可证编号": number, "行业类别": "C1713",
           "生产经营场所地址": "", "中心经度": 120.05, "中心纬度": 30.05, "管理类别": "重点管理",
           "发证日期": "2024-03-01", "有效期起": "2024-03-01", "有效期至": "2029-02-28",
           "发证机关": "嘉兴市生态环境局桐乡分局", "法定代表人": "王伟", "环保联系人": "李娜", "联系电话": "13800000000"}
    row.update(over)
    return row


def good_tables() -> dict[str, list[dict]]:
    """Two enterprises: A (甲镇 named in its address) with an air and a water outlet, B (placed by its
    coordinates in 乙镇) with one stack and a boundary-noise duty."""
    return {
        "basic": [
            basic_row(CODE_A, "PA-2024-001", "甲印染有限公司", 生产经营场所地址="浙江省桐乡市甲镇工业路1号", 行业类别="C1713 棉印染精加工"),
            basic_row(CODE_B, "PB-2024-001", "乙塑料制品有限公司", 中心经度=120.15, 管理类别="简化管理", 行业类别="日用塑料制品制造"),
        ],
        "outlets": [
            {"许可证编号": "PA-2024-001", "排放口编号": "DA001", "排放口名称": "1#废气排放口", "排放口类别": "废气",
             "排放口类型": "主要排放口", "经度": 120.051, "纬度": 30.051, "排气筒高度（m）": 25, "自动监测": "是"},
            {"许可证编号": "PA-2024-001", "排放口编号": "DW001", "排放口名称": "废水总排口", "排放口类别": "废水",
             "排放口类型": "主要排放口", "受纳水体": "京杭运河", "自动监测": "是"},
            {"许可证编号": "PB-2024-001", "排放口编号": "DA001", "排放口名称": "注塑废气排放口", "排放口类型": "一般排放口",
             "排气筒高度（m）": 15, "自动监测": "否"},
        ],
        "limits": [
            {"许可证编号": "PA-2024-001", "排放口编号": "DA001", "污染物种类": "颗粒物", "许可排放浓度限值": 10,
             "浓度单位": "mg/m3", "限值时段": "小时均值", "年许可排放量": 2.5, "年许可排放量单位": "t/a",
             "执行标准": "DB33/2147-2018"},
            {"许可证编号": "PA-2024-001", "排放口编号": "DW001", "污染物种类": "化学需氧量（COD）", "许可排放浓度限值": 80,
             "浓度单位": "毫克/升", "限值时段": "日均值", "年许可排放量": 1500, "年许可排放量单位": "kg/a",
             "执行标准": "GB 4287-2012"},
            {"许可证编号": "PA-2024-001", "排放口编号": "DW001", "污染物种类": "pH值", "许可排放浓度限值": 9,
             "浓度限值下限": 6, "浓度单位": "无量纲", "限值时段": "瞬时值", "执行标准": "GB 8978-1996"},
            {"许可证编号": "PB-2024-001", "排放口编号": "DA001", "污染物种类": "非甲烷总烃", "许可排放浓度限值": 80,
             "限值时段": "小时均值", "执行标准": "GB 37822-2019"},
        ],
        "duties": [
            {"许可证编号": "PA-2024-001", "排放口编号": "DA001", "污染物种类": "颗粒物", "监测方式": "自动", "监测频次": "连续"},
            {"许可证编号": "PA-2024-001", "排放口编号": "DW001", "污染物种类": "COD", "监测方式": "自动", "监测频次": "连续"},
            {"许可证编号": "PB-2024-001", "排放口编号": "DA001", "污染物种类": "非甲烷总烃", "监测方式": "手工", "监测频次": "每半年"},
            {"许可证编号": "PB-2024-001", "排放口编号": "", "污染物种类": "厂界噪声", "监测方式": "手工", "监测频次": "每季度"},
        ],
    }


def renewed_tables() -> dict[str, list[dict]]:
    """The good tables after A's permit was renewed: a new number and validity, the same outlets."""
    tables = good_tables()
    tables["basic"][0].update({"许可证编号": "PA-2029-001", "发证日期": "2029-02-01", "有效期起": "2029-03-01",
                               "有效期至": "2034-02-28"})
    for table in ("outlets", "limits", "duties"):
        for row in tables[table]:
            if row["许可证编号"] == "PA-2024-001":
                row["许可证编号"] = "PA-2029-001"
    return tables


def workbook(tables: dict[str, list[dict]]) -> bytes:
    """An .xlsx with one sheet per table, the template's headers, and the given rows (by header)."""
    book = Workbook()
    book.remove(book.active)
    for table in (BASIC, OUTLETS, LIMITS, DUTIES):
        sheet = book.create_sheet(table.sheet)
        sheet.append(table.headers)
        for row in tables.get(table.key, []):
            unknown = set(row) - set(table.headers)
            assert not unknown, unknown
            sheet.append([row.get(h) for h in table.headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def registry_counts() -> dict[str, int]:
    return {"enterprises": Enterprise.objects.count(), "permits": Permit.objects.count(),
            "outlets": Outlet.objects.count(), "limits": PermitLimit.objects.count(),
            "duties": MonitoringDuty.objects.count()}


def snapshot() -> dict:
    """The registry by natural keys (no database ids), to compare two registries."""
    return {
        "enterprises": sorted(Enterprise.objects.values_list(
            "credit_code", "name", "industry__code", "address", "latitude", "longitude", "township__code",
            "village__code", "grid__code", "management_class", "legal_representative", "contact_name",
            "contact_phone", "contact_email", "status")),
        "permits": sorted(Permit.objects.values_list(
            "number", "enterprise__credit_code", "management_class", "issued_on", "valid_from", "expires_on",
            "status", "issuing_authority")),
        "outlets": sorted(Outlet.objects.values_list(
            "permit__number", "enterprise__credit_code", "code", "name", "kind", "is_main", "online_monitored",
            "latitude", "longitude", "height_m", "receiving_water")),
        "limits": sorted(PermitLimit.objects.values_list(
            "outlet__permit__number", "outlet__code", "pollutant__code", "limit_value", "lower_limit", "unit",
            "averaging_period", "standard", "annual_quantity")),
        "duties": sorted((p, o or "", c, m, f) for p, o, c, m, f in MonitoringDuty.objects.values_list(
            "permit__number", "outlet__code", "pollutant__code", "method", "frequency")),
    }
