"""What the enterprise is told when its colour changes: why (the deductions that weigh most), what to do
(correct, object, apply for credit repair) and where (links to the deductions and to the objection
form). Sent for all changes of a run in one batch (``notify_many``); a first colour is recorded, not
announced."""
from django.urls import reverse

from enterprises.models import Enterprise
from notifications.services import Message, notify_many

from ..models import Colour

NAMES = {"green": "绿码", "blue": "蓝码", "yellow": "黄码", "orange": "橙码", "red": "红码", "grey": "灰码（数据不足）"}
MOST = 3  # deductions named in the notice


def _why(score) -> str:
    charged = [e for e in score.explanation if e["points"] > 0][:MOST]
    if not charged:
        return "当前无扣分项。"
    return "主要扣分项：" + "；".join(f"{e['code']} {e['name']}（扣 {e['points']:g} 分）" for e in charged) + "。"


def _what(change) -> str:
    if change.to_colour == Colour.GREY:
        return "平台缺少贵单位足够的数据，无法评分：请按时提交执行报告，并确保在线监测设备正常联网上报。"
    worse = Colour.scored().index(change.to_colour) > Colour.scored().index(change.from_colour) \
        if change.from_colour in Colour.scored() else True
    if not worse:
        return "请继续保持。"
    return ("请对照扣分明细及时整改；对扣分有异议的，可在平台提出异议并附证明材料；"
            "整改完成并经过规定期限后，可申请信用修复。")


def message_for(change, enterprise) -> Message:
    detail = reverse("ecocode:detail", args=[change.enterprise_id])
    subject = f"生态环境信用码由{NAMES.get(change.from_colour, change.from_colour)}变为{NAMES[change.to_colour]}"
    body = (f"贵单位的生态环境信用码评分为 {change.score.score} 分，颜色由{NAMES.get(change.from_colour)}变为"
            f"{NAMES[change.to_colour]}。{_why(change.score)}{_what(change)}\n"
            f"扣分明细：{detail}#deductions\n提出异议：{reverse('ecocode:objection_new', args=[change.enterprise_id])}")
    return Message(kind="ecocode.colour", enterprise=enterprise, subject=subject, body=body, url=f"{detail}#deductions",
                   source=f"ecocode:score:{change.score.pk}", dedup_key=f"ecocode:colour:{change.score.pk}")


def colour_changed(changes) -> int:
    """Notify every enterprise whose colour changed (not first colours). Returns how many were told."""
    changed = [c for c in changes if c.from_colour]
    if not changed:
        return 0
    enterprises = Enterprise.objects.in_bulk([c.enterprise_id for c in changed])
    return len(notify_many(message_for(c, enterprises[c.enterprise_id]) for c in changed))
