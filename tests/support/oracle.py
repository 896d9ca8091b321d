"""An independent, deliberately naive oracle of the target/process sheet (DOMAIN.md §3, §5).

Written straight from the text of DOMAIN.md, sharing no code with xlsales (nothing is
imported from it): every snapshot replays the whole log.  Slow and obvious on purpose.

Input rows are plain dicts: ``date`` (datetime.date), ``rep``, ``activity`` (a key of
§2), ``customer``, ``amount``, ``lost_reason`` ("now"/"forever"), ``close_month``
("YYYY-MM" or None).  The row's position in the list is its row in the log.

Two levels:

- :func:`figures`: the raw §5 figures of one scope (a rep, or the team = several reps):
  flows of every month that has events, stocks per month and for the total, 月初.
- :func:`sheet`: the cells of the target/process sheet as xlsales shows them
  (row label -> [benchmark, month..., 合計]), blanks as None.
"""

from __future__ import annotations

import datetime as dt

OPEN = ("topic", "deal_b", "deal_a")
DEALS = ("deal_b", "deal_a")
STAGE_EVENTS = ("topic", "deal_b", "deal_a", "order", "lost")
COUNTED = {  # flow key -> activity counted
    "orders": "order", "lost": "lost", "visits": "visit", "follows": "follow", "lists": "list",
    "pre_reports": "pre_report", "post_reports": "post_report",
}


def first_of(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, 1)


def next_month(m: dt.date) -> dt.date:
    return dt.date(m.year + 1, 1, 1) if m.month == 12 else dt.date(m.year, m.month + 1, 1)


def last_day(m: dt.date) -> dt.date:
    return next_month(m) - dt.timedelta(days=1)


def close_month_of(row: dict) -> dt.date:
    """The expected close month: the row's close_month, or its own month when blank."""
    cm = row.get("close_month")
    if cm:
        return dt.date(int(cm[:4]), int(cm[5:7]), 1)
    return first_of(row["date"])


def opportunity(row: dict) -> tuple[str, str]:
    # (rep, customer); spreadsheet criteria compare text case-insensitively.
    return (row["rep"].casefold(), (row.get("customer") or "").casefold())


def _before(a: tuple[dt.date, int], b: tuple[dt.date, int]) -> bool:
    """Event a comes before event b: by date, then row."""
    return a < b


def state_at_end_of(rows: list[dict], opp: tuple[str, str], day: dt.date) -> tuple[int, dict] | None:
    """(row, event) of the latest stage event of ``opp`` dated on or before ``day``."""
    best = None
    for i, r in enumerate(rows):
        if r["activity"] in STAGE_EVENTS and opportunity(r) == opp and r["date"] <= day:
            if best is None or _before((best[1]["date"], best[0]), (r["date"], i)):
                best = (i, r)
    return best


def state_just_before(rows: list[dict], index: int) -> str | None:
    """The stage of the opportunity of row ``index`` just before that row (None: no history)."""
    me = rows[index]
    key = (me["date"], index)
    best = None
    for i, r in enumerate(rows):
        if r["activity"] in STAGE_EVENTS and opportunity(r) == opportunity(me) and (r["date"], i) < key:
            if best is None or (best[1]["date"], best[0]) < (r["date"], i):
                best = (i, r)
    return best[1]["activity"] if best else None


def open_at_end_of(rows: list[dict], day: dt.date) -> list[dict]:
    """Open opportunities at the end of ``day``: stage, amount, close month, customer, rep, when."""
    out = []
    for opp in sorted({opportunity(r) for r in rows if r["activity"] in STAGE_EVENTS}):
        st = state_at_end_of(rows, opp, day)
        if st is None:
            continue
        i, r = st
        if r["activity"] in OPEN:
            out.append(dict(stage=r["activity"], amount=float(r.get("amount") or 0), close=close_month_of(r),
                            customer=r["customer"], rep=r["rep"], when=(r["date"], i)))
    return out


def _stock(items: list[dict]) -> dict:
    top = sorted(items, key=lambda it: (-it["amount"], it["when"]))[:3]
    return dict(count=len(items), amount=sum(it["amount"] for it in items), top=top)


