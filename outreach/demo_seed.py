"""Extends the demo county with enterprise services, all made through the outreach services with the
clock moved back: a question bank and two exams taken by a few hundred enterprises, law and policy
articles pushed by industry and township over the last months (most read), questions at every stage
(some answered late, some overdue, some published in the FAQ), steward health checks with overdue
and completed remedy items (all these beside dispatch: ``prepare``), and last quarter's self-assessments,
which read the warnings and rounds."""
import datetime as dt
import random

from django.db.models import F

from core import clock
from enterprises.models import Enterprise, Industry, Role, User

from .models import ArticleReceipt, BankQuestion, Question, RemedyItem
from .services import articles, assessments, exams, healthchecks, questions
from .services.errors import OutreachError
from .views.assessments import last_quarter

ORDER = 80  # the self-assessments read the warnings and the rounds (dispatch); before the eco-code scoring
PREPARE_AFTER = "alerts"  # exams, articles, questions and health checks need only the accounts

BANK = [
    ("single", "《排污许可管理条例》自哪一天起施行？", ["2020年3月1日", "2021年3月1日", "2022年1月1日"], [1]),
    ("single", "排污许可证的有效期一般为几年？", ["3年", "5年", "10年"], [1]),
    ("single", "排污单位变更名称、住所的，应当在变更之日起多少日内申请变更排污许可证？",
     ["10日", "30日", "60日"], [1]),
    ("single", "重点管理排污单位的自动监测数据应当保存多久？", ["1年", "3年", "5年"], [2]),
    ("single", "未取得排污许可证排放污染物的，最高可处多少罚款？", ["20万元", "50万元", "100万元"], [2]),
    ("single", "执行报告中的年度报告应当于次年何时前提交？", ["1月15日", "1月31日", "3月31日"], [0]),
    ("multiple", "排污许可证执行报告按报告周期分为哪些？", ["年度执行报告", "季度执行报告", "月度执行报告", "周报"],
     [0, 1, 2]),
    ("multiple", "环境管理台账应当记录哪些内容？", ["基本信息", "污染防治设施运行管理信息", "监测记录信息", "员工考勤"],
     [0, 1, 2]),
    ("multiple", "哪些情形属于超许可排放浓度排放污染物？", ["小时均值超过限值", "日均值超过限值", "流量偏大",
                                                    "自动监测有效数据超过限值"], [1, 3]),
    ("multiple", "危险废物贮存设施应当具备哪些条件？", ["防渗", "防雨", "设置标识", "露天堆放"], [0, 1, 2]),
    ("true_false", "排污单位可以通过暗管、渗井等逃避监管的方式排放污染物。", ["对", "错"], [1]),
    ("true_false", "排污许可证应当在生产经营场所的显著位置悬挂。", ["对", "错"], [0]),
    ("true_false", "自动监测设备出现故障时，排污单位应当及时报告并开展手工监测。", ["对", "错"], [0]),
    ("true_false", "简化管理排污单位无需提交执行报告。", ["对", "错"], [1]),
    ("true_false", "排污单位应当对自行监测数据的真实性、准确性负责。", ["对", "错"], [0]),
    ("single", "排污许可证副本中载明的主要内容不包括？", ["排放口位置", "许可排放浓度", "企业利润"], [2]),
]
ARTICLES = [
    ("law", "《排污许可管理条例》全文及解读", "条例共七章五十一条，明确了排污许可的申请、审批、执行和监管要求……"),
    ("policy", "关于做好年度排污许可证执行报告提交工作的通知", "各排污单位应于次年1月15日前在全国排污许可证管理信息平台提交年度执行报告……"),
    ("standard", "纺织染整工业水污染物排放标准要点", "直接排放的化学需氧量限值为80毫克/升，间接排放为200毫克/升……"),
    ("technology", "印染废水深度处理技术指南", "推荐采用“调节+水解酸化+好氧+芬顿氧化”的组合工艺……"),
    ("case", "典型案例：篡改自动监测数据被移送公安机关", "某企业通过修改数采仪参数伪造监测数据，依法被处罚并移送……"),
    ("policy", "环保信用评价（生态码）管理办法说明", "生态码按企业环境信用分为绿、蓝、黄、橙、红五色，实施差异化监管……"),
    ("standard", "大气污染物综合排放标准常见问题", "有组织排放的颗粒物、二氧化硫、氮氧化物限值及监测要求……"),
    ("law", "《固体废物污染环境防治法》危险废物管理要求", "产生危险废物的单位应当按照国家有关规定制定危险废物管理计划……"),
]
QUESTIONS = [
    ("permit", "排污许可证执行报告在哪里提交？", "我公司是重点管理单位，年度执行报告在哪个平台提交？",
     "请登录全国排污许可证管理信息平台，在“执行报告”栏目填报并提交。"),
    ("permit", "企业名称变更后排污许可证要重新申请吗？", "我司更名了，排污许可证需要重新办理吗？",
     "不需要重新申请，应在名称变更之日起30日内申请变更排污许可证。"),
    ("monitoring", "在线监测设备维护期间数据怎么处理？", "下周设备校准两天，数据缺失怎么办？",
     "请提前在平台申报维护时段，维护期间按要求开展手工监测并留存记录。"),
    ("law", "超标排放会怎么处罚？", "偶尔一个小时均值超标会被处罚吗？",
     "以日均值或自动监测有效数据判断超标；发现超标请立即排查并报告。"),
    ("waste", "危废暂存间需要满足什么要求？", "新建危废暂存间有哪些规范？",
     "应满足防渗、防雨、防流失要求，设置标识，并建立出入库台账。"),
    ("local", "厂区雨污分流改造需要备案吗？", "我们准备改造雨水管网，要向镇里报备吗？",
     "请将改造方案报镇生态环境办备案，完工后通知现场核查。"),
    ("monitoring", "自行监测频次在哪里查？", "我们不知道废气要多久测一次。",
     "自行监测频次以排污许可证副本载明的要求为准，也可参照相关自行监测技术指南。"),
    ("other", "环保管家服务怎么申请？", "我们想请第三方环保管家，平台能推荐吗？",
     "可在企业服务栏目查看第三方服务机构信息，自主选择。"),
]
HEALTH_RISKS = [
    ("危废暂存间未做防渗", "铺设防渗层并设置围堰", "high"), ("废气收集罩破损", "更换集气罩并检测风量", "medium"),
    ("运行台账记录不全", "补齐近三个月运行台账", "low"), ("雨水排口有异色水", "排查雨污混接并整改", "high"),
    ("应急预案未更新", "修订突发环境事件应急预案并备案", "medium"), ("标识牌缺失", "补设排放口标识牌", "low"),
]


