"""The handler's feedback on a work order, with its photos and videos: one use case for the web page and
the API. The order moves to ``fed_back`` when the feedback and every file it declared have arrived."""
import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core import clock

from .. import workflow
from ..models import Feedback, WorkOrder
from ..workflow import NotAllowed, WorkflowError
from .evidence import attachment_add, feedback_complete, sniff

MAX_FILES = 50


def feedback_submit(*, order_id: int, user, text: str, files=(), declared_files: int | None = None,
                    client_uuid: uuid.UUID | str | None = None, taken_at: dt.datetime | None = None,
                    latitude=None, longitude=None) -> tuple[Feedback, bool]:
    """Record the handler's feedback and store the ``files`` sent along; ``declared_files`` (at least
    ``len(files)``) says how many in all, the rest uploaded one by one (``attachment_add``). A feedback
    with no file is complete at once. Returns ``(feedback, created)``: a retry by the same user with the
    same ``client_uuid`` returns the first feedback (and adds the files it still lacks). Whether the user
    may feed back is checked before anything else, so a client id of someone else's feedback opens nothing.
    """
    text = (text or "").strip()
    files = list(files)
    declared = len(files) if declared_files is None else int(declared_files)
    if not text:
        raise WorkflowError(_("Feedback needs text saying what was done."))
    if not 0 <= declared <= MAX_FILES:
        raise WorkflowError(_("A feedback carries between 0 and 50 files."))
    if declared < len(files):
        raise WorkflowError(_("Fewer files declared than sent."))
    for upload in files:  # refuse a bad file before anything is stored
        sniff(upload)
    client_uuid = uuid.UUID(str(client_uuid)) if client_uuid else uuid.uuid4()
    now = clock.now()
    try:
        with transaction.atomic():
            order = WorkOrder.objects.select_for_update(of=("self",)).select_related("team").get(pk=order_id)
            if not workflow.may(user, order, workflow.HANDLER):
                raise NotAllowed(_("Only the order's handler feeds back."))
            feedback = Feedback.objects.filter(client_uuid=client_uuid).first()
            if feedback is not None:
                if feedback.work_order_id != order.pk or feedback.submitted_by_id != user.pk:
                    raise WorkflowError(_("This submission id belongs to another feedback."))
                created = False
            else:
                workflow.check(order, "feed_back", user)
                feedback = Feedback.objects.create(work_order=order, client_uuid=client_uuid, text=text,
                                                   declared_files=declared, submitted_by=user, submitted_at=now)
                created = True
                if declared == 0:
                    feedback_complete(feedback=feedback, order=order, now=now)
            for upload in files:
                attachment_add(upload=upload, feedback=feedback, user=user, taken_at=taken_at,
                               latitude=latitude, longitude=longitude)
    except IntegrityError:  # a concurrent retry created it first
        feedback = Feedback.objects.get(client_uuid=client_uuid)
        if feedback.submitted_by_id != user.pk:
            raise WorkflowError(_("This submission id belongs to another feedback.")) from None
        return feedback, False
    return feedback, created