def figures(rows: list[dict], reps: list[str], months: list[dt.date], as_of: dt.date) -> dict:
    """The §5 figures of the scope ``reps`` (one rep, or every rep of the team).

    Opportunity history is per (rep, customer), so the scope's rows are enough.
    """
    scope = [r for r in rows if r["rep"] in reps]
    flows: dict[str, dict[dt.date, float]] = {}

    def add(key: str, m: dt.date, v: float) -> None:
        flows.setdefault(key, {}).setdefault(m, 0)
        flows[key][m] += v

    for i, r in enumerate(scope):
        m, a = first_of(r["date"]), r["activity"]
        for key, act in COUNTED.items():
            if a == act:
                add(key, m, 1)
        if a == "order":
            add("sales", m, float(r["amount"]))
        if a == "lost":
            add("lost_" + r["lost_reason"], m, 1)
        if a == "topic" and state_just_before(scope, i) not in OPEN:
            add("new_topics", m, 1)  # new, or re-opened after order/lost
        if a in DEALS and state_just_before(scope, i) not in DEALS:
            add("new_deals", m, 1)  # △→◯ or an amount update is not a new deal

    stocks: dict[str, dict] = {s: {} for s in OPEN}
    starts: dict[dt.date, dict] = {}
    for m in months:
        # the last day of an ended month; the as-of date for the current and later months
        day = last_day(m) if last_day(m) < as_of else as_of
        snap = [o for o in open_at_end_of(scope, day) if o["close"] == m]
        for s in OPEN:
            stocks[s][m] = _stock([o for o in snap if o["stage"] == s])
        # 月初: after all events dated before the 1st; after the as-of month: at the as-of date
        start_day = m - dt.timedelta(days=1) if m <= as_of else as_of
        starts[m] = _stock([o for o in open_at_end_of(scope, start_day) if o["close"] == m])
    snap = [o for o in open_at_end_of(scope, as_of) if o["close"] in months]
    for s in OPEN:
        stocks[s][None] = _stock([o for o in snap if o["stage"] == s])
    return dict(flows=flows, stocks=stocks, starts=starts)


def flow(fig: dict, key: str, m: dt.date) -> float:
    return fig["flows"].get(key, {}).get(m, 0)


# Row labels (ja) of the sheet, by key.
FLOW_LABELS = {
    "sales": "売上", "orders": "受注件数", "lost": "当月ボツ件数", "visits": "訪問件数", "follows": "フォロー件数",
    "lists": "リスト件数", "pre_reports": "外出前報告", "post_reports": "外出後報告", "new_topics": "話題化件数",
    "new_deals": "商談化件数", "lost_now": "ボツ（今だめ）", "lost_forever": "ボツ（ずっとだめ）",
}
STOCK_LABELS = {"deal_a": "商談◯", "deal_b": "商談△", "topic": "話題"}
RATIOS = {  # label -> (numerator, denominator)
    "売上達成率": ("売上", "売上目標"), "受注単価": ("売上", "受注件数"),
    "アポ率": ("訪問件数", "フォロー件数"), "話題化率": ("話題化件数", "訪問件数"),
    "商談化率": ("商談化件数", "話題化件数"), "受注率": ("受注件数", "商談化件数"),
}
KPI_LABELS = ("受注件数", "商談化件数", "話題化件数", "訪問件数", "フォロー件数", "リスト件数")


def _ratio(n, d):
    return None if not d else (n or 0) / d


def sheet(rows: list[dict], reps: list[str], months: list[dt.date], as_of: dt.date, *,
          targets: dict[dt.date, float] | None = None, team: bool = False,
          w_a: float = 0.7, w_b: float = 0.3, bench: dict[str, float] | None = None,
          process_targets: dict[str, dict[dt.date, float]] | None = None) -> dict[str, list]:
    """Label -> [benchmark, month..., 合計] of the sheet.

    ``bench``: the benchmark column by row label (e.g. from :func:`plan`); ``process_targets``:
    KPI label -> month -> target.  Without them, the column and the process targets are blank.
    """
    fig = figures(rows, reps, months, as_of)
    targets = targets or {}
    bench = bench or {}
    process_targets = process_targets or {}
    future = [m > as_of for m in months]  # a month after the as-of month shows no actuals
    out: dict[str, list] = {}
    cols = len(months)

    def put(label, month_values, total, b=None):
        out[label] = [bench.get(label, b), *month_values, total]

    t = [targets.get(m) for m in months]
    put("売上目標", t, sum(v for v in t if v is not None))
    for key, lab in FLOW_LABELS.items():
        vals = [None if future[j] else flow(fig, key, m) for j, m in enumerate(months)]
        put(lab, vals, sum(v for v in vals if v is not None))
    st = [fig["starts"][m] for m in months]
    put("月初の商談金額", [s["amount"] for s in st], sum(s["amount"] for s in st))
    put("月初の商談件数", [s["count"] for s in st], sum(s["count"] for s in st))
    for stage, lab in STOCK_LABELS.items():
        per = [fig["stocks"][stage][m] for m in months] + [fig["stocks"][stage][None]]
        out[lab + "金額"] = [None, *(s["amount"] for s in per)]
        out[lab + "件数"] = [None, *(s["count"] for s in per)]
        for k in (1, 2, 3):
            names = []
            for s in per:
                if len(s["top"]) < k:
                    names.append(None)
                else:
                    it = s["top"][k - 1]
                    names.append(f"{it['customer']}（{it['rep']}）" if team else it["customer"])
            out[f"{lab}{k}"] = [None, *names]
    for lab, (num, den) in RATIOS.items():
        vals = [None if future[j] else _ratio(out[num][1 + j], out[den][1 + j]) for j in range(cols)]
        # the benchmark column: blank unless both benchmarks are there
        b = None if out[num][0] is None else _ratio(out[num][0], out[den][0])
        put(lab, vals, _ratio(out[num][-1], out[den][-1]), b)
    current = first_of(as_of)
    fc = []
    for j, m in enumerate(months):
        if m < current:
            fc.append(None)  # the forecast is for the current and future months
        else:
            fc.append((out["売上"][1 + j] or 0) + out["商談◯金額"][1 + j] * w_a + out["商談△金額"][1 + j] * w_b)
    put("売上予測", fc, out["売上"][-1] + out["商談◯金額"][-1] * w_a + out["商談△金額"][-1] * w_b)
    for lab in KPI_LABELS:  # without process targets: targets blank, achievements blank
        t = [process_targets.get(lab, {}).get(m) for m in months]
        put(lab + "目標", t, sum(v for v in t if v is not None))
        vals = [None if future[j] else _ratio(out[lab][1 + j], t[j]) for j in range(cols)]
        put(lab + "達成率", vals, _ratio(out[lab][-1], out[lab + "目標"][-1]))
    return out


