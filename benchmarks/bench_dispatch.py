"""Benchmark: seconds for one "1357" deadline pass (``dispatch.services.deadlines_check``) over many open
work orders on PostgreSQL, against a baseline that walks the orders one by one with the ORM (one save and
one notification per order and recipient), in the same run on the same data. The baseline is slow, so
above ``--sample`` orders it walks the first ``--sample`` orders and the time is extrapolated linearly
(with ``--sample`` >= ``--orders`` it walks them all and both must catch exactly the same orders).

Run: .venv/bin/python benchmarks/bench_dispatch.py [--orders 50000] [--sample 2000]
"""
import argparse
import datetime as dt
import random

from common import print_table, timer, use_database

RULES = ("accept", "fix", "plan", "supervise")


def build(orders: int, now: dt.datetime) -> None:
    """11 townships with two officers each, a bureau user, and ``orders`` open orders opened over the
    last ten days in every pre-fix state (bulk inserts)."""
    from dispatch.models import WorkOrder
    from dispatch.services import deadlines
    from enterprises.models import County, Role, Township, User

    county = County.objects.create(code="330483", name="桐乡市")
    towns = Township.objects.bulk_create(Township(county=county, code=f"T{n:03d}", name=f"镇{n}") for n in range(11))
    User.objects.bulk_create([User(username=f"t{t.pk}-{k}", role=Role.TOWNSHIP, township=t) for t in towns
                              for k in range(2)] + [User(username="bureau", role=Role.BUREAU)])
    rng = random.Random(7)
    states = ["dispatched", "accepted", "handling"]
    rows = []
    for n in range(orders):
        opened = now - dt.timedelta(minutes=rng.randrange(10 * 24 * 60))
        rows.append(WorkOrder(source="manual", title=f"工单{n}", township=rng.choice(towns), opened_at=opened,
                              dispatched_at=opened, state=rng.choice(states), assignee_kind="township",
                              **deadlines(opened)))
    WorkOrder.objects.bulk_create(rows, batch_size=5000)


def reset() -> None:
    from dispatch.models import Transition, WorkOrder
    from notifications.models import Notification

    WorkOrder.objects.update(accept_reminded_at=None, fix_reminded_at=None, plan_reminded_at=None, supervised_at=None)
    Transition.objects.all().delete()
    Notification.objects.all().delete()


def naive_check(now: dt.datetime, limit: int) -> dict[str, int]:
    """The same rules, one order at a time: what a plain ORM loop does."""
    from django.utils import timezone

    from dispatch.models import Transition, WorkOrder
    from dispatch.workflow import UNACCEPTED, UNFIXED
    from enterprises.models import Role, User
    from notifications.services import notify

    counts = dict.fromkeys(RULES, 0)
    today = timezone.localdate(now)
    for order in WorkOrder.objects.exclude(state="closed").order_by("pk")[:limit]:
        handlers = list(User.objects.filter(role=Role.TOWNSHIP, township_id=order.township_id, is_active=True))
        due = {
            "accept": order.state in UNACCEPTED and order.accept_due_at <= now and not order.accept_reminded_at,
            "fix": order.state in UNFIXED and order.due_at <= now and not order.fix_reminded_at,
            "plan": order.state in UNFIXED and order.plan_due_at <= now and not order.plan_reported_at
            and not order.plan_reminded_at,
            "supervise": order.state in UNFIXED and order.supervise_at <= now and not order.supervised_at
            and (not order.plan_reported_at or order.plan_date < today),
        }
        for rule, hit in due.items():
            if not hit:
                continue
            counts[rule] += 1
            setattr(order, {"accept": "accept_reminded_at", "fix": "fix_reminded_at", "plan": "plan_reminded_at",
                            "supervise": "supervised_at"}[rule], now)
            order.save()
            recipients = handlers + (list(User.objects.filter(role=Role.BUREAU)) if rule == "supervise" else [])
            if rule == "supervise":
                Transition.objects.create(work_order=order, action="supervise", from_state=order.state,
                                          to_state=order.state, at=now)
            for user in recipients:
                notify(kind=f"workorder_{rule}", subject=f"工单 #{order.pk}", user=user,
                       dedup_key=f"naive:{rule}:{order.pk}:{user.pk}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()
    use_database("enf_bench_dispatch")
    from django.utils import timezone

    from dispatch.services.deadlines import deadlines_check
    from notifications.models import Notification

    now = timezone.now()
    times: dict = {}
    with timer(times, "build"):
        build(args.orders, now)
    with timer(times, "set"):
        caught = deadlines_check(now=now)
    set_notes = Notification.objects.count()
    with timer(times, "again"):
        second = deadlines_check(now=now)
    reset()
    sample = min(args.sample, args.orders)
    with timer(times, "naive"):
        naive = naive_check(now, sample)
    scale = args.orders / sample
    naive_notes = round(Notification.objects.count() * scale)
    if sample == args.orders:
        assert caught == naive, (caught, naive)
    assert second == dict.fromkeys(RULES, 0)
    print(f"{args.orders} open orders built in {times['build']:.1f} s; orders caught per rule: {caught}")
    print_table(f"deadlines_check over {args.orders} open work orders (PostgreSQL)", [
        ("one pass, seconds", f"{times['set']:.2f}",
         f"{times['naive'] * scale:.1f}" + (f" (from {sample})" if scale > 1 else "")),
        ("second pass (nothing new), seconds", f"{times['again']:.2f}", "-"),
        ("notifications written", str(set_notes), str(naive_notes)),
        ("speed-up", f"{times['naive'] * scale / times['set']:.0f}x", "1x"),
    ])


if __name__ == "__main__":
    main()
