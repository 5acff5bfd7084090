import pytest
from tests import factories as f
from ecocode.services import scoring
from ecocode.models import Indicator

@pytest.mark.django_db
def test_smoke(now):
    assert Indicator.objects.count() == 102
    e = f.enterprise(); p = f.permit(e); f.outlet(p, limits={"w01018": 100})
    run = scoring.score_all()
    print(run.unavailable_rules)
    s = e.eco_scores.get()
    print(s.score, s.colour, s.explanation)