def _bureau() -> User:
    return User.objects.filter(role=Role.BUREAU, is_superuser=False).order_by("pk").first() or \
        User.objects.filter(role=Role.BUREAU).order_by("pk").first()


def _accounts(limit: int, step: int = 1) -> list[User]:
    return list(User.objects.filter(role=Role.ENTERPRISE, enterprise__status=Enterprise.Status.OPERATING)
                .select_related("enterprise").order_by("pk")[:limit * step:step])


def _exams(rng, now, bureau) -> int:
    BankQuestion.objects.bulk_create([BankQuestion(kind=k, text=t, options=o, correct=c, topic="permit")
                                      for k, t, o, c in BANK])
    bank = {q.pk: q for q in BankQuestion.objects.all()}
    taken = 0
    for months_ago, title, takers in ((3, "《排污许可管理条例》知识考试", 248), (0, "危险废物规范化管理知识测试", 60)):
        opens = now - dt.timedelta(days=30 * months_ago + 10)
        with clock.frozen(opens):
            exam = exams.exam_create(user=bureau, title=title, time_limit_minutes=30, opens_at=opens,
                                     closes_at=opens + dt.timedelta(days=40), count=10, seed=months_ago)
        items = list(exam.items.all())
        for n, account in enumerate(_accounts(takers, step=3)):
            with clock.frozen(min(opens + dt.timedelta(hours=rng.uniform(1, 24 * 30)), now - dt.timedelta(hours=1))):
                attempt = exams.attempt_start(user=account, exam=exam)
                skill = rng.random()
                sheet = {}
                for item in items:
                    question = bank[item.question_id]
                    sheet[item.pk] = question.correct if rng.random() < 0.8 + 0.2 * skill else \
                        [rng.randrange(len(question.options))]
                exams.attempt_submit(user=account, attempt=attempt, answers=sheet)
            taken += 1
            if n == 5:  # one enterprise was given a second chance
                exams.retake_grant(user=bureau, exam=exam, enterprise=account.enterprise)
    return taken


