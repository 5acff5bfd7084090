"""``core.beside``: work run in a process of its own sees what the caller committed, returns its value,
brings its failure back with the traceback, and runs in line where it could not see the caller's rows."""
import os

import pytest

from core.beside import Beside, BesideError, can_fork
from enterprises.models import Township
from tests import factories as f


def _town_count_and_pid(name):
    return Township.objects.filter(name=name).count(), os.getpid()


def _write_town(name):
    return f.township(name).pk


def _fail():
    raise ValueError("the preparation broke")


def _die():
    os._exit(3)


@pytest.mark.django_db(transaction=True)
def test_work_beside_runs_in_its_own_process_on_what_was_committed():
    assert can_fork()
    f.township("甲镇")
    count, pid = Beside(lambda: _town_count_and_pid("甲镇")).result()
    assert (count, pid != os.getpid()) == (1, True)
    made = Beside(lambda: _write_town("乙镇")).result()
    assert Township.objects.get(pk=made).name == "乙镇"  # the parent reconnects and sees the child's commit


@pytest.mark.django_db(transaction=True)
def test_a_failure_beside_comes_back_with_its_traceback():
    beside = Beside(_fail)
    with pytest.raises(BesideError, match="ValueError: the preparation broke"):
        beside.result()
    with pytest.raises(BesideError, match="exit code 3"):
        Beside(_die).result()
    f.township("丁镇")  # the parent's connection still works
    assert Township.objects.filter(name="丁镇").count() == 1


@pytest.mark.django_db
def test_inside_a_transaction_the_work_runs_in_line():
    assert not can_fork()
    f.township("丙镇")  # uncommitted: a process of its own could not see it
    assert Beside(lambda: _town_count_and_pid("丙镇")).result() == (1, os.getpid())
    with pytest.raises(ValueError):
        Beside(_fail)
