"""Print the calibration report of the latest full scoring run (``ecocode.services.calibration``)."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ecocode.services import calibration


class Command(BaseCommand):
    help = "The county's colour distribution and how each weight and band moves it."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="list every indicator, not only those that charge")

    def handle(self, *args, **options):
        translation.activate("zh-hans")
        data = calibration.report()
        if data is None:
            raise CommandError("no full scoring run yet: run the nightly scoring first")
        out = self.stdout.write
        run = data["run"]
        out(f"评分批次 #{run.pk}（数据截至 {run.as_of:%Y-%m-%d %H:%M}，指标目录 v{run.catalogue_version.number}），"
            f"共 {data['total']} 家企业")
        out("\n颜色分布：")
        for d in data["distribution"]:
            out(f"  {d['label']:<10} {d['n']:>6} 家  {d['share']:>5}%")
        if data["grey_by_class"]:
            out("  其中数据不足：" + "，".join(f"{g['label']} {g['n']} 家" for g in data["grey_by_class"]))
        out("\n指标：扣分企业数、扣分合计、已由更精确指标扣分的情形、权重 ×0.5 / ×1.5 时颜色变好/变差的企业数")
        for ind in data["indicators"]:
            if not (options["all"] or ind["touched"] or ind["already"]):
                continue
            sens = "  ".join(f"×{s['factor']}: +{s['better']}/-{s['worse']}" for s in ind["sensitivity"])
            out(f"  {ind['code']} {ind['name'][:24]:<24} 权重 {ind['weight']:>5}  企业 {ind['touched']:>5}  "
                f"扣分 {ind['points']:>8.1f}  已扣 {ind['already']:>4}  {sens}  [{ind['weight_source']}]")
        out("\n分档阈值 ±2 分时颜色变好/变差的企业数：")
        for b in data["bands"]:
            shifts = "  ".join(f"{s['min_score']} 分: +{s['better']}/-{s['worse']}" for s in b["shifts"])
            out(f"  {b['label']} ≥ {b['min_score']}  {shifts}")
        if data["unavailable"]:
            out("\n无数据来源、未评分的规则：")
            for u in data["unavailable"]:
                out(f"  {u['rule']}（{'、'.join(u['codes'])}）：{u['reason']}；影响 {u['enterprises']} 家企业")
