"""The demo strategy as data: themes, rubrics, objectives, KPIs and planted audit cases.

Objectives are listed from the group down (corporate, then entity and business unit, then
department, then team); each names where it sits, the objective it contributes to and the
KPIs that measure it, with their weights. KPIs are defined where they first measure an
objective. Person-level KPIs, measured for individual goals, are listed by business function.

Numbers beside a KPI describe its typical month: ``base`` is the level (per head of the
measuring unit when ``per_head``), ``season`` and ``amplitude`` a seasonal shape, ``step``
a dated step change, ``noise`` the floor of its month-to-month variation (relative for
multiplicative units, in the unit itself for additive ones such as percentages).

A few cases are planted on purpose so that the KPI audits have something to find; the
constants at the end of the module name them. Everything else is meant to pass: distinct
names, an owner, a unit, a source or formula, a refresh cycle, a measured objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "COMMON_GOALS",
    "FUNCTION_SOURCES",
    "KPIS",
    "KPIS_BY_CODE",
    "LEADERSHIP_GOAL",
    "OBJECTIVES",
    "OBJECTIVE_LINKS",
    "PERSON_GOALS_BY_FUNCTION",
    "PERSON_KPIS",
    "PERSPECTIVE_LAYERS",
    "PLANTED_CONFLICTS",
    "PLANTED_DUPLICATES",
    "PLANTED_SMART_FAILURES",
    "PLANTED_UNMEASURED",
    "RUBRICS",
    "SEASONS",
    "STATUS_RULE_SETS",
    "STEPS",
    "THEMES",
    "UNIT_RULES",
    "KpiTemplate",
    "ObjectiveTemplate",
    "RubricSpec",
    "StatusRuleSpec",
    "UnitRule",
]

# --- vocabulary -------------------------------------------------------------------------

HIGHER, LOWER, RANGE = "higher", "lower", "range"
FIN, SAL, MKT, OPS, SCM, PRC = (
    "Finance", "Sales", "Marketing", "Operations", "Supply Chain", "Procurement",
)  # fmt: skip
HR, IT, CSV, RND, ESG, LEG = (
    "Human Resources", "IT", "Customer Service", "R&D", "ESG", "Legal & Compliance",
)  # fmt: skip
STR, DAT, PMO, CSM, GEN = (
    "Strategy", "Data", "Project Management", "Customer Success", "General Management",
)  # fmt: skip

# Perspective codes as installed (the four defaults plus ESG, which the demo adds).
FINANCIAL, CUSTOMER, PROCESS, LEARNING, ESG_P = (
    "financial", "customer", "internal-process", "learning-growth", "esg",
)  # fmt: skip

# Cause-and-effect runs from learning through process (and ESG) to customer and finance;
# a link always points to a higher layer, which keeps the strategy map acyclic.
PERSPECTIVE_LAYERS: dict[str, int] = {LEARNING: 0, PROCESS: 1, ESG_P: 1, CUSTOMER: 2, FINANCIAL: 3}

FUNCTION_SOURCES: dict[str, str] = {
    FIN: "ERP general ledger and management accounts",
    SAL: "CRM opportunities and order book",
    MKT: "Marketing automation platform and web analytics",
    OPS: "Manufacturing execution system",
    SCM: "Warehouse management system and ERP logistics",
    PRC: "Procurement suite (purchase orders and contracts)",
    HR: "HCM core records and recruiting system",
    IT: "IT service management tool",
    CSV: "Contact-centre platform and ticketing system",
    RND: "Source control, CI pipeline and issue tracker",
    ESG: "Sustainability data platform (utility, fuel and travel records)",
    LEG: "Legal matter management and GRC system",
    STR: "Portfolio management office tracker",
    DAT: "Data catalogue and quality monitoring",
    PMO: "Project controls system (earned value)",
    CSM: "Customer success platform and product telemetry",
    GEN: "Performance management system",
}


@dataclass(frozen=True)
class UnitRule:
    """How values of a unit behave: additive around a level or multiplicative, bounds, decimals."""

    additive: bool
    low: float
    high: float
    decimals: int


INF = math.inf
UNIT_RULES: dict[str, UnitRule] = {
    "%": UnitRule(True, 0.0, 100.0, 2),
    "GBP": UnitRule(False, 0.0, INF, 2),
    "count": UnitRule(False, 0.0, INF, 0),
    "FTE": UnitRule(False, 0.0, INF, 1),
    "days": UnitRule(False, 0.0, INF, 1),
    "hours": UnitRule(False, 0.0, INF, 1),
    "minutes": UnitRule(False, 0.0, INF, 1),
    "seconds": UnitRule(False, 0.0, INF, 0),
    "ratio": UnitRule(False, 0.0, INF, 3),
    "tCO2e": UnitRule(False, 0.0, INF, 1),
    "MWh": UnitRule(False, 0.0, INF, 1),
    "m3": UnitRule(False, 0.0, INF, 0),
    "litres": UnitRule(False, 0.0, INF, 0),
    "GBP/MWh": UnitRule(False, 0.0, INF, 2),
    "units/hour": UnitRule(False, 0.0, INF, 1),
    "per million hours": UnitRule(False, 0.0, INF, 2),
    "per 1,000 orders": UnitRule(False, 0.0, INF, 2),
    "per 100 employees": UnitRule(False, 0.0, INF, 2),
    "NPS": UnitRule(True, -100.0, 100.0, 1),
    "score (1-5)": UnitRule(True, 1.0, 5.0, 2),
    "score (1-7)": UnitRule(True, 1.0, 7.0, 2),
    "score (0-10)": UnitRule(True, 0.0, 10.0, 2),
    "index (0-100)": UnitRule(True, 0.0, 100.0, 1),
    "level": UnitRule(True, 1.0, 5.0, 0),
}

# Seasonal shapes by calendar month (January first), scaled by each KPI's amplitude.
SEASONS: dict[str, tuple[float, ...]] = {
    # Retail and distribution: a fourth-quarter peak, a quiet January.
    "retail": (-0.6, -0.3, 0.0, -0.1, -0.1, 0.0, -0.2, -0.3, 0.1, 0.3, 0.6, 1.0),
    # Summer holidays: activity dips in July and August.
    "summer": (0.1, 0.2, 0.3, 0.2, 0.1, 0.0, -0.5, -1.0, 0.2, 0.3, 0.2, -0.1),
    # Heating and lighting: winter peak.
    "winter": (1.0, 0.8, 0.4, 0.0, -0.4, -0.7, -0.8, -0.7, -0.3, 0.1, 0.5, 0.9),
    # The group's fiscal year ends in March: a push before, a slow April.
    "yearend": (0.0, 0.3, 1.0, -0.7, -0.3, 0.1, -0.1, -0.2, 0.2, 0.0, 0.1, 0.4),
    # Quarter-end pushes in sales.
    "quarterend": (-0.4, 0.0, 0.8, -0.4, 0.0, 0.8, -0.5, -0.1, 0.7, -0.4, 0.0, 0.9),
}

# Dated step changes: (year, month) from which the step applies.
STEPS: dict[str, tuple[int, int]] = {
    "acquisition": (2025, 10),  # Brightpath Analytics joins the group
    "price": (2025, 4),  # list price increase at the start of the fiscal year
    "ppa": (2024, 7),  # a renewable power purchase agreement starts
    "ticketing": (2025, 1),  # the new ticketing platform goes live
}


@dataclass(frozen=True)
class KpiTemplate:
    """A KPI definition and how the demo draws its values (see the module notes)."""

    code: str
    name: str
    description: str
    function: str
    unit: str
    direction: str
    base: float
    temporality: str
    kind: str
    time_aggregation: str
    tree_aggregation: str
    refresh_cycle: str
    data_source: str
    scoring: str
    per_head: bool = False
    season: str = ""
    amplitude: float = 0.0
    step: str = ""
    step_size: float = 0.0
    noise: float = 0.0
    formula: str = ""
    rubric: str = ""
    band_edges: tuple[float, ...] = ()
    band_scores: tuple[float, ...] = ()
    esg_pillar: str = ""
    disclosure_ref: str = ""
    required_by: str = ""
    range_half_width: float = 0.0
    # A planted twin follows the series of ``twin_of`` (scaled), so the two correlate.
    twin_of: str = ""
    twin_scale: float = 1.0
    # The unit rule used for values when ``unit`` is blank (a planted defect).
    values_like: str = ""
    has_owner: bool = True
    # Person-level KPIs: the goal they measure and its perspective.
    person: bool = False
    goal: str = ""
    perspective: str = ""

    @property
    def rule(self) -> UnitRule:
        return UNIT_RULES[self.unit or self.values_like]


def _k(
    function: str,
    code: str,
    name: str,
    unit: str,
    direction: str,
    base: float,
    description: str,
    *,
    lead: bool = False,
    kind: str = "",
    stock: bool = False,
    per_head: bool = False,
    time: str = "",
    tree: str = "",
    refresh: str = "monthly",
    source: str | None = None,
    scoring: str = "",
    **options: object,
) -> KpiTemplate:
    """A KPI with defaults that follow from its unit, direction and kind."""
    rule = UNIT_RULES[unit or str(options.get("values_like", ""))]
    # Flows (amounts per head, counts of events) add up; stocks keep their last value.
    flow = per_head or (unit == "count" and not stock)
    if not time:
        time = "last" if stock else ("sum" if flow else "average")
    if not tree:
        if flow or stock:
            tree = "sum"
        elif rule.additive:
            tree = "headcount_weighted"
        else:
            tree = "average"
    if not kind:
        kind = "esg" if options.get("esg_pillar") else ("process" if lead else "output")
    if options.get("rubric"):
        kind, scoring = "qualitative", "rubric"
    if not scoring:
        scoring = {HIGHER: "piecewise", LOWER: "linear", RANGE: "target_range"}[direction]
    # Each KPI names the report it is read from, so no two share a whole definition.
    system = FUNCTION_SOURCES[function] if source is None else source
    return KpiTemplate(
        code=code,
        name=name,
        description=description,
        function=function,
        unit=unit,
        direction=direction,
        base=base,
        temporality="leading" if lead else "lagging",
        kind=kind,
        time_aggregation=time,
        tree_aggregation=tree,
        refresh_cycle=refresh,
        data_source=f"{system}: {name} report" if system else "",
        scoring=scoring,
        per_head=per_head,
        **options,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class ObjectiveTemplate:
    """An objective and where it sits: ``group``, ``entity:UK``, ``bu:IND``, ``dept:Sales``,
    ``team:Sales`` or ``with:<code>`` (the unit of another objective)."""

    code: str
    name: str
    description: str
    perspective: str
    theme: str
    placement: str
    parent: str
    measures: tuple[tuple[float, KpiTemplate], ...]
    esg_pillar: str = ""
    disclosure_ref: str = ""
    required_by: str = ""


def _o(
    code: str,
    name: str,
    perspective: str,
    theme: str,
    placement: str,
    parent: str,
    description: str,
    measures: list[tuple[float, KpiTemplate]],
    **esg: str,
) -> ObjectiveTemplate:
    return ObjectiveTemplate(
        code, name, description, perspective, theme, placement, parent, tuple(measures), **esg
    )


# --- themes and rubrics -----------------------------------------------------------------

THEMES: dict[str, tuple[str, str]] = {
    "growth": ("Profitable growth", "Grow revenue faster than the market while widening margins."),
    "customer": (
        "Customer experience",
        "Be the supplier customers recommend: reliable, easy to deal with, quick to respond.",
    ),
    "operations": (
        "Operational efficiency",
        "Deliver on time and right first time at a unit cost below our peers.",
    ),
    "digital": (
        "Digital and innovation",
        "Automate the core, sell digitally and turn data into products and decisions.",
    ),
    "people": (
        "People and culture",
        "Attract, grow and keep people who lead with purpose and learn fast.",
    ),
    "sustainability": (
        "Sustainability and trust",
        "Reach net zero in our operations, keep everyone safe and act with integrity.",
    ),
}


@dataclass(frozen=True)
class RubricSpec:
    code: str
    name: str
    description: str
    # (level, label, behavioural anchor, score on 0-100)
    levels: tuple[tuple[int, str, str, float], ...]


RUBRICS: tuple[RubricSpec, ...] = (
    RubricSpec(
        "leadership-behaviour",
        "Leadership behaviour",
        "How a people manager sets direction, develops people and acts on feedback.",
        (
            (1, "Undermines", "Withholds information, blames others for misses and sets goals "
             "without the team; direct reports raise concerns.", 0.0),
            (2, "Inconsistent", "Shares goals but rarely explains why; gives feedback only when "
             "asked; follows through on some commitments.", 30.0),
            (3, "Solid", "Links the team's goals to the unit's, holds monthly one-to-ones and "
             "gives feedback that cites specific examples and KPIs.", 60.0),
            (4, "Strong", "Coaches people to own their targets, removes obstacles across "
             "functions and recognises contributions fairly and in public.", 85.0),
            (5, "Role model", "Builds successors, is sought out by other units for advice and "
             "visibly changes own behaviour after feedback.", 100.0),
        ),
    ),
    RubricSpec(
        "innovation",
        "Innovation practice",
        "How systematically a unit turns ideas into tested products and processes.",
        (
            (1, "Ad hoc", "Ideas come from individuals in their own time; no budget, no "
             "tracking and no experiments run.", 0.0),
            (2, "Emerging", "An idea backlog exists; a few experiments run each year but their "
             "results are not shared.", 25.0),
            (3, "Managed", "Experiments have a hypothesis and success criteria; results are "
             "reviewed monthly and shared with the department.", 55.0),
            (4, "Integrated", "Customers take part in discovery; at least one experiment a "
             "quarter reaches production and failures are written up.", 80.0),
            (5, "Leading", "The innovation portfolio is managed against strategy with stage "
             "gates, and other units adopt the team's practices.", 100.0),
        ),
    ),
    RubricSpec(
        "safety-culture",
        "Safety culture maturity",
        "Where a site stands on the journey from reactive to generative safety culture.",
        (
            (1, "Reactive", "Safety is the safety team's job; incidents are investigated only "
             "when they must be reported.", 0.0),
            (2, "Dependent", "People follow the rules when supervised; managers enforce them "
             "through discipline.", 30.0),
            (3, "Independent", "Individuals own their own safety and stop work when unsure.", 60.0),
            (4, "Interdependent", "Teams look out for each other, report near misses freely and "
             "fix causes together.", 85.0),
            (5, "Generative", "Safety is part of how work is planned; lessons from a near miss "
             "reach every site within a week.", 100.0),
        ),
    ),
)  # fmt: skip

# --- corporate objectives (the group) ---------------------------------------------------

net_revenue = _k(FIN, "net_revenue", "Net revenue", "GBP", HIGHER, 11_000,
    "Invoiced sales less returns, rebates and discounts, recognised in the month.",
    per_head=True, season="retail", amplitude=0.08, step="acquisition", step_size=0.06,
)  # fmt: skip
gross_profit = _k(FIN, "gross_profit", "Gross profit", "GBP", HIGHER, 4_100,
    "Net revenue less the cost of goods and services sold.", per_head=True, season="retail",
    amplitude=0.07, noise=0.05,
)  # fmt: skip
ebitda = _k(FIN, "ebitda", "Operating earnings (EBITDA)", "GBP", HIGHER, 1_600,
    "Earnings before interest, tax, depreciation and amortisation.", per_head=True,
    season="retail", amplitude=0.06, noise=0.07,
)  # fmt: skip
operating_expenses = _k(FIN, "operating_expenses", "Operating expenses", "GBP", LOWER, 2_500,
    "Selling, general and administrative costs booked in the month.", per_head=True,
    season="yearend", amplitude=0.04, noise=0.07,
)  # fmt: skip
operating_cash_flow = _k(FIN, "operating_cash_flow", "Operating cash flow", "GBP", HIGHER, 1_350,
    "Cash generated from operations before investing and financing flows.", per_head=True,
    noise=0.08,
)  # fmt: skip
days_inventory = _k(FIN, "days_inventory_on_hand", "Inventory days on hand", "days", LOWER, 48,
    "Closing inventory divided by average daily cost of sales; cash tied up in stock.",
    noise=0.06,
)  # fmt: skip
training_cost = _k(FIN, "training_cost_per_employee", "Training cost per employee", "GBP",
    LOWER, 45, "Cost of courses, trainers and travel for training booked per employee in the "
    "month.", noise=0.08, season="summer", amplitude=0.05,
)  # fmt: skip

CORPORATE: list[ObjectiveTemplate] = [
    _o("CO-FIN-01", "Grow revenue profitably", FINANCIAL, "growth", "group", "",
       "Grow net revenue at least 5% a year while holding gross margin above 36%.", [
        (40, net_revenue),
        (20, gross_profit),
        (25, _k(FIN, "gross_margin_pct", "Gross margin", "%", HIGHER, 37,
                "Gross profit as a share of net revenue.",
                formula="100 * gross_profit / net_revenue", source="")),
        (15, _k(FIN, "recurring_revenue_share", "Share of sales under contract", "%", HIGHER, 38,
                "Share of net revenue from subscriptions and service contracts.", noise=1.2)),
    ]),
    _o("CO-FIN-02", "Expand operating earnings", FINANCIAL, "operations", "group", "CO-FIN-01",
       "Lift EBITDA margin by a point a year through operating leverage and lean overheads.", [
        (30, ebitda),
        (20, operating_expenses),
        (30, _k(FIN, "ebitda_margin_pct", "EBITDA margin", "%", HIGHER, 14.5,
                "EBITDA as a share of net revenue.", formula="100 * ebitda / net_revenue",
                source="")),
        (20, training_cost),
    ]),
    _o("CO-FIN-03", "Turn earnings into cash", FINANCIAL, "operations", "group", "",
       "Convert at least 85% of EBITDA into operating cash and release working capital.", [
        (30, operating_cash_flow),
        (30, _k(FIN, "cash_conversion", "Cash conversion", "ratio", HIGHER, 0.84,
                "Operating cash flow over EBITDA.", formula="operating_cash_flow / ebitda",
                source="")),
        (20, days_inventory),
        (20, _k(FIN, "liquidity_headroom", "Liquidity headroom", "GBP", HIGHER, 9_000,
                "Undrawn committed facilities plus cash; the lowest point of the period counts.",
                per_head=True, time="min", tree="sum", source="Treasury management system",
                noise=0.05)),
    ]),
    _o("CO-FIN-04", "Earn more than our cost of capital", FINANCIAL, "growth", "group", "",
       "Keep return on capital employed above 12% and leverage below two times EBITDA.", [
        (40, _k(FIN, "roce_pct", "Return on capital employed", "%", HIGHER, 14,
                "Rolling twelve-month operating profit over average capital employed.",
                noise=0.6)),
        (30, _k(FIN, "net_debt_to_ebitda", "Net debt to EBITDA", "ratio", LOWER, 1.8,
                "Net borrowings divided by rolling twelve-month EBITDA.", noise=0.05,
                source="Treasury management system")),
        (30, _k(FIN, "capex_to_depreciation", "Capex to depreciation", "ratio", RANGE, 1.2,
                "Capital expenditure divided by depreciation; renewal without over-investing.",
                range_half_width=0.15, noise=0.07, refresh="quarterly")),
    ]),
    _o("CO-CUS-01", "Be the supplier customers recommend", CUSTOMER, "customer", "group",
       "", "Reach a Net Promoter Score of 40 and keep satisfaction above 85%.", [
        (35, _k(MKT, "net_promoter_score", "Net Promoter Score", "NPS", HIGHER, 34,
                "Promoters minus detractors among customers surveyed in the quarter.",
                refresh="quarterly", scoring="banded", band_edges=(0.0, 20.0, 40.0, 60.0),
                band_scores=(0.0, 40.0, 70.0, 90.0, 100.0),
                source="Customer feedback survey platform", noise=3.0)),
        (25, _k(CSV, "customer_satisfaction_csat", "Customer satisfaction (CSAT)", "%", HIGHER,
                86, "Share of surveyed customers rating their last interaction 4 or 5 of 5.",
                noise=1.2)),
        (20, _k(CSV, "customer_effort_score", "Customer effort score", "score (1-7)", LOWER,
                2.6, "How hard customers say it was to get their issue handled (1 easy, 7 hard).",
                source="Customer feedback survey platform", noise=0.12)),
        (20, _k(SAL, "on_time_delivery_pct", "On-time delivery %", "%", HIGHER, 91,
                "Share of customer orders delivered on or before the date promised to the "
                "customer.", noise=1.6, twin_of="on_time_delivery_rate", twin_scale=1.0)),
    ]),
    _o("CO-CUS-02", "Win share in our target markets", CUSTOMER, "growth", "group", "",
       "Gain a point of share a year in the segments we serve and grow the top accounts.", [
        (40, _k(STR, "market_share_pct", "Market share in served segments", "%", HIGHER, 17,
                "Our revenue over the addressable market in our served segments.",
                refresh="quarterly", source="Industry association market data", noise=0.5)),
        (30, _k(SAL, "new_customers_won", "New customer accounts won", "count", HIGHER, 0.02,
                "Customers placing a first order in the month.", per_head=True, lead=True,
                season="quarterend", amplitude=0.15)),
        (30, _k(SAL, "finished_goods_cover", "Finished-goods cover", "days", HIGHER, 52,
                "Finished goods available to promise, in days of forecast demand, so no sale "
                "is lost to a stock-out.", twin_of="days_inventory_on_hand", twin_scale=1.08)),
    ]),
    _o("CO-CUS-03", "Make us easy to buy from online", CUSTOMER, "digital", "group", "CO-CUS-01",
       "Take half of all orders through digital channels by the end of the plan.", [
        (40, _k(MKT, "digital_order_share", "Orders placed through digital channels", "%",
                HIGHER, 44, "Share of orders placed through the web shop, EDI or the app.",
                noise=1.5)),
        (30, _k(MKT, "web_conversion_rate", "Web shop conversion", "%", HIGHER, 2.8,
                "Sessions on the web shop that end in an order.", noise=0.15)),
        (30, _k(CSV, "self_service_resolution", "Self-service resolution rate", "%", HIGHER, 36,
                "Customer questions answered by the help centre without an agent.", noise=1.5)),
    ]),
    _o("CO-PRO-01", "Get it right first time", PROCESS, "operations", "group", "",
       "Cut the cost of poor quality by a third through first-pass quality.", [
        (40, _k(OPS, "first_pass_yield", "First-pass yield", "%", HIGHER, 94.5,
                "Units passing final inspection without rework.", kind="quality", noise=0.6)),
        (30, _k(OPS, "cost_of_poor_quality", "Cost of poor quality", "GBP", LOWER, 160,
                "Scrap, rework, warranty and returns handling costs.", per_head=True,
                kind="quality", noise=0.08)),
        (30, _k(CSV, "complaints_per_thousand_orders", "Complaints per 1,000 orders",
                "per 1,000 orders", LOWER, 3.2,
                "Formal customer complaints logged for every thousand orders shipped.",
                kind="quality", noise=0.07)),
    ]),
    _o("CO-PRO-02", "Deliver on time, every time", PROCESS, "operations", "group", "",
       "Deliver 95% of orders on time and in full.", [
        (40, _k(SCM, "on_time_delivery_rate", "On-time delivery rate", "%", HIGHER, 93,
                "Share of customer orders delivered on or before the promised date.",
                noise=1.6, season="retail", amplitude=1.2)),
        (30, _k(SCM, "order_cycle_time", "Order fulfilment lead time", "days", LOWER, 9.5,
                "Average days from order entry to proof of delivery.", noise=0.05)),
        (30, _k(SCM, "perfect_order_rate", "Perfect order rate", "%", HIGHER, 87,
                "Orders delivered complete, on time, undamaged and correctly invoiced.",
                kind="quality", noise=1.2)),
    ]),
    _o("CO-PRO-03", "Automate our core processes", PROCESS, "digital", "group", "",
       "Process two thirds of routine transactions with no manual touch.", [
        (40, _k(IT, "process_automation_rate", "Touchless transaction rate", "%", HIGHER, 58,
                "Orders, invoices and payments processed end to end with no manual step.",
                lead=True, noise=1.5)),
        (35, _k(IT, "system_availability", "Core system availability", "%", HIGHER, 99.6,
                "Minutes the ERP, CRM and web shop were available, over minutes scheduled.",
                tree="min", noise=0.12)),
        (25, _k(IT, "workflow_digitisation", "Paper forms replaced by digital workflows", "%",
                HIGHER, 49, "Share of catalogued internal forms now handled as workflows.",
                lead=True, noise=1.8)),
    ]),
    _o("CO-PRO-04", "Run a controlled, compliant business", PROCESS, "sustainability", "group",
       "", "Close audit actions on time and keep key controls passing.", [
        (35, _k(LEG, "overdue_audit_actions", "Overdue internal audit actions", "count", LOWER,
                14, "Audit actions past their agreed due date at month end.", stock=True,
                noise=0.12)),
        (35, _k(LEG, "control_test_pass_rate", "Key control test pass rate", "%", HIGHER, 95,
                "Key financial and IT controls passing their quarterly test.", noise=0.9,
                refresh="quarterly")),
        (30, _k(LEG, "policy_attestation_rate", "Policy attestation completion", "%", HIGHER, 92,
                "Employees who have confirmed reading the policies assigned to them.",
                scoring="percent_capped", noise=1.1)),
    ]),
    _o("CO-LRN-01", "Attract and keep great people", LEARNING, "people", "group", "",
       "Keep voluntary turnover under 10% and fill roles in under six weeks.", [
        (30, _k(HR, "voluntary_turnover_rate", "Voluntary staff turnover rate", "%", LOWER, 11.5,
                "Annualised resignations over average headcount.", noise=0.9,
                season="summer", amplitude=-0.6)),
        (25, _k(HR, "employee_advocacy_enps", "Employee advocacy score (eNPS)", "NPS", HIGHER,
                18, "Employees who would recommend us as a workplace, minus those who would not.",
                refresh="quarterly", scoring="banded", band_edges=(0.0, 10.0, 30.0),
                band_scores=(0.0, 50.0, 80.0, 100.0), noise=3.0,
                source="Employee survey platform")),
        (25, _k(HR, "time_to_fill", "Time to fill vacancies", "days", LOWER, 46,
                "Days from approved requisition to accepted offer.", noise=0.06)),
        (20, _k(HR, "offer_acceptance_rate", "Offer acceptance rate", "%", HIGHER, 84,
                "Offers accepted over offers made.", lead=True, noise=1.8)),
    ]),
    _o("CO-LRN-02", "Build the skills we will need", LEARNING, "people", "group", "CO-LRN-01",
       "Give every employee two days of learning a year and a successor for every critical role.",
       [
        (30, _k(HR, "training_hours_per_fte", "Training hours per FTE", "hours", HIGHER, 2.1,
                "Hours of completed learning per full-time equivalent in the month.", lead=True,
                season="summer", amplitude=0.1, source="Learning management system")),
        (25, _k(HR, "successor_coverage", "Critical roles with a ready successor", "%", HIGHER,
                58, "Critical roles with at least one successor rated ready now.",
                refresh="quarterly", noise=1.5)),
        (20, _k(HR, "internal_fill_rate", "Vacancies filled internally", "%", HIGHER, 27,
                "Vacancies filled by people already employed by the group.", noise=1.6)),
        (25, _k(HR, "learning_investment_per_head", "Learning investment per head", "GBP",
                HIGHER, 50, "Spend on courses, academies and learning platforms per employee.",
                twin_of="training_cost_per_employee", twin_scale=1.1)),
    ]),
    _o("CO-LRN-03", "Lead with purpose", LEARNING, "people", "group", "",
       "Raise engagement to the top quartile of our industry benchmark.", [
        (45, _k(HR, "engagement_index", "Employee engagement index", "index (0-100)", HIGHER, 71,
                "Average of the engagement questions in the pulse survey.", refresh="quarterly",
                source="Employee survey platform", noise=1.1)),
        (35, _k(HR, "trust_in_leadership", "Trust in senior leadership", "%", HIGHER, 63,
                "Employees agreeing that senior leaders communicate openly and honestly.",
                refresh="quarterly", source="Employee survey platform", noise=1.6)),
        (20, _k(HR, "improve_teamwork", "Improve teamwork", "score (0-10)", HIGHER, 6.8,
                "How well people work together.", source="Employee survey platform",
                noise=0.2)),
    ]),
    _o("CO-ESG-01", "Reach net zero in our own operations", ESG_P, "sustainability", "group", "",
       "Halve scope 1 and 2 emissions by 2030 against 2022 and reach net zero by 2040.", [
        (25, _k(ESG, "scope1_emissions", "Direct emissions from owned sources (scope 1)",
                "tCO2e", LOWER, 0.17, "Fuel burned on our sites and in our fleet.",
                per_head=True, season="winter", amplitude=0.05, esg_pillar="E",
                disclosure_ref="GRI 305-1", required_by="both")),
        (25, _k(ESG, "scope2_emissions", "Purchased energy emissions (scope 2)", "tCO2e", LOWER,
                0.15, "Market-based emissions of the electricity and heat we buy.",
                per_head=True, esg_pillar="E", disclosure_ref="GRI 305-2", required_by="both",
                noise=0.07)),
        (30, _k(ESG, "operational_carbon_footprint", "Operational carbon footprint (scope 1+2)",
                "tCO2e", LOWER, 0.32, "Scope 1 and scope 2 emissions together.",
                per_head=True, formula="scope1_emissions + scope2_emissions", source="",
                esg_pillar="E", disclosure_ref="ESRS E1-6", required_by="both")),
        (20, _k(ESG, "renewable_share_pct", "Renewable share of electricity", "%", HIGHER, 46,
                "Renewable electricity over all electricity consumed.",
                formula="100 * renewable_electricity / electricity_consumption", source="",
                esg_pillar="E", disclosure_ref="ESRS E1-5", required_by="investor")),
    ], esg_pillar="E", disclosure_ref="ESRS E1-4", required_by="both"),
    _o("CO-ESG-02", "Keep everyone safe and stay an employer people keep", ESG_P,
       "sustainability", "group", "",
       "Bring the lost-time injury rate below 0.8 and report workforce turnover transparently.", [
        (50, _k(ESG, "lost_time_injury_frequency", "Lost-time injury frequency rate",
                "per million hours", LOWER, 1.1,
                "Injuries causing at least a day off work per million hours worked.",
                scoring="banded", band_edges=(0.5, 0.8, 1.2, 2.0),
                band_scores=(0.0, 30.0, 60.0, 85.0, 100.0), esg_pillar="S",
                disclosure_ref="GRI 403-9", required_by="regulator",
                source="EHS incident management system", noise=0.09)),
        (30, _k(ESG, "employee_turnover_gri", "Employee turnover rate, voluntary (GRI 401-1)",
                "%", LOWER, 11.0, "Voluntary leavers over average headcount, annualised, as "
                "disclosed under GRI 401-1.", esg_pillar="S", disclosure_ref="GRI 401-1",
                required_by="investor", twin_of="voluntary_turnover_rate", twin_scale=1.0)),
        (20, _k(ESG, "safety_training_completion", "Site safety induction completion", "%",
                HIGHER, 96, "Site workers and contractors inducted before starting work.",
                scoring="percent_capped", esg_pillar="S", disclosure_ref="GRI 403-5",
                required_by="regulator", source="EHS incident management system", noise=0.8)),
    ], esg_pillar="S", disclosure_ref="ESRS S1-14", required_by="regulator"),
    _o("CO-ESG-03", "Make leadership reflect our workforce", ESG_P, "people", "group", "",
       "Reach 40% women in leadership and close the median gender pay gap.", [
        (25, _k(HR, "women_in_leadership", "Women in leadership roles", "FTE", HIGHER, 0.036,
                "Women holding a role at level 8 or above at month end.", per_head=True,
                stock=True, esg_pillar="S", disclosure_ref="GRI 405-1", required_by="investor",
                source="HCM core records", noise=0.03)),
        (15, _k(HR, "leadership_roles_filled", "Senior positions occupied", "FTE", RANGE, 0.1,
                "Roles at level 8 or above held by someone at month end.", per_head=True,
                stock=True, range_half_width=0.05, noise=0.03)),
        (35, _k(ESG, "women_in_leadership_pct", "Gender balance of leadership", "%", HIGHER, 36,
                "Women as a share of people in leadership roles.",
                formula="100 * women_in_leadership / leadership_roles_filled", source="",
                esg_pillar="S", disclosure_ref="GRI 405-1", required_by="investor")),
        (25, _k(ESG, "gender_pay_gap", "Median gender pay gap", "%", LOWER, 9.5,
                "Difference between men's and women's median hourly pay, over men's.",
                refresh="annual", esg_pillar="S", disclosure_ref="ESRS S1-16",
                required_by="regulator", source="Payroll system", noise=0.35)),
    ], esg_pillar="S", disclosure_ref="ESRS S1-9", required_by="both"),
    _o("CO-ESG-04", "Act with integrity everywhere", ESG_P, "sustainability", "group", "",
       "Train everyone on the code of conduct and handle every speak-up report within 90 days.", [
        (35, _k(LEG, "ethics_training_completion", "Code-of-conduct training completion", "%",
                HIGHER, 95, "Employees who completed this year's code-of-conduct course.",
                scoring="percent_capped", esg_pillar="G", disclosure_ref="GRI 205-2",
                required_by="regulator", source="Learning management system", noise=0.8)),
        (35, _k(LEG, "speak_up_closed_in_time", "Speak-up reports closed within 90 days", "%",
                HIGHER, 81, "Whistleblowing reports investigated and closed within 90 days.",
                esg_pillar="G", disclosure_ref="ESRS G1-1", required_by="regulator", noise=2.5)),
        (30, _k(LEG, "board_independence", "Independent directors on the board", "%", RANGE, 58,
                "Non-executive directors meeting the independence criteria.",
                refresh="annual", tree="none", range_half_width=8.0, esg_pillar="G",
                disclosure_ref="GRI 2-9", required_by="investor",
                source="Company secretariat register", noise=1.5)),
    ], esg_pillar="G", disclosure_ref="ESRS G1-1", required_by="regulator"),
    _o("CO-ESG-05", "Source responsibly", ESG_P, "sustainability", "group", "CO-ESG-01",
       "Assess the ESG performance of suppliers covering 80% of spend.", [
        (40, _k(PRC, "suppliers_esg_assessed", "Spend with ESG-assessed suppliers", "%", HIGHER,
                64, "Spend with suppliers holding a current ESG assessment.", esg_pillar="E",
                disclosure_ref="GRI 308-1", required_by="investor", noise=1.5)),
        (30, _k(PRC, "supplier_code_coverage", "Suppliers signed up to our supplier code", "%",
                HIGHER, 78, "Active suppliers who have signed the supplier code of conduct.",
                esg_pillar="S", disclosure_ref="GRI 414-1", required_by="investor", noise=1.3)),
        (30, _k(PRC, "small_supplier_spend", "Spend with diverse and small suppliers", "%",
                HIGHER, 21, "Spend with small, minority-owned and social-enterprise suppliers.",
                esg_pillar="S", disclosure_ref="GRI 204-1", required_by="investor",
                has_owner=False, noise=1.0)),
    ], esg_pillar="E", disclosure_ref="ESRS G1-2", required_by="investor"),
]  # fmt: skip

# --- entities and business units --------------------------------------------------------

renewable_electricity = _k(ESG, "renewable_electricity", "Renewable electricity purchased",
    "MWh", HIGHER, 0.16, "Electricity bought under green tariffs or power purchase agreements.",
    per_head=True, step="ppa", step_size=0.10, noise=0.06, esg_pillar="E",
    disclosure_ref="GRI 302-1", required_by="both",
)  # fmt: skip
electricity_consumption = _k(ESG, "electricity_consumption", "Electricity consumed", "MWh",
    LOWER, 0.35, "Metered electricity used by our sites.", per_head=True, season="winter",
    amplitude=0.06, esg_pillar="E", disclosure_ref="GRI 302-1", required_by="both",
    noise=0.06,
)  # fmt: skip
customer_churn_rate = _k(SAL, "customer_churn_rate", "Customer churn rate", "%", LOWER, 1.9,
    "Share of subscription customers who cancelled in the month.", noise=0.25,
)  # fmt: skip

ENTITY_LEVEL: list[ObjectiveTemplate] = [
    _o("EN-FIN-01", "Grow UK industrial order intake", FINANCIAL, "growth", "entity:UK",
       "CO-FIN-01", "Grow order intake 6% a year with book-to-bill above one.", [
        (50, _k(SAL, "order_intake", "Order intake", "GBP", HIGHER, 12_500,
                "Value of firm customer orders received in the month.", per_head=True,
                lead=True, scoring="percent_uncapped", season="quarterend", amplitude=0.1,
                step="price", step_size=0.04)),
        (25, _k(SAL, "book_to_bill", "Book-to-bill ratio", "ratio", HIGHER, 1.05,
                "Orders received over revenue billed in the month.", lead=True, noise=0.05)),
        (25, _k(SAL, "average_order_value", "Average order value", "GBP", HIGHER, 8_400,
                "Net order value divided by the number of orders.", noise=0.05)),
    ]),
    _o("EN-FIN-02", "Scale US digital subscriptions", FINANCIAL, "digital", "entity:US",
       "CO-FIN-01", "Double annual recurring revenue from digital services in three years.", [
        (50, _k(FIN, "annual_recurring_revenue", "Annual recurring revenue (ARR)", "GBP", HIGHER,
                52_000, "Annualised value of active subscriptions at month end.",
                per_head=True, stock=True, noise=0.03,
                source="Subscription billing system")),
        (25, _k(CSM, "gross_revenue_retention", "Gross revenue retention", "%", HIGHER, 91,
                "Recurring revenue kept from last year's customers, before expansion.",
                noise=1.0)),
        (25, _k(SAL, "average_revenue_per_account", "Average revenue per account", "GBP",
                HIGHER, 2_900, "Monthly recurring revenue divided by paying accounts.",
                step="price", step_size=0.05, noise=0.04)),
    ]),
    _o("EN-FIN-03", "Run the German plants at a lower unit cost", FINANCIAL, "operations",
       "entity:DE", "CO-FIN-02", "Cut conversion cost per unit by 3% a year.", [
        (45, _k(OPS, "conversion_cost_per_unit", "Conversion cost per unit produced", "GBP",
                LOWER, 38, "Labour and overhead cost of turning materials into a finished unit.",
                noise=0.04)),
        (30, _k(OPS, "plant_energy_bill", "Plant energy bill", "GBP", LOWER, 210,
                "Electricity and gas invoiced to the plants.", per_head=True, season="winter",
                amplitude=0.15, source="Utility invoices")),
        (25, _k(OPS, "scrap_rate", "Scrap rate", "%", LOWER, 2.4,
                "Material scrapped as a share of material issued to production.",
                kind="quality", noise=0.25)),
    ]),
    _o("EN-CUS-01", "Win Asia Pacific accounts", CUSTOMER, "growth", "entity:SG", "CO-CUS-02",
       "Build a qualified pipeline three times the regional quota.", [
        (40, _k(SAL, "qualified_pipeline_value", "Qualified pipeline value", "GBP", HIGHER,
                30_000, "Value of open opportunities past the qualification stage.",
                per_head=True, stock=True, lead=True, noise=0.06)),
        (30, _k(SAL, "pipeline_coverage", "Pipeline coverage of quota", "ratio", HIGHER, 3.1,
                "Qualified pipeline divided by the remaining quota of the year.", lead=True,
                noise=0.06)),
        (30, _k(SAL, "new_logo_revenue", "First-year revenue from new logos", "GBP", HIGHER, 700,
                "Revenue from customers in their first twelve months with us.", per_head=True,
                scoring="percent_uncapped", noise=0.1)),
    ]),
    _o("EN-PRO-01", "Run shared services at benchmark cost", PROCESS, "operations", "entity:SSC",
       "CO-PRO-03", "Match the top-quartile cost per transaction of our benchmark group.", [
        (25, _k(FIN, "cost_per_invoice", "Cost per supplier invoice processed", "GBP", LOWER,
                3.4, "Accounts-payable cost divided by supplier invoices processed.",
                noise=0.05)),
        (25, _k(FIN, "touchless_invoice_rate", "Invoices posted without manual touch", "%",
                HIGHER, 71, "Supplier invoices matched and posted automatically.", noise=1.6)),
        (25, _k(HR, "payroll_accuracy", "Payroll runs without correction", "%", HIGHER, 99.2,
                "Payslips paid without a later correction.", scoring="percent_capped",
                source="Payroll system", noise=0.25)),
        (25, _k(GEN, "internal_client_satisfaction", "Internal client satisfaction with shared "
                "services", "score (1-5)", HIGHER, 3.9,
                "Average rating of shared services by the business units they serve.",
                refresh="quarterly", source="Internal client survey", noise=0.08)),
    ]),
    _o("EN-PRO-02", "Deliver Nordwind projects on plan", PROCESS, "operations", "entity:JV",
       "CO-PRO-02", "Keep schedule and cost performance indices at or above 0.97.", [
        (40, _k(PMO, "schedule_performance_index", "Schedule performance index (SPI)", "ratio",
                HIGHER, 0.97, "Earned value over planned value across active projects.",
                noise=0.025)),
        (40, _k(PMO, "cost_performance_index", "Cost performance index (CPI)", "ratio",
                HIGHER, 0.98, "Earned value over actual cost across active projects.",
                noise=0.025)),
        (20, _k(PMO, "turbine_installation_milestones", "Turbine installation milestones met",
                "%", HIGHER, 82, "Installation milestones reached by their baseline date.",
                noise=3.0)),
    ]),
    _o("EN-LRN-01", "Integrate Brightpath and keep its talent", LEARNING, "people", "entity:ACQ",
       "CO-LRN-01", "Keep 90% of key acquired talent and finish the integration plan.", [
        (40, _k(HR, "acquired_talent_retained", "Key acquired talent retained", "%", HIGHER, 90,
                "People named as key talent at the acquisition still employed.", noise=1.5)),
        (35, _k(STR, "integration_milestones_done", "Integration plan milestones completed",
                "%", HIGHER, 62, "Integration milestones due so far that are complete.",
                noise=3.5, source="Integration management office tracker")),
        (25, _k(IT, "legacy_applications_retired", "Legacy applications retired", "count",
                HIGHER, 6, "Acquired applications switched off after migration.", stock=True,
                noise=0.1)),
    ]),
    _o("EN-ESG-01", "Power our plants with renewable energy", ESG_P, "sustainability",
       "entity:DE", "CO-ESG-01", "Buy 80% of plant electricity from renewable sources.", [
        (40, renewable_electricity),
        (35, electricity_consumption),
        (25, _k(ESG, "water_withdrawal", "Water withdrawal", "m3", LOWER, 1.9,
                "Water taken from mains, rivers and groundwater by our sites.", per_head=True,
                season="summer", amplitude=-0.08, esg_pillar="E", disclosure_ref="GRI 303-3",
                required_by="regulator", source="Utility invoices", noise=0.05)),
    ], esg_pillar="E", disclosure_ref="ESRS E1-5", required_by="both"),
    _o("EN-ESG-02", "Electrify the UK fleet", ESG_P, "sustainability", "entity:UK",
       "CO-ESG-01", "Make half of the UK company fleet battery-electric.", [
        (40, _k(ESG, "ev_fleet_share", "Battery-electric share of company fleet", "%", HIGHER, 22,
                "Company cars and vans that are fully electric.", noise=1.8, esg_pillar="E",
                disclosure_ref="ESRS E1-3", required_by="regulator",
                source="Fleet management system")),
        (35, _k(ESG, "fleet_fuel_use", "Diesel and petrol burned by the fleet", "litres", LOWER,
                9, "Fuel card litres for company vehicles.", per_head=True, esg_pillar="E",
                disclosure_ref="GRI 302-1", required_by="regulator",
                source="Fleet management system", noise=0.05)),
        (25, _k(ESG, "business_travel_emissions", "Business travel emissions (scope 3)", "tCO2e",
                LOWER, 0.05, "Flights, rail and hotel nights booked through the travel agency.",
                per_head=True, season="summer", amplitude=0.1, esg_pillar="E",
                disclosure_ref="GRI 305-3", required_by="investor",
                source="Travel management company reports")),
    ], esg_pillar="E", disclosure_ref="ESRS E1-6"),
    _o("BU-CUS-01", "Keep industrial customers running", CUSTOMER, "customer", "bu:IND",
       "CO-CUS-01", "Fix installed equipment on the first visit and within one shift.", [
        (35, _k(CSV, "field_first_time_fix", "First-time fix rate on site visits", "%", HIGHER,
                79, "Field service visits that solved the fault without a return visit.",
                source="Field service management system", noise=1.6)),
        (35, _k(CSV, "mean_time_to_repair", "Mean time to repair installed equipment", "hours",
                LOWER, 6.5, "Hours from fault report to equipment back in service.",
                source="Field service management system", noise=0.06)),
        (30, _k(SCM, "spare_parts_fill_rate", "Spare parts fill rate", "%", HIGHER, 95,
                "Spare part order lines shipped from stock.", noise=0.7)),
    ]),
    _o("BU-CUS-02", "Make digital services sticky", CUSTOMER, "digital", "bu:DIG", "CO-CUS-03",
       "Get most accounts using three or more features and keep monthly churn under 1.5%.", [
        (30, _k(CSM, "peak_concurrent_users", "Peak concurrent platform users", "count", HIGHER,
                2.2, "Highest number of users signed in at the same time.", per_head=True,
                time="max", tree="sum", noise=0.06)),
        (30, _k(CSM, "feature_adoption_rate", "Accounts using three or more features", "%",
                HIGHER, 41, "Paying accounts active in at least three product features.",
                lead=True, noise=1.6)),
        (40, customer_churn_rate),
    ]),
    _o("BU-CUS-03", "Serve digital customers after the sale", CUSTOMER, "customer",
       "with:BU-CUS-02", "BU-CUS-02", "Answer subscription customers fast and keep them.", [
        (50, _k(CSV, "customer_churn_pct", "Customer churn %", "%", LOWER, 1.8,
                "Share of subscription customers who cancelled their subscription in the month.",
                twin_of="customer_churn_rate", twin_scale=0.95)),
        (50, _k(CSV, "subscription_queries_sla", "Subscription queries answered within a day",
                "%", HIGHER, 88, "Billing and licence queries answered within one working day.",
                noise=1.4)),
    ]),
    _o("BU-FIN-01", "Run lean corporate functions", FINANCIAL, "operations", "bu:COR",
       "CO-FIN-02", "Hold corporate cost per employee flat in real terms.", [
        (40, _k(FIN, "corporate_cost_per_employee", "Corporate function cost per employee",
                "GBP", LOWER, 540, "Cost of finance, legal, HR and strategy per group employee.",
                noise=0.04)),
        (30, _k(FIN, "finance_cost_share", "Finance function cost as share of revenue", "%",
                LOWER, 0.9, "Cost of the finance function over net revenue.", noise=0.06)),
        (30, _k(FIN, "ebitda_forecast_hit_rate", "EBITDA forecast hit rate", "%", HIGHER, 83,
                "Entities whose actual EBITDA landed within 3% of their month-ahead forecast.",
                noise=2.0)),
    ]),
    _o("BU-PRO-01", "Shorten industrial lead times", PROCESS, "operations", "bu:IND",
       "CO-PRO-02", "Cut manufacturing lead time to ten days.", [
        (40, _k(OPS, "manufacturing_lead_time", "Manufacturing lead time", "days", LOWER, 12,
                "Days from release to the shop floor to finished goods.", noise=0.05)),
        (35, _k(OPS, "schedule_adherence", "Production schedule adherence", "%", HIGHER, 88,
                "Production orders finished in the week they were scheduled.", lead=True,
                noise=1.5)),
        (25, _k(OPS, "changeover_time", "Average changeover time", "minutes", LOWER, 42,
                "Minutes from the last accepted part of one run to the first accepted part of "
                "the next.",
                lead=True, noise=0.05)),
    ]),
    _o("BU-LRN-01", "Grow digital engineering capability", LEARNING, "digital", "bu:DIG",
       "CO-LRN-02", "Certify a third of engineers on our cloud platform and practise innovation.",
       [
        (30, _k(RND, "cloud_certified_engineers", "Engineers holding a cloud certification",
                "%", HIGHER, 34, "Engineers with a current professional cloud certification.",
                lead=True, source="Learning management system", noise=1.5)),
        (30, _k(RND, "innovation_practice_rating", "Innovation practice maturity", "level",
                HIGHER, 3.0, "Assessed level of the unit's innovation practice.",
                rubric="innovation", refresh="quarterly", source="Innovation council assessment",
                noise=0.3)),
        (20, _k(RND, "engineering_vacancy_rate", "Open engineering positions", "%", LOWER, 7,
                "Budgeted engineering positions without a person in them.", noise=0.7)),
        (20, _k(RND, "patent_applications_filed", "Patent applications filed", "count", HIGHER,
                3, "Patent applications filed with any patent office.", refresh="",
                source="IP management system", noise=0.25)),
    ]),
]  # fmt: skip

# --- departments ------------------------------------------------------------------------

DEPARTMENT_LEVEL: list[ObjectiveTemplate] = [
    _o("DP-CUS-01", "Keep the customers we have won", CUSTOMER, "customer", "dept:Sales",
       "CO-CUS-01", "Renew nine in ten contracts and keep an account plan for key accounts.", [
        (50, _k(SAL, "contract_renewal_rate", "Contract renewal rate", "%", HIGHER, 88,
                "Contracts up for renewal in the month that were renewed.", noise=1.8)),
        (50, _k(SAL, "account_plan_coverage", "Key accounts with a current account plan", "%",
                HIGHER, 74, "Key accounts whose account plan was reviewed in the last 90 days.",
                lead=True, noise=2.0)),
    ]),
    _o("DP-FIN-01", "Hit the sales plan", FINANCIAL, "growth", "dept:Sales", "EN-FIN-01",
       "Sign the planned contract value with a win rate above 30%.", [
        (40, _k(SAL, "signed_contract_value", "Signed contract value", "GBP", HIGHER, 14_000,
                "Total value of contracts signed in the month.", per_head=True,
                scoring="percent_uncapped", season="quarterend", amplitude=0.12)),
        (20, _k(SAL, "deals_won", "Deals won", "count", HIGHER, 0.9,
                "Opportunities closed as won.", per_head=True, noise=0.08)),
        (10, _k(SAL, "opportunities_closed", "Opportunities closed (won or lost)", "count",
                HIGHER, 2.9, "Opportunities that reached a final won or lost stage.",
                per_head=True, lead=True, noise=0.08)),
        (30, _k(SAL, "win_rate_pct", "Win rate", "%", HIGHER, 31,
                "Deals won over opportunities closed.",
                formula="100 * deals_won / opportunities_closed", source="")),
    ]),
    _o("DP-CUS-02", "Resolve customer issues at the first contact", CUSTOMER, "customer",
       "dept:Customer Service", "CO-CUS-01", "Resolve three quarters of tickets at first contact.",
       [
        (30, _k(CSV, "tickets_resolved", "Service tickets resolved", "count", HIGHER, 95,
                "Customer tickets closed as resolved.", per_head=True, refresh="weekly",
                noise=0.06)),
        (30, _k(CSV, "first_contact_resolutions", "Tickets resolved at first contact", "count",
                HIGHER, 68, "Tickets resolved during the customer's first contact.",
                per_head=True, refresh="weekly", noise=0.06)),
        (40, _k(CSV, "first_contact_resolution_pct", "First contact resolution", "%", HIGHER, 72,
                "Tickets resolved at first contact over all tickets resolved.",
                formula="100 * first_contact_resolutions / tickets_resolved", source="")),
    ]),
    _o("DP-CUS-03", "Answer customers quickly", CUSTOMER, "customer", "dept:Customer Service",
       "BU-CUS-01", "Answer within 30 seconds and lose fewer than one call in twenty.", [
        (35, _k(CSV, "average_speed_of_answer", "Average speed of answer", "seconds", LOWER, 48,
                "Seconds callers wait before an agent answers.", lead=True, refresh="weekly",
                season="retail", amplitude=0.1)),
        (35, _k(CSV, "average_handle_time", "Average handle time", "minutes", LOWER, 7.8,
                "Talk, hold and wrap-up minutes per handled contact.", step="ticketing",
                step_size=-0.1, noise=0.04)),
        (30, _k(CSV, "call_abandonment_rate", "Abandoned calls", "%", LOWER, 5.5,
                "Callers hanging up before an agent answers.", noise=0.5)),
    ]),
    _o("DP-PRO-01", "Produce to plan with fewer defects", PROCESS, "operations",
       "dept:Manufacturing", "CO-PRO-01", "Run bottleneck lines above 75% OEE.", [
        (30, _k(OPS, "bottleneck_line_oee", "Equipment OEE on bottleneck lines", "%", HIGHER, 71,
                "Availability times performance times quality on the constraint lines.",
                noise=1.5)),
        (25, _k(OPS, "units_per_labour_hour", "Units produced per labour hour", "units/hour",
                HIGHER, 14, "Units passing inspection per direct labour hour.", noise=0.04)),
        (20, _k(OPS, "unplanned_downtime", "Unplanned downtime", "hours", LOWER, 40,
                "Production hours lost to breakdowns and unplanned stops.", noise=0.1)),
        (25, _k(OPS, "safety_culture_level", "Site safety culture level", "level", HIGHER, 3.2,
                "Assessed maturity of the site's safety culture.", rubric="safety-culture",
                refresh="quarterly", source="EHS culture assessment", noise=0.3)),
    ]),
    _o("DP-PRO-02", "Keep stock lean and available", PROCESS, "operations",
       "dept:Supply Chain", "CO-PRO-02", "Forecast demand within 20% and get supplies on time.", [
        (50, _k(SCM, "demand_forecast_accuracy", "Demand forecast accuracy", "%", HIGHER, 76,
                "One minus weighted absolute percentage error of the monthly forecast.",
                lead=True, noise=1.8)),
        (50, _k(SCM, "supplier_on_time_rate", "Supplier deliveries on time", "%", HIGHER, 89,
                "Purchase order lines received by the confirmed date.", lead=True, noise=1.5)),
    ]),
    _o("DP-PRO-03", "Buy at the right price", PROCESS, "operations", "dept:Finance",
       "CO-FIN-02", "Save 3% of addressable spend a year through sourcing and contract use.", [
        (30, _k(PRC, "procurement_savings", "Negotiated procurement savings", "GBP", HIGHER, 90,
                "Savings against previous prices signed by procurement.", per_head=True,
                noise=0.12)),
        (25, _k(PRC, "spend_under_management", "Spend under management", "%", HIGHER, 72,
                "Third-party spend placed through procurement-managed contracts.", noise=1.2)),
        (25, _k(PRC, "off_contract_spend", "Off-contract purchasing", "%", LOWER, 11,
                "Spend with suppliers outside any framework agreement.", noise=0.8)),
        (20, _k(PRC, "requisition_to_order_days", "Requisition-to-order cycle time", "days",
                LOWER, 4.2, "Days from approved requisition to purchase order sent.",
                noise=0.06)),
    ]),
    _o("DP-FIN-02", "Close the books fast and clean", PROCESS, "operations",
       "dept:Finance Operations", "EN-PRO-01", "Close the month in five working days.", [
        (40, _k(FIN, "days_to_close", "Working days to close the month", "days", LOWER, 6,
                "Working days from month end to published management accounts.", tree="max",
                noise=0.05)),
        (30, _k(FIN, "journal_reversal_rate", "Manual journals reversed", "%", LOWER, 1.8,
                "Manual journals reversed or corrected after posting.", kind="quality",
                noise=0.22)),
        (30, _k(FIN, "reconciliations_on_time", "Balance sheet reconciliations done on time",
                "%", HIGHER, 93, "Account reconciliations signed off by working day five.",
                scoring="percent_capped", noise=1.0)),
    ]),
    _o("DP-FIN-03", "Collect cash on time", FINANCIAL, "operations", "dept:Finance Operations",
       "CO-FIN-03", "Keep receivables more than 30 days overdue below a tenth of the ledger.", [
        (40, _k(FIN, "overdue_receivables_pct", "Receivables overdue by more than 30 days", "%",
                LOWER, 12, "Overdue receivables over the whole receivables ledger.", noise=0.8)),
        (30, _k(FIN, "dispute_resolution_days", "Invoice dispute resolution time", "days", LOWER,
                17, "Days from a customer disputing an invoice to the dispute being settled.",
                noise=0.06)),
        (30, _k(FIN, "days_sales_outstanding", "Days sales outstanding", "days", LOWER, 52,
                "Trade receivables over average daily revenue.", noise=0.04)),
    ]),
    _o("DP-LRN-01", "Hire well and quickly", LEARNING, "people", "dept:HR Services",
       "CO-LRN-01", "Make hires that managers rate strong after their first year.", [
        (35, _k(HR, "hiring_manager_satisfaction", "Hiring manager satisfaction", "score (1-5)",
                HIGHER, 4.1, "Hiring managers' rating of the recruiting process.",
                source="Recruiting system survey", noise=0.08)),
        (35, _k(HR, "quality_of_hire", "New hires rated strong after one year", "%", HIGHER, 68,
                "Hires of a year ago rated strong or above in their first review.",
                refresh="quarterly", noise=2.0)),
        (30, _k(HR, "cost_per_hire", "Cost per hire", "GBP", LOWER, 3_900,
                "Agency, advertising and recruiter cost over hires started.", noise=0.06)),
    ]),
    _o("DP-LRN-02", "Grow our people", LEARNING, "people", "dept:People", "CO-LRN-02",
       "Keep mandatory learning complete and give a fifth of employees a mentor.", [
        (50, _k(HR, "mandatory_training_completion", "Mandatory training completion", "%",
                HIGHER, 93, "Assigned mandatory courses completed by their due date.",
                scoring="percent_capped", source="Learning management system", noise=0.9)),
        (50, _k(HR, "mentoring_participation", "Employees in a mentoring programme", "%", HIGHER,
                18, "Employees with an active mentor or mentee relationship.", lead=True,
                noise=1.0)),
    ]),
    _o("DP-LRN-03", "Build a coaching culture in HR Services", LEARNING, "people",
       "dept:HR Services", "CO-LRN-03",
       "Every HR adviser coaches line managers rather than doing the work for them.", []),
    _o("DP-PRO-04", "Keep IT services running", PROCESS, "digital", "dept:IT Service Desk",
       "CO-PRO-03", "Resolve IT tickets within their service levels and change safely.", [
        (25, _k(IT, "it_tickets_within_sla", "IT tickets resolved within SLA", "%", HIGHER, 91,
                "IT incidents and requests resolved within their service-level target.",
                refresh="weekly", noise=1.2)),
        (25, _k(IT, "changes_implemented", "IT changes implemented", "count", HIGHER, 120,
                "Changes to production systems implemented in the month.", noise=0.025)),
        (20, _k(IT, "successful_changes", "IT changes without incident", "count", HIGHER, 100,
                "Implemented changes that caused no incident or rollback.", noise=0.025)),
        (30, _k(IT, "change_success_rate", "Change success rate", "%", HIGHER, 83,
                "Changes without incident over changes implemented.",
                formula="100 * successful_changes / changes_implemented", source="")),
    ]),
    _o("DP-PRO-05", "Trust our data", PROCESS, "digital", "dept:Data Management", "CO-PRO-04",
       "Keep nine in ten critical data elements passing their quality rules.", [
        (40, _k(DAT, "critical_data_quality", "Critical data elements passing quality rules",
                "%", HIGHER, 89, "Critical data elements meeting all of their quality rules.",
                noise=1.2)),
        (30, _k(DAT, "duplicate_master_records", "Duplicate customer master records", "count",
                LOWER, 320, "Suspected duplicate customer records awaiting a merge.",
                stock=True, noise=0.06)),
        (30, _k(DAT, "data_request_turnaround", "Data access request turnaround", "days", LOWER,
                3.5, "Days from a data access request to access granted or refused.",
                noise=0.07)),
    ]),
    _o("DP-CUS-04", "Generate demand that sales can close", CUSTOMER, "growth",
       "dept:Marketing", "CO-CUS-02", "Turn a third of marketing leads into sales-accepted ones.",
       [
        (25, _k(MKT, "marketing_qualified_leads", "Marketing-qualified leads", "count", HIGHER,
                1.6, "Leads meeting the marketing qualification score.", per_head=True,
                lead=True, season="summer", amplitude=0.05, noise=0.06)),
        (25, _k(MKT, "sales_accepted_leads", "Sales-accepted leads", "count", HIGHER, 0.55,
                "Leads accepted by a salesperson for follow-up.", per_head=True, lead=True,
                noise=0.08)),
        (30, _k(MKT, "lead_acceptance_pct", "Lead acceptance by sales", "%", HIGHER, 34,
                "Sales-accepted leads over marketing-qualified leads.",
                formula="100 * sales_accepted_leads / marketing_qualified_leads", source="")),
        (20, _k(MKT, "pipeline_per_campaign_pound", "Pipeline generated per pound of campaign "
                "spend", "ratio", HIGHER, 5.5,
                "Marketing-sourced pipeline value over campaign spend.", noise=0.08)),
    ]),
    _o("DP-CUS-05", "Build a brand people look for", CUSTOMER, "growth", "dept:Marketing",
       "CO-CUS-03", "Double branded search and grow aided awareness to 45%.", [
        (30, _k(MKT, "branded_search_volume", "Branded search volume", "count", HIGHER, 42_000,
                "Searches containing our brand names.", lead=True, season="retail",
                amplitude=0.1, noise=0.05)),
        (30, _k(MKT, "aided_brand_awareness", "Aided brand awareness in target segments", "%",
                HIGHER, 38, "Target buyers recognising the brand when prompted.",
                refresh="quarterly", source="Brand tracking survey", noise=1.3)),
        (20, _k(MKT, "website_sessions", "Website sessions", "count", HIGHER, 310_000,
                "Visits to our public websites.", lead=True, season="summer", amplitude=0.1,
                noise=0.04)),
        (20, _k(MKT, "social_sentiment_balance", "Social media sentiment balance",
                "index (0-100)", HIGHER, 58,
                "Positive mentions over positive plus negative mentions of the brand.",
                source="", noise=1.6)),
    ]),
    _o("DP-PRO-06", "Ship valuable product increments", PROCESS, "digital", "dept:Product",
       "BU-CUS-02", "Release weekly and deliver the roadmap we commit to.", [
        (35, _k(RND, "production_releases", "Production releases", "count", HIGHER, 18,
                "Releases deployed to production.", lead=True, noise=0.08)),
        (35, _k(RND, "commit_to_production_hours", "Lead time from commit to production",
                "hours", LOWER, 30, "Median hours from code commit to running in production.",
                lead=True, noise=0.07)),
        (30, _k(RND, "roadmap_commitments_delivered", "Roadmap commitments delivered", "%",
                HIGHER, 72, "Quarterly roadmap commitments delivered in the quarter.",
                noise=2.5)),
    ]),
    _o("DP-PRO-07", "Engineer reliable systems", PROCESS, "operations", "dept:Engineering",
       "CO-PRO-01", "Keep change failures below 10% and defects found by customers falling.", [
        (30, _k(RND, "change_failure_rate", "Deployments causing a failure", "%", LOWER, 12,
                "Deployments that caused an incident, rollback or hotfix.", kind="quality",
                noise=0.9)),
        (25, _k(RND, "escaped_defects", "Defects found by customers", "count", LOWER, 35,
                "Defects reported by customers rather than found in testing.", kind="quality",
                noise=0.08)),
        (25, _k(RND, "automated_test_coverage", "Automated test coverage", "%", HIGHER, 64,
                "Lines of production code exercised by automated tests.", lead=True,
                noise=1.0)),
        (20, _k(RND, "rework_share", "Engineering time spent on rework", "%", LOWER, 19,
                "Engineering hours booked to fixing work already delivered.", noise=1.0)),
    ]),
    _o("DP-PRO-08", "Protect the company's legal position", PROCESS, "sustainability",
       "dept:Legal", "CO-PRO-04", "Review contracts within a week and keep litigation rare.", [
        (40, _k(LEG, "contract_review_turnaround", "Contract review turnaround", "days", LOWER,
                4.5, "Working days from request to reviewed contract returned.", noise=0.07)),
        (30, _k(LEG, "open_litigation_matters", "Open litigation matters", "count", LOWER, 9,
                "Court or arbitration matters open at month end.", stock=True, noise=0.08)),
        (30, _k(LEG, "external_legal_spend", "External legal spend", "GBP", LOWER, 28,
                "Fees paid to outside law firms.", per_head=True, noise=0.12)),
    ]),
    _o("DP-CUS-06", "Make customers successful", CUSTOMER, "customer", "dept:Customer Success",
       "EN-FIN-02", "Get new accounts to first value in a month and grow existing ones.", [
        (35, _k(CSM, "accounts_health_green", "Accounts with a green health score", "%", HIGHER,
                66, "Accounts whose usage, support and sentiment signals are all green.",
                lead=True, noise=1.8)),
        (35, _k(CSM, "time_to_first_value", "Time to first value for new accounts", "days",
                LOWER, 34, "Days from contract signature to the first agreed outcome reached.",
                noise=0.07)),
        (30, _k(CSM, "expansion_revenue", "Expansion revenue from existing accounts", "GBP",
                HIGHER, 650, "New recurring revenue from upgrades and add-ons.", per_head=True,
                scoring="percent_uncapped", noise=0.1)),
    ]),
    _o("DP-FIN-04", "Shape the portfolio", FINANCIAL, "growth", "dept:Strategy", "CO-FIN-04",
       "Keep strategic initiatives on track and invest only above the hurdle rate.", [
        (40, _k(STR, "initiatives_on_track", "Strategic initiatives on track", "%", HIGHER, 70,
                "Board-approved initiatives reporting green on scope, time and cost.",
                noise=2.5)),
        (30, _k(STR, "synergy_savings_realised", "Acquisition cost synergies realised", "GBP",
                HIGHER, 55_000, "Run-rate cost synergies delivered from acquisitions.",
                stock=True, noise=0.06, source="Integration management office tracker")),
        (30, _k(STR, "investments_above_hurdle", "Approved investments meeting their hurdle "
                "rate", "%", HIGHER, 77, "Post-investment reviews showing returns above the "
                "hurdle rate.", refresh="quarterly", noise=2.0)),
    ]),
    _o("DP-PRO-09", "Keep payroll and reward right", PROCESS, "operations",
       "dept:Reward & Payroll", "EN-PRO-01", "Pay everyone correctly and on time at low cost.", [
        (35, _k(HR, "payslip_queries", "Payslip queries per 100 employees",
                "per 100 employees", LOWER, 2.2, "Queries about pay raised with payroll.",
                noise=0.08, source="Payroll system")),
        (35, _k(HR, "cost_per_payslip", "Payroll cost per payslip", "GBP", LOWER, 7.5,
                "Cost of running payroll over payslips produced.", noise=0.04,
                source="Payroll system")),
        (30, _k(HR, "pay_changes_on_time", "Pay changes processed in the month agreed", "%",
                HIGHER, 96, "Approved pay changes reaching the payslip of the agreed month.",
                noise=0.8, source="Payroll system")),
    ]),
    _o("DP-PRO-10", "Resolve HR cases promptly", PROCESS, "operations", "dept:HR Services",
       "EN-PRO-01", "Resolve HR cases within four days with accurate employee records.", [
        (35, _k(HR, "hr_case_resolution_time", "HR case resolution time", "days", LOWER, 3.8,
                "Working days from an HR case being logged to being resolved.", noise=0.06,
                source="HR case management system")),
        (30, _k(HR, "hr_cases_per_100", "HR cases per 100 employees", "per 100 employees",
                LOWER, 6.5, "Cases raised with HR services per hundred employees.",
                noise=0.06, source="HR case management system")),
        (35, _k(HR, "employee_record_accuracy", "Employee records without errors", "%", HIGHER,
                97, "Sampled employee records with no error found in audit.", noise=0.6)),
    ]),
    _o("DP-PRO-11", "Deliver projects within budget", PROCESS, "operations",
       "dept:Project Delivery", "EN-PRO-02", "Keep project cost within 5% of budget and report "
       "every safety observation.", [
        (40, _k(PMO, "project_cost_to_budget", "Project cost to budget ratio", "ratio", RANGE,
                1.0, "Forecast cost at completion over approved budget.",
                range_half_width=0.05, noise=0.02)),
        (30, _k(PMO, "change_orders_value", "Approved change orders value", "GBP", HIGHER, 400,
                "Value of client-approved variations to contracts.", per_head=True, noise=0.12)),
        (30, _k(PMO, "site_safety_observations", "Safety observations reported on site",
                "count", HIGHER, 0.8, "Safe and unsafe acts recorded by site teams.",
                per_head=True, lead=True, source="EHS incident management system",
                noise=0.08)),
    ]),
    _o("DP-CUS-07", "Sell the JV's output at good prices", CUSTOMER, "growth",
       "dept:Commercial", "CO-CUS-02", "Contract most planned output at or above the plan price.",
       [
        (40, _k(SAL, "contracted_offtake_volume", "Contracted offtake volume", "MWh", HIGHER,
                5_200, "Generation output contracted under offtake agreements.",
                noise=0.05)),
        (35, _k(SAL, "realised_power_price", "Realised power price", "GBP/MWh", HIGHER, 72,
                "Average price received per megawatt-hour sold.", season="winter",
                amplitude=0.06, noise=0.04)),
        (25, _k(FIN, "offtaker_payment_days", "Offtaker payment days", "days", LOWER, 31,
                "Average days for offtakers to pay our invoices.", noise=0.05)),
    ]),
    _o("DP-LRN-04", "Apply data science across the group", LEARNING, "digital",
       "dept:Data Science", "EN-LRN-01", "Put models into production that managers use.", [
        (35, _k(DAT, "models_in_production", "Machine-learning models in production", "count",
                HIGHER, 14, "Models serving predictions to a live process.", stock=True,
                noise=0.08)),
        (30, _k(DAT, "model_drift_incidents", "Model drift incidents", "count", LOWER, 3,
                "Production models breaching their drift or accuracy alert.", noise=0.2)),
        (35, _k(DAT, "analytics_adoption", "Managers using self-service analytics", "%", HIGHER,
                43, "Managers who opened a self-service dashboard in the month.", noise=1.5)),
    ]),
]  # fmt: skip

# --- teams ------------------------------------------------------------------------------

TEAM_LEVEL: list[ObjectiveTemplate] = [
    _o("TM-FIN-01", "Fill the pipeline", FINANCIAL, "growth", "team:Sales", "DP-FIN-01",
       "Meet customers weekly and send the proposals that fill next quarter's pipeline.", [
        (35, _k(SAL, "customer_meetings_held", "Customer meetings held", "count", HIGHER, 6,
                "Meetings with customers or prospects logged in the CRM.", per_head=True,
                lead=True, refresh="weekly", season="summer", amplitude=0.1)),
        (30, _k(SAL, "proposals_sent", "Proposals sent", "count", HIGHER, 2.1,
                "Priced proposals sent to customers.", per_head=True, lead=True,
                refresh="weekly", noise=0.07)),
        (35, _k(SAL, "pipeline_created", "New pipeline created", "GBP", HIGHER, 30_000,
                "Value of opportunities created in the month.", per_head=True, lead=True,
                noise=0.07)),
    ]),
    _o("TM-CUS-01", "Make each contact count", CUSTOMER, "customer", "team:Customer Service",
       "DP-CUS-02", "Score above 85% on call quality and keep repeat contacts down.", [
        (35, _k(CSV, "call_quality_score", "Call quality assurance score", "%", HIGHER, 86,
                "Average score of sampled calls against the quality checklist.",
                kind="quality", noise=1.2)),
        (35, _k(CSV, "repeat_contact_rate", "Customers contacting us again within 7 days", "%",
                LOWER, 14, "Customers who contact us again about the same issue within a week.",
                noise=1.0)),
        (30, _k(CSV, "agent_occupancy", "Agent occupancy", "%", RANGE, 82,
                "Time agents spend handling contacts over time logged in.",
                range_half_width=5.0, noise=1.5)),
    ]),
    _o("TM-CUS-02", "Celebrate customer wins in the team", CUSTOMER, "customer",
       "team:Customer Success", "DP-CUS-06",
       "Share a customer success story at every team meeting.", []),
    _o("TM-PRO-01", "Run a safe, tidy shop floor", PROCESS, "operations", "team:Manufacturing",
       "DP-PRO-01", "Report every near miss and pass the monthly 5S audit.", [
        (50, _k(OPS, "near_misses_reported", "Near misses reported", "count", HIGHER, 0.4,
                "Near-miss reports logged by the team.", per_head=True, lead=True,
                source="EHS incident management system", noise=0.1)),
        (50, _k(OPS, "five_s_audit_score", "5S audit score", "%", HIGHER, 78,
                "Score of the monthly sort, set, shine, standardise and sustain audit.",
                lead=True, noise=1.8)),
    ]),
    _o("TM-PRO-02", "Pick, pack and ship accurately", PROCESS, "operations",
       "team:Supply Chain", "DP-PRO-02", "Pick 99% of lines right and put stock away within a day.",
       [
        (35, _k(SCM, "order_picking_accuracy", "Order picking accuracy", "%", HIGHER, 99.1,
                "Order lines picked with the right item and quantity.", kind="quality",
                noise=0.2)),
        (35, _k(SCM, "dock_to_stock_hours", "Dock-to-stock time", "hours", LOWER, 20,
                "Hours from goods arriving at the dock to being available in stock.",
                noise=0.07)),
        (30, _k(SCM, "customer_returns_processed", "Customer returns processed", "", HIGHER,
                140, "Returned items inspected and restocked or scrapped.",
                values_like="count", noise=0.07)),
    ]),
    _o("TM-PRO-03", "Fix IT problems for good", PROCESS, "digital", "team:IT Service Desk",
       "DP-PRO-04", "Find root causes so that incidents do not come back.", [
        (35, _k(IT, "incident_resolution_hours", "Mean time to resolve IT incidents", "hours",
                LOWER, 9, "Hours from an IT incident being logged to service restored.",
                step="ticketing", step_size=-0.12, noise=0.06)),
        (35, _k(IT, "problem_records_closed", "Problem records closed with root cause", "count",
                HIGHER, 12, "Problem records closed with a documented root cause.", noise=0.1)),
        (30, _k(IT, "repeat_incident_share", "Repeat incidents", "%", LOWER, 8,
                "Incidents matching one already resolved in the last 30 days.", noise=0.7)),
    ]),
    _o("TM-PRO-04", "Ship code safely", PROCESS, "digital", "team:Engineering", "DP-PRO-07",
       "Review code within a working day and keep builds green.", [
        (35, _k(RND, "code_review_turnaround", "Time to first code review", "hours", LOWER, 9,
                "Hours from a pull request opening to its first review.", lead=True,
                noise=0.07)),
        (35, _k(RND, "first_time_build_success", "CI builds passing first time", "%", HIGHER, 86,
                "Continuous-integration builds that pass on the first run.", lead=True,
                noise=1.3)),
        (30, _k(RND, "open_high_vulnerabilities", "Open high-severity vulnerabilities", "count",
                LOWER, 7, "High and critical vulnerabilities open in our code and images.",
                stock=True, tree="max", source="Vulnerability scanner", noise=0.12)),
    ]),
    _o("TM-CUS-03", "Onboard new accounts smoothly", CUSTOMER, "customer",
       "team:Customer Success", "DP-CUS-06", "Finish onboarding on schedule and delight users.", [
        (50, _k(CSM, "onboardings_on_schedule", "Onboardings completed on schedule", "%", HIGHER,
                79, "Customer onboardings finished by the date agreed at kick-off.",
                noise=2.2)),
        (50, _k(CSM, "onboarding_satisfaction", "Onboarding satisfaction", "score (1-5)",
                HIGHER, 4.3, "New customers' rating of their onboarding.",
                source="Customer feedback survey platform", noise=0.08)),
    ]),
]  # fmt: skip

OBJECTIVES: tuple[ObjectiveTemplate, ...] = (
    *CORPORATE,
    *ENTITY_LEVEL,
    *DEPARTMENT_LEVEL,
    *TEAM_LEVEL,
)

# Cause -> effect arrows of the strategy map (always to a higher perspective layer).
OBJECTIVE_LINKS: tuple[tuple[str, str], ...] = (
    ("CO-LRN-01", "CO-PRO-01"),
    ("CO-LRN-02", "CO-PRO-01"),
    ("CO-LRN-02", "CO-PRO-03"),
    ("CO-LRN-03", "CO-PRO-02"),
    ("CO-LRN-03", "CO-ESG-04"),
    ("CO-LRN-01", "CO-ESG-03"),
    ("CO-PRO-01", "CO-CUS-01"),
    ("CO-PRO-02", "CO-CUS-01"),
    ("CO-PRO-03", "CO-CUS-03"),
    ("CO-PRO-04", "CO-CUS-02"),
    ("CO-ESG-01", "CO-CUS-02"),
    ("CO-ESG-05", "CO-CUS-01"),
    ("CO-ESG-02", "CO-CUS-01"),
    ("CO-CUS-01", "CO-FIN-01"),
    ("CO-CUS-02", "CO-FIN-01"),
    ("CO-CUS-03", "CO-FIN-02"),
    ("CO-PRO-03", "CO-FIN-02"),
    ("CO-PRO-02", "CO-FIN-03"),
    ("CO-ESG-01", "CO-FIN-04"),
    ("BU-LRN-01", "DP-PRO-06"),
    ("DP-PRO-06", "BU-CUS-02"),
    ("DP-PRO-02", "BU-CUS-01"),
    ("BU-PRO-01", "BU-CUS-01"),
    ("DP-CUS-02", "DP-FIN-01"),
    ("EN-PRO-01", "BU-FIN-01"),
    ("DP-FIN-02", "CO-FIN-03"),
    ("EN-LRN-01", "EN-PRO-01"),
)

# --- person-level KPIs (individual goals) ------------------------------------------------


def _p(
    function: str,
    perspective: str,
    code: str,
    name: str,
    unit: str,
    direction: str,
    base: float,
    goal: str,
    description: str,
    **options: object,
) -> KpiTemplate:
    """A KPI measured for people, with the individual goal it measures."""
    if unit in {"count", "GBP", "hours"}:
        # Flows a person produces add up over months and over the people of a unit.
        options.setdefault("time", "sum")
        options.setdefault("tree", "sum")
    return _k(
        function,
        code,
        name,
        unit,
        direction,
        base,
        description,
        person=True,
        goal=goal,
        perspective=perspective,
        **options,  # type: ignore[arg-type]
    )


PERSON_GOALS_BY_FUNCTION: dict[str, tuple[KpiTemplate, ...]] = {
    "Sales": (
        _p(SAL, FINANCIAL, "quota_attainment", "Quota attainment", "ratio", HIGHER, 0.97,
           "Deliver my sales quota", "Bookings over the personal quota for the month.",
           scoring="percent_uncapped", noise=0.06),
        _p(SAL, FINANCIAL, "personal_bookings", "Personal signed bookings", "GBP", HIGHER,
           38_000, "Sign new business", "Contract value signed by the salesperson.",
           season="quarterend", amplitude=0.1),
        _p(SAL, CUSTOMER, "customer_visits_logged", "Customer visits logged", "count", HIGHER, 14,
           "Visit my accounts regularly", "Customer visits recorded in the CRM.", lead=True,
           noise=0.05),
        _p(SAL, PROCESS, "crm_next_step_hygiene", "Opportunities with a dated next step", "%",
           HIGHER, 82, "Keep my pipeline current", "Own open opportunities with a dated next "
           "step.", lead=True, noise=1.6),
    ),
    "Engineering": (
        _p(RND, PROCESS, "planned_items_completed", "Planned sprint items completed", "%",
           HIGHER, 78, "Deliver what I commit to in each sprint",
           "Sprint backlog items finished in the sprint.", noise=2.0),
        _p(RND, PROCESS, "pull_requests_merged", "Pull requests merged", "count", HIGHER, 22,
           "Ship small, frequent changes", "Own pull requests merged to the main branch.",
           lead=True, noise=0.06),
        _p(RND, LEARNING, "code_reviews_given", "Code reviews given", "count", HIGHER, 18,
           "Review my colleagues' code", "Reviews left on other people's pull requests.",
           lead=True, noise=0.07),
        _p(RND, PROCESS, "defects_reopened", "Fixed defects reopened", "%", LOWER, 6,
           "Fix defects for good", "Own defect fixes reopened within 30 days.", noise=0.7),
    ),
    "Manufacturing": (
        _p(OPS, PROCESS, "units_assembled_per_shift", "Units assembled per shift", "count",
           HIGHER, 210, "Meet my shift output", "Units assembled and passed per shift worked.",
           noise=0.04),
        _p(OPS, PROCESS, "personal_scrap_rework", "Own scrap and rework", "%", LOWER, 2.1,
           "Make it right first time", "Own output scrapped or reworked.", noise=0.25),
        _p(OPS, LEARNING, "safety_walk_observations", "Hazards spotted on safety walks", "count",
           HIGHER, 4, "Look out for safety hazards", "Hazards and safe acts recorded on walks.",
           lead=True, noise=0.08),
        _p(OPS, PROCESS, "standard_work_audits_passed", "Standard work audits passed", "%",
           HIGHER, 88, "Follow the standard work", "Spot audits of own standard work passed.",
           noise=1.8),
    ),
    "Supply Chain": (
        _p(SCM, PROCESS, "planner_forecast_error", "Forecast error on my product lines", "%",
           LOWER, 24, "Forecast my lines accurately",
           "Weighted absolute percentage error of own product lines.", noise=1.4),
        _p(SCM, PROCESS, "purchase_orders_expedited", "Purchase orders expedited", "count",
           LOWER, 6, "Plan so that nothing needs expediting",
           "Purchase orders needing an expedite.", noise=0.12),
        _p(SCM, CUSTOMER, "planner_stock_outs", "Stock-outs on my product lines", "count",
           LOWER, 5, "Keep my lines in stock", "Days with a stock-out on own product lines.",
           noise=0.15),
        _p(SCM, PROCESS, "supplier_scorecards_reviewed", "Supplier scorecards reviewed",
           "count", HIGHER, 5, "Review my suppliers' performance",
           "Supplier scorecards reviewed with the supplier.", lead=True, noise=0.1),
    ),
    "Customer Service": (
        _p(CSV, CUSTOMER, "advisor_cases_closed", "Advisor case closures", "count", HIGHER, 310,
           "Resolve my customers' cases", "Cases closed by the advisor.", refresh="weekly",
           noise=0.05),
        _p(CSV, CUSTOMER, "advisor_csat", "Advisor satisfaction rating", "%", HIGHER, 88,
           "Leave customers satisfied", "Customers rating the advisor 4 or 5 of 5.",
           noise=1.3),
        _p(CSV, PROCESS, "talk_and_wrap_minutes", "Talk-and-wrap minutes per contact",
           "minutes", LOWER, 7.5, "Handle contacts efficiently",
           "Minutes of talk and wrap-up per contact handled.", noise=0.04),
        _p(CSV, LEARNING, "knowledge_articles_contributed", "Knowledge articles contributed",
           "count", HIGHER, 4, "Share what I learn", "Help-centre articles written or updated.",
           lead=True, noise=0.15),
    ),
    "Product": (
        _p(RND, CUSTOMER, "customer_interviews_run", "Customer interviews run", "count", HIGHER,
           6, "Talk to customers every week", "Discovery interviews held with customers.",
           lead=True, noise=0.1),
        _p(RND, PROCESS, "backlog_items_validated", "Backlog items validated with users", "%",
           HIGHER, 62, "Build what users need", "Delivered items validated with users first.",
           noise=2.0),
        _p(RND, PROCESS, "specs_signed_off_on_time", "Specifications signed off on time", "%",
           HIGHER, 80, "Get specifications agreed on time",
           "Feature specifications approved by their planned date.", noise=2.0),
        _p(RND, LEARNING, "experiments_shipped", "Product experiments shipped", "count",
           HIGHER, 4, "Test ideas with real users", "A/B tests and prototypes shipped.",
           lead=True, noise=0.15),
    ),
    "Customer Success": (
        _p(CSM, CUSTOMER, "book_renewal_rate", "Book-of-business renewal rate", "%", HIGHER, 90,
           "Renew my accounts", "Own accounts up for renewal that renewed.", noise=1.5),
        _p(CSM, CUSTOMER, "business_reviews_held", "Quarterly business reviews held", "count",
           HIGHER, 4, "Review value with my accounts", "Business reviews held with customers.",
           lead=True, noise=0.1),
        _p(CSM, CUSTOMER, "at_risk_accounts_recovered", "At-risk accounts recovered", "%",
           HIGHER, 45, "Turn around accounts at risk",
           "Own accounts at risk moved from red health back to green within a quarter.",
           noise=3.0),
        _p(CSM, PROCESS, "adoption_plan_milestones", "Adoption plan milestones met", "%",
           HIGHER, 75, "Drive adoption in my accounts",
           "Milestones of account adoption plans met on time.", noise=2.0),
    ),
    "Marketing": (
        _p(MKT, CUSTOMER, "campaign_leads_generated", "Leads attributed to own campaigns", "count",
           HIGHER, 140, "Generate leads from my campaigns", "Leads attributed to own campaigns.",
           lead=True, season="summer", amplitude=0.1),
        _p(MKT, CUSTOMER, "content_pieces_published", "Content pieces published", "count",
           HIGHER, 6, "Publish useful content", "Articles, videos and guides published.",
           lead=True, noise=0.1),
        _p(MKT, FINANCIAL, "campaign_cost_per_lead", "Campaign cost per lead", "GBP", LOWER, 42,
           "Spend the campaign budget well", "Own campaign spend over leads generated.",
           time="average", tree="average", noise=0.06),
        _p(MKT, CUSTOMER, "email_click_through", "Email click-through rate", "%", HIGHER, 3.4,
           "Write emails people open and click", "Recipients clicking a link in own emails.",
           noise=0.2),
    ),
    "Finance": (
        _p(FIN, PROCESS, "forecast_submissions_on_time", "Forecast submissions on time", "%",
           HIGHER, 94, "Submit forecasts on time", "Forecast cycles submitted by the deadline.",
           noise=1.0),
        _p(FIN, PROCESS, "variance_commentary_accepted", "Variance commentaries accepted first "
           "time", "%", HIGHER, 81, "Explain the numbers clearly",
           "Variance explanations accepted without rework.", noise=2.0),
        _p(FIN, CUSTOMER, "partnering_requests_answered", "Business partnering requests "
           "answered", "count", HIGHER, 16, "Support business decisions",
           "Analysis requests from budget holders answered.", noise=0.08),
        _p(FIN, PROCESS, "close_tasks_by_deadline", "Close tasks completed by deadline", "%",
           HIGHER, 92, "Do my part of the close on time",
           "Own month-end close tasks finished by their deadline.", noise=1.2),
    ),
    "Legal": (
        _p(LEG, PROCESS, "contracts_reviewed", "Contracts reviewed", "count", HIGHER, 24,
           "Keep contract reviews moving", "Contracts reviewed and returned.", noise=0.07),
        _p(LEG, CUSTOMER, "advice_within_five_days", "Advice requests answered within 5 days",
           "%", HIGHER, 85, "Answer the business quickly",
           "Legal advice requests answered within five working days.", noise=1.8),
        _p(LEG, LEARNING, "legal_sessions_delivered", "Legal awareness training delivered",
           "hours", HIGHER, 6, "Teach the business the legal basics",
           "Hours of training on legal topics delivered to the business.", lead=True,
           noise=0.12),
        _p(LEG, FINANCIAL, "matters_without_outside_counsel", "Matters handled without outside "
           "counsel", "%", HIGHER, 72, "Keep work in-house", "Own matters handled without "
           "external law firms.", noise=2.0),
    ),
    "People": (
        _p(HR, PROCESS, "partner_actions_closed", "HR business partner actions closed", "count",
           HIGHER, 11, "Close the actions I agree with managers",
           "Actions agreed with managers and closed.", noise=0.08),
        _p(HR, LEARNING, "survey_action_plans_agreed", "Engagement survey action plans agreed",
           "%", HIGHER, 76, "Turn survey results into action",
           "Teams in own portfolio with an agreed survey action plan.", noise=2.0),
        _p(HR, LEARNING, "managers_coached", "Managers coached", "count", HIGHER, 5,
           "Coach the managers I support", "Coaching sessions held with line managers.",
           lead=True, noise=0.1),
        _p(HR, CUSTOMER, "policy_queries_in_two_days", "Policy queries answered in two days",
           "%", HIGHER, 87, "Answer policy questions fast",
           "Policy questions answered within two working days.", noise=1.5),
    ),
    "Strategy": (
        _p(STR, PROCESS, "market_analyses_delivered", "Competitor and market studies delivered",
           "count", HIGHER, 4, "Deliver the market analyses asked for",
           "Market and competitor analyses delivered to sponsors.", noise=0.15),
        _p(STR, PROCESS, "board_paper_deadlines_met", "Board paper deadlines met", "%", HIGHER,
           90, "Get board papers out on time", "Board and committee papers sent on time.",
           noise=1.5),
        _p(STR, PROCESS, "initiative_reviews_facilitated", "Initiative reviews facilitated",
           "count", HIGHER, 5, "Run the initiative reviews",
           "Portfolio reviews of strategic initiatives facilitated.", noise=0.12),
        _p(STR, LEARNING, "benchmark_studies_completed", "Benchmark comparisons completed", "count",
           HIGHER, 6, "Bring outside benchmarks in",
           "Comparisons with external benchmarks completed and shared.", lead=True, noise=0.2),
    ),
    "HR Services": (
        _p(HR, PROCESS, "hr_cases_handled", "HR cases handled", "count", HIGHER, 120,
           "Handle my share of HR cases", "HR cases closed by the adviser.", noise=0.05),
        _p(HR, CUSTOMER, "cases_within_sla", "Cases resolved within service level", "%",
           HIGHER, 90, "Resolve cases within the service level",
           "Own cases resolved within the agreed service level.", noise=1.3),
        _p(HR, PROCESS, "onboardings_without_error", "Onboardings processed without error",
           "%", HIGHER, 95, "Onboard starters without errors",
           "Starter records set up with no correction needed.", noise=0.9),
        _p(HR, PROCESS, "employee_data_changes", "Employee data changes processed", "count",
           HIGHER, 260, "Process employee changes promptly",
           "Transfers, promotions and detail changes processed.", noise=0.06),
    ),
    "Reward & Payroll": (
        _p(HR, PROCESS, "payslips_processed", "Payslips processed", "count", HIGHER, 900,
           "Run my payrolls", "Payslips produced on own payrolls.", noise=0.03),
        _p(HR, PROCESS, "payroll_errors_caught", "Payroll errors caught before payment",
           "count", HIGHER, 4, "Catch errors before people are paid",
           "Errors found in pre-payment checks.", noise=0.15),
        _p(HR, CUSTOMER, "reward_queries_in_sla", "Reward queries answered in service level",
           "%", HIGHER, 91, "Answer reward questions on time",
           "Pay and benefits queries answered within the service level.", noise=1.2),
        _p(HR, PROCESS, "roles_priced", "Benchmark roles priced", "count", HIGHER, 9,
           "Price roles against the market", "Roles priced against salary surveys.",
           noise=0.1),
    ),
    "Finance Operations": (
        _p(FIN, PROCESS, "invoices_processed", "AP invoices cleared", "count", HIGHER,
           1_400, "Process my invoice queue", "Supplier invoices processed by the clerk.",
           noise=0.04),
        _p(FIN, PROCESS, "supplier_payments_on_time", "Supplier payments made on time", "%",
           HIGHER, 95, "Pay suppliers on time", "Payments made by their due date.", noise=0.8),
        _p(FIN, PROCESS, "accounts_reconciled_day3", "Accounts reconciled by day three", "%",
           HIGHER, 88, "Reconcile my accounts early",
           "Own accounts reconciled by working day three.", noise=1.5),
        _p(FIN, PROCESS, "credit_notes_in_error", "Credit notes raised in error", "count",
           LOWER, 5, "Invoice customers correctly", "Credit notes needed to correct own billing.",
           noise=0.15),
    ),
    "IT Service Desk": (
        _p(IT, CUSTOMER, "it_requests_fulfilled", "IT requests fulfilled", "count", HIGHER, 260,
           "Fulfil my IT requests", "Service requests fulfilled by the engineer.",
           refresh="weekly", noise=0.05),
        _p(IT, CUSTOMER, "first_line_fix_rate", "Incidents fixed without escalation", "%",
           HIGHER, 71, "Fix issues on the first call",
           "Own incidents fixed at first line, without handing them to second line.", noise=1.6),
        _p(IT, LEARNING, "knowledge_base_edits", "Knowledge base edits", "count", HIGHER, 5,
           "Keep the knowledge base useful", "IT knowledge articles written or updated.",
           lead=True, noise=0.12),
        _p(IT, CUSTOMER, "tickets_breaching_sla", "Tickets breaching SLA", "count", LOWER, 6,
           "Keep tickets within the service level", "Own tickets that breached their target.",
           noise=0.12),
    ),
    "Data Management": (
        _p(DAT, PROCESS, "data_issues_fixed", "Data quality issues fixed", "count", HIGHER, 35,
           "Fix data quality issues", "Data quality issues closed by the steward.",
           noise=0.07),
        _p(DAT, PROCESS, "data_definitions_published", "Data definitions published", "count",
           HIGHER, 5, "Define the data I steward", "Business terms and definitions published.",
           lead=True, noise=0.12),
        _p(DAT, PROCESS, "stewardship_reviews_on_time", "Stewardship reviews completed on time",
           "%", HIGHER, 86, "Review my data domains on time",
           "Scheduled data domain reviews done on time.", noise=1.8),
        _p(DAT, LEARNING, "lineage_maps_documented", "Lineage maps documented", "count", HIGHER,
           4, "Document where data comes from", "Data lineage maps documented.", lead=True,
           noise=0.15),
    ),
    "Project Delivery": (
        _p(PMO, PROCESS, "project_milestones_hit", "Project milestones hit", "%", HIGHER, 80,
           "Hit my project milestones", "Own project milestones reached by baseline date.",
           noise=2.5),
        _p(PMO, PROCESS, "risk_reviews_on_time", "Risk register reviews on time", "%", HIGHER,
           89, "Keep project risks under review", "Risk registers reviewed on schedule.",
           noise=1.6),
        _p(PMO, PROCESS, "earned_value_reports_filed", "Earned value reports filed", "count",
           HIGHER, 4, "Report progress honestly", "Earned value reports filed for own work.",
           noise=0.1),
        _p(PMO, PROCESS, "site_hours_without_incident", "Site hours without incident", "hours",
           HIGHER, 150, "Work safely on site", "Hours worked on site with no recordable incident.",
           noise=0.05),
    ),
    "Commercial": (
        _p(SAL, FINANCIAL, "offtake_contracts_negotiated", "Offtake term sheets negotiated",
           "count", HIGHER, 4, "Negotiate offtake contracts",
           "Offtake term sheets negotiated with buyers.", noise=0.15),
        _p(SAL, PROCESS, "tenders_on_time", "Tender responses submitted on time", "%", HIGHER,
           93, "Submit tenders on time", "Tender responses submitted by the deadline.",
           noise=1.2),
        _p(SAL, FINANCIAL, "commercial_claims_settled", "Commercial claims settled", "count",
           HIGHER, 4, "Settle claims with partners", "Claims and variations settled.",
           noise=0.15),
        _p(SAL, FINANCIAL, "price_reviews_completed", "Contract prices re-benchmarked", "count",
           HIGHER, 5, "Review contract prices", "Contract price reviews completed.",
           noise=0.12),
    ),
    "Data Science": (
        _p(DAT, PROCESS, "models_deployed", "Model releases deployed", "count", HIGHER, 4,
           "Put my models into production", "New model versions deployed to production.",
           noise=0.2),
        _p(DAT, CUSTOMER, "model_lift_over_baseline", "Model lift over baseline", "ratio",
           HIGHER, 1.18, "Beat the baseline", "Accuracy of own models over the rule baseline.",
           noise=0.04),
        _p(DAT, CUSTOMER, "analyses_delivered", "Analyses delivered to stakeholders", "count",
           HIGHER, 4, "Answer stakeholders' questions", "Analyses delivered and accepted.",
           noise=0.1),
        _p(DAT, LEARNING, "notebooks_published", "Reproducible notebooks published", "count",
           HIGHER, 4, "Make my work reproducible", "Notebooks published with data and tests.",
           lead=True, noise=0.15),
    ),
    # Heads of the group, entities, business units and projects.
    "": (
        _p(GEN, LEARNING, "direct_reports_with_goals", "Direct reports with agreed goals", "%",
           HIGHER, 92, "Agree goals with my team", "Direct reports with approved goals.",
           noise=1.5),
        _p(GEN, PROCESS, "business_reviews_chaired", "Business reviews chaired", "count",
           HIGHER, 4, "Run the monthly business reviews", "Operational reviews chaired.",
           noise=0.1),
        _p(GEN, FINANCIAL, "unit_budget_adherence", "Unit spend against budget", "ratio", RANGE,
           1.0, "Keep my unit within budget", "Actual spend over budget for the unit led.",
           range_half_width=0.04, noise=0.02),
        _p(GEN, CUSTOMER, "customer_escalations_owned", "Customer escalations owned", "count",
           HIGHER, 4, "Own customer escalations personally",
           "Customer escalations handled by the executive.", noise=0.15),
    ),
}  # fmt: skip

# Everyone's third goal: heads of units who report to someone get the leadership rubric,
# everyone else one of the common goals.
LEADERSHIP_GOAL = _p(
    GEN,
    LEARNING,
    "leadership_behaviour_rating",
    "Leadership behaviour rating",
    "level",
    HIGHER,
    3.4,
    "Lead my team well",
    "Monthly rating of the manager's leadership behaviour by their own manager.",
    rubric="leadership-behaviour",
    source="Performance management system",
    noise=0.3,
)
COMMON_GOALS: tuple[KpiTemplate, ...] = (
    _p(HR, LEARNING, "learning_hours_completed", "Learning hours completed", "hours", HIGHER,
       3, "Keep learning", "Hours of completed learning recorded.", lead=True,
       source="Learning management system", season="summer", amplitude=0.15),
    _p(LEG, LEARNING, "compliance_modules_on_time", "Compliance modules finished on time", "%",
       HIGHER, 93, "Complete my compliance training", "Assigned compliance modules completed by "
       "their due date.", source="Learning management system", noise=1.0),
    _p(OPS, PROCESS, "kaizen_ideas_submitted", "Kaizen ideas submitted", "count", HIGHER, 4,
       "Suggest ways to work smarter", "Ideas submitted to the kaizen board.", lead=True,
       source="Idea management board", noise=0.2),
    _p(HR, LEARNING, "wellbeing_checkins_held", "Wellbeing check-ins held", "count", HIGHER, 4,
       "Look after my wellbeing", "One-to-one wellbeing conversations logged.",
       source="Performance management system", noise=0.15),
)  # fmt: skip

PERSON_KPIS: tuple[KpiTemplate, ...] = (
    *(kpi for kpis in PERSON_GOALS_BY_FUNCTION.values() for kpi in kpis),
    LEADERSHIP_GOAL,
    *COMMON_GOALS,
)


def _unit_kpis() -> tuple[KpiTemplate, ...]:
    seen: dict[str, KpiTemplate] = {}
    for objective in OBJECTIVES:
        for _, kpi in objective.measures:
            seen.setdefault(kpi.code, kpi)
    return tuple(seen.values())


KPIS: tuple[KpiTemplate, ...] = (*_unit_kpis(), *PERSON_KPIS)
KPIS_BY_CODE: dict[str, KpiTemplate] = {kpi.code: kpi for kpi in KPIS}

# --- status rules beyond the default set --------------------------------------------------


@dataclass(frozen=True)
class StatusRuleSpec:
    basis: str
    comparison: str
    bound: float | None
    bound_upper: float | None
    status: str


STATUS_RULE_SETS: dict[str, tuple[StatusRuleSpec, ...]] = {
    "lost_time_injury_frequency": (
        StatusRuleSpec("value", "le", 0.8, None, "green"),
        StatusRuleSpec("value", "le", 1.5, None, "amber"),
        StatusRuleSpec("value", "otherwise", None, None, "red"),
    ),
    "net_promoter_score": (
        StatusRuleSpec("value", "ge", 40.0, None, "green"),
        StatusRuleSpec("value", "between", 20.0, 40.0, "amber"),
        StatusRuleSpec("value", "otherwise", None, None, "red"),
    ),
    "system_availability": (
        StatusRuleSpec("value", "ge", 99.8, None, "green"),
        StatusRuleSpec("value", "ge", 99.4, None, "amber"),
        StatusRuleSpec("value", "otherwise", None, None, "red"),
    ),
    "customer_satisfaction_csat": (
        StatusRuleSpec("percent_of_target", "ge", 98.0, None, "green"),
        StatusRuleSpec("percent_of_target", "ge", 94.0, None, "amber"),
        StatusRuleSpec("value", "otherwise", None, None, "red"),
    ),
    "critical_data_quality": (
        StatusRuleSpec("score", "ge", 75.0, None, "green"),
        StatusRuleSpec("score", "ge", 50.0, None, "amber"),
        StatusRuleSpec("score", "otherwise", None, None, "red"),
    ),
}

# --- planted audit cases -------------------------------------------------------------------

# Objectives deliberately left without any KPI.
PLANTED_UNMEASURED: tuple[str, ...] = ("DP-LRN-03", "TM-CUS-02")

# Redundant pairs in different functions: near-identical names and descriptions, the same
# direction, series that move together (the second follows the first).
PLANTED_DUPLICATES: tuple[tuple[str, str], ...] = (
    ("customer_churn_rate", "customer_churn_pct"),
    ("voluntary_turnover_rate", "employee_turnover_gri"),
    ("on_time_delivery_rate", "on_time_delivery_pct"),
)

# Conflicting pairs: fed by the same driver, so they move together, but one is better lower
# and the other better higher; pushing one pushes the other the wrong way.
PLANTED_CONFLICTS: tuple[tuple[str, str], ...] = (
    ("days_inventory_on_hand", "finished_goods_cover"),
    ("training_cost_per_employee", "learning_investment_per_head"),
)

# One deliberate SMART defect each: the code and the letter it fails.
PLANTED_SMART_FAILURES: dict[str, str] = {
    "improve_teamwork": "S",  # vague wording, no measurable definition in the name
    "customer_returns_processed": "M",  # no unit
    "social_sentiment_balance": "M",  # neither a data source nor a formula
    "small_supplier_spend": "A",  # nobody owns it
    "patent_applications_filed": "T",  # no refresh cycle
}
