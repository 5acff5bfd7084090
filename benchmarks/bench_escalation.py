"""Benchmark: seconds and queries to open the work orders of an escalation storm set-based
(``dispatch.services.escalations.work_orders_open_many``: orders, transitions, audit entries, handlers'
notices), against the one-order-at-a-time path (``work_order_open`` per warning, as the cycle did before),
in the same run on the same county. The baseline walks ``--sample`` warnings and is extrapolated.

Run: .venv/bin/python benchmarks/bench_escalation.py [--warnings 10000] [--sample 300]
"""
import argparse
import os

from common import print_table, timer, use_database


def build(n: int) -> list:
    """11 townships with two officers each and an enforcement team, ``n`` enterprises (bulk inserts)."""
    from dispatch.models import Team
    from enterprises.models import County, Enterprise, Industry, Role, Township, User
    from enterprises.validators import make_credit_code

    county = County.objects.create(code="330483", name="桐乡市")
    towns = Township.objects.bulk_create(Township(county=county, code=f"T{k:03d}", name=f"镇{k}") for k in range(11))
    User.objects.bulk_create([User(username=f"t{t.pk}-{k}", role=Role.TOWNSHIP, township=t) for t in towns
                              for k in range(2)])
    team = Team.objects.create(name="执法一队")
    team.townships.set(towns[:6])
    industry = Industry.objects.first()
    return Enterprise.objects.bulk_create(
        [Enterprise(credit_code=make_credit_code("330483", f"E{k:07d}"), name=f"企业{k}", industry=industry,
                    latitude=30.6, longitude=120.5, township=towns[k % 11], management_class="key")
         for k in range(n)], batch_size=5000)


def items(enterprises, tag: str) -> list:
    from core.escalation import Escalation

    return [Escalation(source="alert", source_ref=f"{tag}:{e.pk}", enterprise=e, title=f"报警：{e.name} 超标",
                       description="超过 30 分钟未恢复", evidence={"rule": "exceedance"}) for e in enterprises]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warnings", type=int, default=10000)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    use_database("bench_escalation")
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dispatch.models import Transition, WorkOrder
    from dispatch.services.escalations import work_orders_open_many
    from dispatch.services.orders import work_order_open_from_escalation

    enterprises = build(args.warnings)
    result: dict = {}
    batch = items(enterprises, "storm")
    with CaptureQueriesContext(connection) as q, timer(result, "set"), transaction.atomic():
        orders = work_orders_open_many(batch)
    set_queries = len(q)
    assert len({o.pk for o in orders}) == args.warnings
    assert Transition.objects.filter(work_order__in=orders).count() == 2 * args.warnings
    sample = items(enterprises[:args.sample], "naive")
    with CaptureQueriesContext(connection) as q, timer(result, "naive"), transaction.atomic():
        for item in sample:
            work_order_open_from_escalation(item)
    per = result["naive"] / len(sample)
    load = os.getloadavg()
    print_table(f"escalation storm: {args.warnings:,} work orders (load average {load[0]:.1f} {load[1]:.1f})", [
        ("seconds", f"{result['set']:.1f}", f"{per * args.warnings:.1f} (extrapolated from {len(sample)})"),
        ("queries", f"{set_queries:,}", f"{len(q) / len(sample) * args.warnings:,.0f}"),
        ("orders per second", f"{args.warnings / result['set']:,.0f}", f"{1 / per:,.0f}"),
    ])
    assert WorkOrder.objects.count() == args.warnings + len(sample)


if __name__ == "__main__":
    main()