# -- the annual plan (DOMAIN.md §6 and issue 15), as naive as the rest ----------------

DECK_RATES = {"受注率": 0.5, "商談化率": 0.8, "話題化率": 0.625, "アポ率": 0.128, "リスト→フォロー比": 1.0}
# The chain: count label, the count it comes from, the rate (numerator, denominator of last year's flows)
CHAIN = (("受注件数", "新規", "受注単価", ("売上", "受注件数")),
         ("商談化件数", "受注件数", "受注率", ("受注件数", "商談化件数")),
         ("話題化件数", "商談化件数", "商談化率", ("商談化件数", "話題化件数")),
         ("訪問件数", "話題化件数", "話題化率", ("話題化件数", "訪問件数")),
         ("フォロー件数", "訪問件数", "アポ率", ("訪問件数", "フォロー件数")),
         ("リスト件数", "フォロー件数", "リスト→フォロー比", ("フォロー件数", "リスト件数")))
_FLOW_KEY = {lab: key for key, lab in FLOW_LABELS.items()}


def _up(x: float) -> int:
    # ROUNDUP(ROUND(x, 6), 0)
    return -int(-round(x, 6) // 1)


def plan(rows: list[dict], reps: list[str], targets: dict[tuple[str, dt.date], float], as_of: dt.date,
         fy_start: int = 4) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[dt.date, float]]]]:
    """The plan of the fiscal year holding ``as_of`` for a master with no plan settings and no
    ベンチマーク sheet: per rep, the benchmark column by row label and the process targets
    (KPI label -> month -> count).  Empty when the plan has no counts (no target, no unit price).
    """
    year = dt.date(as_of.year if as_of.month >= fy_start else as_of.year - 1, fy_start, 1)
    months = [year]
    for _ in range(11):
        months.append(next_month(months[-1]))
    ref = [dt.date(m.year - 1, m.month, 1) for m in months]
    typed = [v for (rep, m), v in targets.items() if rep in reps and m in months]
    if not typed:
        return {}, {}
    in_ref = [r for r in rows if ref[0] <= r["date"] <= last_day(ref[-1])]
    names = sorted({r["rep"] for r in rows} | set(reps))
    fig = figures(rows, names, ref, as_of)
    total = {lab: sum(flow(fig, _FLOW_KEY[lab], m) for m in ref) for lab in _FLOW_KEY}
    rates = {}
    for _, _, rate, (num, den) in CHAIN:
        if total[num] > 0 and total[den] > 0:
            rates[rate] = total[num] / total[den]
        else:
            rates[rate] = DECK_RATES.get(rate)
    if rates["受注単価"] is None:
        return {}, {}
    annual = {"新規": max(sum(typed) - (total["売上"] if in_ref else 0), 0)}
    for count, before, rate, _ in CHAIN:
        annual[count] = _up(annual[before] / rates[rate])
    seen = {first_of(r["date"]) for r in in_ref}
    sales = [flow(fig, "sales", m) for m in ref]
    known = [v for v, m in zip(sales, ref) if m in seen]
    pattern = [v if m in seen else (sum(known) / len(known) if known else 0) for v, m in zip(sales, ref)]
    weights = [p / sum(pattern) for p in pattern] if sum(pattern) else [1 / 12] * 12
    last = {rep: sum(r["amount"] for r in in_ref if r["rep"] == rep and r["activity"] == "order") for rep in reps}
    with_sales = [rep for rep in reps if last[rep] > 0]
    share = {rep: (1 - (len(reps) - len(with_sales)) / len(reps)) * last[rep] / sum(last[x] for x in with_sales)
             if rep in with_sales else 1 / len(reps) for rep in reps}
    bench, kpis = {}, {}
    for rep in reps:
        mine = {c: _up(annual[c] * share[rep] / sum(share.values())) for c, _, _, _ in CHAIN}
        bench[rep] = {c: _up(v / 12) for c, v in mine.items()}
        bench[rep]["売上目標"] = bench[rep]["売上"] = bench[rep]["受注件数"] * rates["受注単価"]
        kpis[rep] = {c: {m: _up(v * w) for m, w in zip(months, weights)} for c, v in mine.items()}
    return bench, kpis
