"""The four tables of a permit as the national permit platform lays them out, one sheet each.

Headers are the platform's Chinese headers (they are the file format, not UI text); ``aliases`` are the
other spellings found in bureaus' own sheets. The same definitions write the templates and exports and
read the imports, so a file the platform exports comes back in unchanged.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""  # what the instructions sheet says about the column


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


PERMIT_NUMBER = Column("permit_number", "许可证编号", True, ("排污许可证编号", "证书编号", "登记编号"),
                       "排污许可证编号或排污登记编号")
OUTLET_CODE = Column("outlet_code", "排放口编号", True, ("排污口编号",), "如 DA001（废气）、DW001（废水）")
POLLUTANT = Column("pollutant", "污染物种类", True, ("污染物", "污染物名称", "监测指标", "监测项目"),
                   "污染物名称（如 化学需氧量、氨氮、颗粒物）或 HJ 212 编码")

BASIC = Table("basic", "基本信息", (
    Column("name", "单位名称", True, ("排污单位名称", "企业名称")),
    Column("credit_code", "统一社会信用代码", True, ("社会信用代码",), "18 位，末位为校验码"),
    PERMIT_NUMBER,
    Column("industry", "行业类别", True, ("行业", "行业类别代码", "所属行业"), "GB/T 4754 代码和/或名称，如 C1713 棉印染精加工"),
    Column("address", "生产经营场所地址", False, ("地址", "注册地址", "生产经营场所")),
    Column("township", "所属乡镇（街道）", False, ("所属乡镇", "乡镇", "乡镇（街道）", "所在乡镇"),
           "可空：按地址中的乡镇名或中心坐标确定"),
    Column("longitude", "中心经度", True, ("经度", "生产经营场所中心经度"), "十进制度，如 120.5612"),
    Column("latitude", "中心纬度", True, ("纬度", "生产经营场所中心纬度"), "十进制度，如 30.6301"),
    Column("management_class", "管理类别", True, ("许可证管理类别", "管理类型"), "重点管理、简化管理或登记管理"),
    Column("issued_on", "发证日期", True, ("发证时间",), "如 2024-03-01"),
    Column("valid_from", "有效期起", True, ("有效期限起", "有效期开始")),
    Column("expires_on", "有效期至", True, ("有效期限至", "有效期截止", "有效期结束")),
    Column("issuing_authority", "发证机关", False, ("发证单位",)),
    Column("permit_status", "许可证状态", False, ("证书状态",), "有效、已过期、暂停或撤销；可空：按有效期确定"),
    Column("legal_representative", "法定代表人", False, ("法人代表",)),
    Column("contact_name", "环保联系人", False, ("联系人",)),
    Column("contact_phone", "联系电话", False, ("联系人电话", "手机")),
    Column("contact_email", "电子邮箱", False, ("联系邮箱", "邮箱")),
    Column("status", "生产状态", False, ("运行状态", "经营状态"), "正常生产、停产或关闭；可空：新单位为正常生产"),
))

OUTLETS = Table("outlets", "排放口", (
    PERMIT_NUMBER,
    OUTLET_CODE,
    Column("name", "排放口名称", False, ("排污口名称",)),
    Column("kind", "排放口类别", False, ("排放类别", "介质"), "废气、废水或噪声；可空：按编号 DA/DW 确定"),
    Column("outlet_type", "排放口类型", False, (), "主要排放口或一般排放口"),
    Column("longitude", "经度", False, ("排放口经度",)),
    Column("latitude", "纬度", False, ("排放口纬度",)),
    Column("height_m", "排气筒高度（m）", False, ("排气筒高度", "排气筒高度(m)")),
    Column("receiving_water", "受纳水体", False, ("受纳水体名称",)),
    Column("online_monitored", "自动监测", False, ("是否安装自动监测设备", "在线监测"), "是或否"),
))

LIMITS = Table("limits", "许可排放限值", (
    PERMIT_NUMBER,
    OUTLET_CODE,
    POLLUTANT,
    Column("limit_value", "许可排放浓度限值", True, ("浓度限值", "排放浓度限值")),
    Column("lower_limit", "浓度限值下限", False, ("下限",), "仅用于范围，如 pH 6～9 的 6"),
    Column("unit", "浓度单位", False, ("单位", "限值单位"), "如 mg/m³、mg/L；可空：按污染物默认单位"),
    Column("averaging_period", "限值时段", True, ("浓度限值时段", "均值时段", "限值类型"),
           "小时均值、日均值、半小时均值或瞬时值"),
    Column("annual_quantity", "年许可排放量", False, ("年许可排放量限值", "许可排放量")),
    Column("annual_unit", "年许可排放量单位", False, ("排放量单位",), "t/a（吨/年）或 kg/a；可空：t/a"),
    Column("standard", "执行标准", False, ("排放标准", "执行标准名称", "污染物排放标准")),
))

DUTIES = Table("duties", "自行监测要求", (
    PERMIT_NUMBER,
    Column("outlet_code", "排放口编号", False, ("排污口编号", "监测点位"), "可空：厂界、无组织等不属于排放口的监测"),
    POLLUTANT,
    Column("method", "监测方式", True, ("监测设施", "自动监测/手工监测"), "自动或手工"),
    Column("frequency", "监测频次", True, ("手工监测频次",), "连续、每日、每周、每月、每季度、每半年或每年"),
))

TABLES = (BASIC, OUTLETS, LIMITS, DUTIES)