def _articles(rng, now, bureau) -> int:
    industries = list(Industry.objects.filter(enterprises__isnull=False).distinct().order_by("code")[:6])
    townships = list(Enterprise.objects.values_list("township", flat=True).distinct().order_by("township")[:4])
    pushed = 0
    for n, (topic, title, body) in enumerate(ARTICLES):
        at = now - dt.timedelta(days=12 * (len(ARTICLES) - n) + 3)
        with clock.frozen(at):
            article = articles.article_publish(user=bureau, title=title, body=body * 3, topic=topic,
                                               industries=industries[n % len(industries):][:1])
            if n % 2:
                push = articles.article_push(user=bureau, article=article, townships=[townships[n % len(townships)]])
            else:
                push = articles.article_push(user=bureau, article=article,
                                             industries=[industries[n % len(industries)]])
        pushed += push.reached
        # about two in three read it within days
        ArticleReceipt.objects.filter(push=push).annotate(bucket=F("enterprise_id") % 3).exclude(bucket=0) \
            .update(read_at=at + dt.timedelta(days=rng.uniform(0.2, 5)))
    return pushed


def _staff_for(question: Question) -> User:
    if question.route == "township":
        return User.objects.filter(role=Role.TOWNSHIP, township_id=question.township_id).order_by("pk").first()
    return _bureau()


def _questions(rng, now) -> int:
    accounts = _accounts(len(QUESTIONS) * 6, step=7)
    asked = 0
    for n, account in enumerate(accounts):
        topic, title, body, answer = QUESTIONS[n % len(QUESTIONS)]
        at = now - dt.timedelta(days=rng.uniform(0.5, 100))
        with clock.frozen(at):
            question = questions.question_ask(user=account, topic=topic, title=title, body=body)
        asked += 1
        fate = rng.random()
        if fate < 0.12 and at > now - dt.timedelta(days=10):
            continue  # still waiting, some overdue
        staff = _staff_for(question)
        if staff is None:
            continue
        delay = dt.timedelta(hours=rng.uniform(2, 60) if fate < 0.85 else rng.uniform(80, 150))
        with clock.frozen(min(at + delay, now)):
            questions.question_answer(user=staff, question=question, body=answer)
            if n < len(QUESTIONS):  # the first of each kind goes into the FAQ
                questions.question_publish(user=staff, question=question)
            elif fate < 0.5:
                questions.question_close(user=account, question=question)
    return asked


def _health_checks(rng, now, today) -> int:
    made = 0
    for account in _accounts(40, step=11):
        checked = today - dt.timedelta(days=rng.randint(20, 150))
        picks = rng.sample(HEALTH_RISKS, 3)
        items = [{"risk": risk, "measure": measure, "severity": severity,
                  "deadline": checked + dt.timedelta(days=rng.randint(15, 90))} for risk, measure, severity in picks]
        with clock.frozen(now - dt.timedelta(days=(today - checked).days)):
            check = healthchecks.health_check_record(user=account, enterprise=account.enterprise, checked_on=checked,
                                                     steward="桐乡绿源环保科技有限公司 " + account.first_name[:1] + "工",
                                                     summary="现场体检发现以下问题，已制定一企一策整改方案。", items=items)
        for item in RemedyItem.objects.filter(health_check=check):
            if item.deadline < today and rng.random() < 0.7:
                done_on = max(checked, min(today, item.deadline - dt.timedelta(days=rng.randint(-3, 5))))
                with clock.frozen(now - dt.timedelta(days=(today - done_on).days)):
                    healthchecks.remedy_item_done(user=account, item=item, note="已按方案完成整改，照片已存档。")
        made += 1
    return made


def _self_assessments(rng, now, today) -> int:
    start, end = last_quarter(today)
    made = 0
    for account in _accounts(40, step=13):
        lines = assessments.obligations(account.enterprise, start, end)
        if not lines:
            continue
        declarations = {line["ref"]: {"ok": rng.random() > 0.05, "note": ""} for line in lines}
        try:
            with clock.frozen(now - dt.timedelta(days=rng.uniform(1, 5))):
                assessments.assessment_submit(user=account, start=start, end=end, declarations=declarations)
        except OutreachError:
            continue  # e.g. a period starting before the permit
        made += 1
    return made


def prepare(county) -> dict:
    """What reads only the enterprises and their accounts, built beside the hooks after the warnings."""
    now, rng, bureau = clock.now(), random.Random(f"{county.seed}:outreach"), _bureau()
    return {"exam attempts": _exams(rng, now, bureau), "article deliveries": _articles(rng, now, bureau),
            "questions": _questions(rng, now), "health checks": _health_checks(rng, now, now.date())}


def extend(county) -> dict:
    now = clock.now()
    return {"self-assessments": _self_assessments(county.rng, now, now.date())}
