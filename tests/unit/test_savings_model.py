"""The savings model (services.savings.report) on small hand-made groups, figures worked out by hand.

Every group row is what the database would sum for one (month, source, channel, department,
currency): `hires` hires with the salaries and costs added up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from services.savings.report import (
    ACTUAL_COST,
    CUMULATIVE_COSTS,
    CUMULATIVE_SAVINGS,
    HIRES,
    RUNNING_COSTS,
    SAVING_HEADHUNTER,
    SAVING_JOB_BOARDS,
    Assumptions,
    SavingsReport,
    Totals,
    build_report,
    score,
    source_label,
    what_if,
)

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
START, END = date(2026, 1, 1), date(2026, 3, 31)
USD = Assumptions(currency="USD", fee_rate=0.20, job_board_cost_per_hire=4700.0)


def group(month: date, source: str, hires: int, salary: float, *, channel: str = "",
          department: str = "Eng", currency: str = "USD", referral_bonus: float = 0.0,
          ad_spend: float = 0.0, job_board_fee: float = 0.0, agency_fee: float = 0.0,
          other_cost: float = 0.0) -> dict:
    return {"month": month, "source": source, "channel": channel, "department": department,
            "currency": currency, "hires": hires, "salary": float(salary),
            "referral_bonus": float(referral_bonus), "ad_spend": float(ad_spend),
            "job_board_fee": float(job_board_fee), "agency_fee": float(agency_fee),
            "other_cost": float(other_cost)}


def groups(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(group(JAN, "direct", 0, 0)))
    return frame.astype({"hires": "int64"})


def costs(*rows: tuple[date, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["month", "currency", "amount"])
    return frame.astype({"amount": "float64"})


NO_COSTS = costs()

# The world most tests use (all USD, fee rate 20 %, job-board baseline 4,700 per hire):
#
#  month source       dept  hires  salary   costs                 saving vs HH       vs job boards
#  Jan   referral     Eng     2    200,000  bonus 4,000     .2×200,000−4,000=36,000  2×4,700−4,000=5,400
#  Jan   agency       Eng     1    120,000  agency 30,000   agency → 0 (not −6,000)  not on baseline → 0
#  Mar   social       Sales   1     60,000  ads 500         12,000−500   = 11,500    4,700−500 = 4,200
#  Mar   job_board    Sales   1     50,000  board fee 1,000 10,000−1,000 =  9,000    not on baseline → 0
#  Mar   direct       Ops     1     40,000  other 100        8,000−100   =  7,900    4,700−100 = 4,600
#  Mar   internal     Ops     1     70,000  —               14,000       = 14,000    4,700
#  Mar   career_site  Ops     1     80,000  other 300       16,000−300   = 15,700    not on baseline → 0
#
#  hires 8; actual cost 4,000+30,000+500+1,000+100+0+300 = 35,900
#  saving vs HH 36,000+0+11,500+9,000+7,900+14,000+15,700 = 94,100
#  saving vs job boards 5,400+4,200+4,600+4,700 = 18,900
WORLD = groups(
    group(JAN, "referral", 2, 200_000, referral_bonus=4_000),
    group(JAN, "agency", 1, 120_000, channel="Hays", agency_fee=30_000),
    group(MAR, "social", 1, 60_000, channel="linkedin", department="Sales", ad_spend=500),
    group(MAR, "job_board", 1, 50_000, channel="indeed", department="Sales", job_board_fee=1_000),
    group(MAR, "direct", 1, 40_000, department="Ops", other_cost=100),
    group(MAR, "internal", 1, 70_000, department="Ops"),
    group(MAR, "career_site", 1, 80_000, department="Ops", other_cost=300),
)
# Running costs 40,000 + 10,000 + 10,000 = 60,000.
WORLD_COSTS = costs((JAN, "USD", 40_000), (FEB, "USD", 10_000), (MAR, "USD", 10_000))


def world_report(**changes) -> SavingsReport:
    return build_report(changes.get("groups", WORLD), changes.get("costs", WORLD_COSTS),
                        changes.get("assumptions", USD), START, END)


def approx_totals(totals: Totals, expected: Totals) -> None:
    for field in ("hires", "actual_cost", "saving_vs_headhunter", "saving_vs_job_boards",
                  "running_costs"):
        assert getattr(totals, field) == pytest.approx(getattr(expected, field)), field


# --- score ----------------------------------------------------------------------------------

def test_score_actual_cost_is_the_sum_of_the_five_cost_columns():
    scored = score(groups(group(JAN, "social", 3, 150_000, referral_bonus=1, ad_spend=20,
                                job_board_fee=300, agency_fee=4_000, other_cost=50_000)),
                   0.2, 4700)
    # 1 + 20 + 300 + 4,000 + 50,000 = 54,321 (salary is not a cost)
    assert scored["actual_cost"].tolist() == [54_321]


def test_score_agency_hires_save_nothing_against_a_headhunter_not_a_negative_amount():
    scored = score(groups(group(JAN, "agency", 1, 100_000, agency_fee=25_000),
                          group(JAN, "direct", 1, 100_000, agency_fee=25_000)), 0.2, 4700)
    by_source = scored.set_index("source")
    # agency: 0.2×100,000 − 25,000 = −5,000 → 0; direct with the same costs: −5,000 stays.
    assert by_source.loc["agency", "saving_vs_headhunter"] == 0
    assert by_source.loc["direct", "saving_vs_headhunter"] == pytest.approx(-5_000)
    assert by_source.loc["agency", "actual_cost"] == 25_000  # the cost itself is still counted


@pytest.mark.parametrize("source, on_baseline", [
    ("referral", True), ("social", True), ("direct", True), ("internal", True),
    ("job_board", False), ("career_site", False), ("agency", False)])
def test_score_saving_vs_job_boards_only_for_referral_social_direct_internal(source, on_baseline):
    scored = score(groups(group(JAN, source, 2, 100_000, other_cost=1_000)), 0.2, 4700)
    # 2 hires × 4,700 − 1,000 = 8,400 for sources on the baseline, else 0
    assert scored["saving_vs_job_boards"].iloc[0] == pytest.approx(8_400 if on_baseline else 0)


def test_score_uses_the_given_fee_rate_and_baseline():
    scored = score(groups(group(JAN, "referral", 2, 100_000, referral_bonus=3_000)), 0.25, 5000)
    # 0.25 × 100,000 − 3,000 = 22,000; 2 × 5,000 − 3,000 = 7,000
    assert scored["saving_vs_headhunter"].iloc[0] == pytest.approx(22_000)
    assert scored["saving_vs_job_boards"].iloc[0] == pytest.approx(7_000)


def test_score_does_not_change_its_input():
    frame = WORLD.copy()
    score(frame, 0.2, 4700)
    pd.testing.assert_frame_equal(frame, WORLD)


# --- build_report: totals, ROI, payback -----------------------------------------------------

def test_report_totals_match_the_hand_computed_figures():
    report = world_report()
    assert report.totals.hires == 8
    assert report.totals.actual_cost == pytest.approx(35_900)
    assert report.totals.saving_vs_headhunter == pytest.approx(94_100)
    assert report.totals.saving_vs_job_boards == pytest.approx(18_900)
    assert report.totals.running_costs == pytest.approx(60_000)
    assert report.totals.cost_per_hire == pytest.approx(35_900 / 8)  # 4,487.50


def test_roi_is_headhunter_saving_minus_running_costs_over_running_costs():
    # (94,100 − 60,000) / 60,000 = 0.568333…
    assert world_report().totals.roi == pytest.approx(34_100 / 60_000)


def test_roi_can_be_negative():
    report = world_report(costs=costs((JAN, "USD", 200_000)))
    # (94,100 − 200,000) / 200,000 = −0.5295
    assert report.totals.roi == pytest.approx(-105_900 / 200_000)


def test_roi_and_payback_are_none_without_running_costs():
    report = world_report(costs=NO_COSTS)
    assert report.totals.running_costs == 0
    assert report.totals.roi is None
    assert report.payback_month is None
    # A month of costs entered as 0 is no running costs either.
    report = world_report(costs=costs((JAN, "USD", 0)))
    assert report.totals.roi is None and report.payback_month is None


def test_payback_month_is_the_first_month_cumulative_savings_pass_cumulative_costs():
    report = world_report()
    # cumulative savings 36,000 | 36,000 | 94,100
    # cumulative costs   40,000 | 50,000 | 60,000  → first passed in March
    assert report.payback_month == MAR
    month = report.by_month.set_index("Month")
    assert month[CUMULATIVE_SAVINGS].tolist() == pytest.approx([36_000, 36_000, 94_100])
    assert month[CUMULATIVE_COSTS].tolist() == pytest.approx([40_000, 50_000, 60_000])


def test_payback_in_the_first_month_when_it_already_pays():
    report = world_report(costs=costs((JAN, "USD", 35_999), (FEB, "USD", 1)))
    # Jan: 36,000 > 35,999
    assert report.payback_month == JAN


def test_payback_needs_savings_strictly_above_costs():
    report = world_report(groups=groups(group(JAN, "direct", 1, 50_000)),
                          costs=costs((JAN, "USD", 10_000)))
    # cumulative savings 10,000 | 10,000 | 10,000 = cumulative costs 10,000 | 10,000 | 10,000:
    # equal is not paid back
    assert report.payback_month is None


def test_payback_is_none_when_savings_never_pass_costs():
    report = world_report(costs=costs((JAN, "USD", 50_000), (MAR, "USD", 50_000)))
    # cumulative savings 36,000 | 36,000 | 94,100 vs costs 50,000 | 50,000 | 100,000
    assert report.payback_month is None
    assert report.totals.roi == pytest.approx((94_100 - 100_000) / 100_000)


# --- build_report: months, tables -----------------------------------------------------------

def test_every_month_of_the_period_is_in_by_month_even_without_hires():
    report = world_report()
    assert report.by_month["Month"].tolist() == [JAN, FEB, MAR]
    feb = report.by_month.set_index("Month").loc[FEB]
    assert feb[HIRES] == 0 and feb[ACTUAL_COST] == 0 and feb[SAVING_HEADHUNTER] == 0
    assert feb[RUNNING_COSTS] == 10_000
    month = report.by_month.set_index("Month")
    assert month[HIRES].tolist() == [3, 0, 5]
    # Jan: 4,000 + 30,000; Mar: 500 + 1,000 + 100 + 0 + 300
    assert month[ACTUAL_COST].tolist() == pytest.approx([34_000, 0, 1_900])
    # Jan: 36,000 + 0; Mar: 11,500 + 9,000 + 7,900 + 14,000 + 15,700
    assert month[SAVING_HEADHUNTER].tolist() == pytest.approx([36_000, 0, 58_100])
    # Jan: 5,400; Mar: 4,200 + 4,600 + 4,700
    assert month[SAVING_JOB_BOARDS].tolist() == pytest.approx([5_400, 0, 13_500])


def test_by_month_over_a_year_end_and_with_no_hires_at_all():
    report = build_report(groups(), NO_COSTS, USD, date(2025, 11, 15), date(2026, 2, 10))
    assert report.by_month["Month"].tolist() == [date(2025, 11, 1), date(2025, 12, 1),
                                                 date(2026, 1, 1), date(2026, 2, 1)]
    assert report.by_month[HIRES].sum() == 0
    assert report.totals == Totals(0.0, 0.0, 0.0, 0.0, 0.0)
    assert report.totals.cost_per_hire is None
    assert report.average_referral_bonus is None and report.referral_share == 0.0


def test_running_costs_of_several_currencies_in_a_month_are_converted_and_added():
    assumptions = replace(USD, rates={"EUR": 1.1})
    report = build_report(groups(), costs((FEB, "USD", 1_000), (FEB, "EUR", 1_000)),
                          assumptions, START, END)
    # 1,000 + 1,000 × 1.1 = 2,100
    assert report.by_month.set_index("Month").loc[FEB, RUNNING_COSTS] == pytest.approx(2_100)
    assert report.totals.running_costs == pytest.approx(2_100)


def test_by_source_and_by_department_tables():
    report = world_report()
    # One row per source and channel, the source by its label (how a channel is written is
    # the page's business: looked up by source only, each source having one channel here).
    assert len(report.by_source) == 7
    by_source = report.by_source.set_index("Source")
    assert by_source.loc["Agency", "Channel"] == "Hays"
    assert by_source.loc["Agency", SAVING_HEADHUNTER] == 0
    assert by_source.loc["Referral", HIRES] == 2
    assert by_source.loc["Referral", "Cost per hire"] == pytest.approx(2_000)
    assert by_source.loc["Social media", "Channel"].lower() == "linkedin"
    assert by_source.loc["Social media", SAVING_JOB_BOARDS] == pytest.approx(4_200)
    assert by_source.loc["Internal move", SAVING_HEADHUNTER] == pytest.approx(14_000)
    # Sorted by saving vs headhunter, largest first.
    assert report.by_source[SAVING_HEADHUNTER].tolist() == sorted(
        report.by_source[SAVING_HEADHUNTER], reverse=True)
    by_dept = report.by_department.set_index("Department")
    # Eng 36,000 + 0; Sales 11,500 + 9,000; Ops 7,900 + 14,000 + 15,700
    assert by_dept[SAVING_HEADHUNTER].to_dict() == pytest.approx(
        {"Eng": 36_000, "Sales": 20_500, "Ops": 37_600})
    assert by_dept[HIRES].to_dict() == {"Eng": 3, "Sales": 2, "Ops": 3}


def test_channels_written_the_same_way_are_one_row_and_ties_keep_their_first_order():
    report = world_report(groups=groups(
        group(JAN, "social", 1, 50_000, channel="twitter", department="Sales"),
        group(FEB, "social", 1, 50_000, channel="x", department="Ops"),
        group(MAR, "social", 1, 50_000, channel="X", currency="EUR"),  # no EUR rate: left out
        group(MAR, "direct", 2, 25_000, department="Eng"),
        group(MAR, "internal", 2, 25_000, department="Ops")))
    # twitter and x are both written X: one row of 2 hires, 0.2 × 100,000 = 20,000; direct
    # and internal save 0.2 × 25,000 = 5,000 each and tie on hires too: in the order they first
    # appear.
    assert report.by_source[["Source", "Channel", HIRES]].values.tolist() == [
        ["Social media", "X", 2], ["Direct", "", 2], ["Internal move", "", 2]]
    assert report.by_source[SAVING_HEADHUNTER].tolist() == pytest.approx([20_000, 5_000, 5_000])
    assert report.by_department["Department"].tolist() == ["Ops", "Sales", "Eng"]
    assert report.unconverted == {"EUR": 1}
    assert report.groups.index.tolist() == [0, 1, 3, 4]  # the rows kept, as they came


def test_average_referral_bonus_and_referral_share():
    report = world_report()
    assert report.average_referral_bonus == pytest.approx(2_000)  # 4,000 / 2 referral hires
    assert report.referral_share == pytest.approx(0.25)  # 2 of 8 hires


# --- build_report: currencies ---------------------------------------------------------------

def test_hires_in_other_currencies_are_converted_at_the_rates_given():
    assumptions = replace(USD, rates={"EUR": 1.1})
    report = build_report(groups(
        group(JAN, "social", 1, 100_000, currency="EUR", ad_spend=1_000),
        group(JAN, "direct", 1, 50_000, currency="USD")), NO_COSTS, assumptions, START, END)
    # EUR: salary 110,000 USD, cost 1,100 USD → vs HH 22,000 − 1,100 = 20,900;
    #      vs job boards 4,700 − 1,100 = 3,600
    # USD: vs HH 10,000; vs job boards 4,700
    assert report.totals.hires == 2
    assert report.totals.actual_cost == pytest.approx(1_100)
    assert report.totals.saving_vs_headhunter == pytest.approx(30_900)
    assert report.totals.saving_vs_job_boards == pytest.approx(8_300)
    assert report.rates_used == {"EUR": 1.1, "USD": 1.0}
    assert report.unconverted == {}
    eur = report.groups[report.groups["currency"] == "EUR"].iloc[0]
    assert eur["salary"] == pytest.approx(110_000)  # the groups kept are in the reporting currency


def test_a_currency_without_a_rate_is_reported_and_its_hires_left_out():
    assumptions = replace(USD, rates={"EUR": 1.1})
    report = build_report(groups(
        group(JAN, "referral", 2, 100_000, currency="GBP", referral_bonus=2_000),
        group(FEB, "agency", 1, 90_000, currency="GBP", agency_fee=9_000),
        group(JAN, "direct", 1, 50_000)), NO_COSTS, assumptions, START, END)
    assert report.unconverted == {"GBP": 3}
    assert report.totals.hires == 1  # only the USD hire
    assert report.totals.saving_vs_headhunter == pytest.approx(10_000)
    assert "GBP" not in report.rates_used
    assert set(report.groups["currency"]) == {"USD"}
    assert report.by_month[HIRES].sum() == 1


def test_reporting_currency_other_than_usd():
    # Reporting in EUR; one USD is worth 0.9 EUR.
    assumptions = Assumptions(currency="EUR", fee_rate=0.2, job_board_cost_per_hire=4_000,
                              rates={"USD": 0.9})
    report = build_report(groups(group(JAN, "direct", 1, 100_000, currency="USD")),
                          costs((JAN, "EUR", 5_000)), assumptions, START, END)
    # 0.2 × 90,000 = 18,000 EUR; vs job boards 4,000; ROI (18,000 − 5,000) / 5,000
    assert report.totals.saving_vs_headhunter == pytest.approx(18_000)
    assert report.totals.saving_vs_job_boards == pytest.approx(4_000)
    assert report.totals.roi == pytest.approx(2.6)
    assert report.rates_used == {"EUR": 1.0, "USD": 0.9}


def test_currency_codes_padded_like_char3_are_stripped():
    assumptions = replace(USD, rates={"EUR": 2.0})
    report = build_report(groups(group(JAN, "direct", 1, 10_000, currency="EUR ")),
                          costs((JAN, "EUR ", 100)), assumptions, START, END)
    # 0.2 × 20,000 = 4,000; running costs 200
    assert report.totals.saving_vs_headhunter == pytest.approx(4_000)
    assert report.totals.running_costs == pytest.approx(200)
    assert report.unconverted == {}


def test_running_costs_in_a_currency_without_a_rate_are_reported_and_left_out():
    report = world_report(costs=costs((JAN, "USD", 40_000), (FEB, "CHF", 10_000)))
    assert report.unconverted == {"CHF": 0}  # no hires left out, but the costs were
    assert report.totals.running_costs == pytest.approx(40_000)
    assert "CHF" not in report.rates_used


# --- what if --------------------------------------------------------------------------------

def test_what_if_with_the_actual_figures_gives_the_actual_totals():
    report = world_report()
    totals = what_if(report, fee_rate=0.20, referral_bonus=report.average_referral_bonus,
                     referral_share=report.referral_share)
    approx_totals(totals, report.totals)
    assert totals.roi == pytest.approx(report.totals.roi)


def test_what_if_with_actual_figures_and_converted_currencies():
    report = build_report(groups(
        group(JAN, "referral", 1, 80_000, currency="EUR", referral_bonus=1_500),
        group(JAN, "referral", 2, 150_000, referral_bonus=2_500),
        group(FEB, "agency", 1, 90_000, currency="EUR", agency_fee=20_000)),
        WORLD_COSTS, replace(USD, rates={"EUR": 1.25}), START, END)
    totals = what_if(report, fee_rate=0.20, referral_bonus=report.average_referral_bonus,
                     referral_share=report.referral_share)
    approx_totals(totals, report.totals)


def test_what_if_a_higher_fee_rate_adds_delta_rate_times_non_agency_salary():
    report = world_report()
    totals = what_if(report, fee_rate=0.25, referral_bonus=report.average_referral_bonus,
                     referral_share=report.referral_share)
    # non-agency salary 200,000 + 60,000 + 50,000 + 40,000 + 70,000 + 80,000 = 500,000
    # 0.05 × 500,000 = 25,000 → 94,100 + 25,000 = 119,100
    assert totals.saving_vs_headhunter - report.totals.saving_vs_headhunter == pytest.approx(25_000)
    assert totals.saving_vs_headhunter == pytest.approx(119_100)
    assert totals.actual_cost == pytest.approx(report.totals.actual_cost)
    assert totals.saving_vs_job_boards == pytest.approx(report.totals.saving_vs_job_boards)
    assert totals.hires == pytest.approx(8)
    assert totals.roi == pytest.approx((119_100 - 60_000) / 60_000)


def test_what_if_a_higher_referral_bonus_costs_delta_bonus_per_referral_hire():
    report = world_report()
    totals = what_if(report, fee_rate=0.20, referral_bonus=3_000, referral_share=0.25)
    # 2 referral hires × (3,000 − 2,000) = 2,000 more cost, 2,000 less saved on both baselines
    assert totals.actual_cost == pytest.approx(37_900)
    assert totals.saving_vs_headhunter == pytest.approx(92_100)
    assert totals.saving_vs_job_boards == pytest.approx(16_900)


def test_what_if_a_larger_referral_share_moves_hires_from_the_others():
    report = world_report()
    totals = what_if(report, fee_rate=0.20, referral_bonus=2_000, referral_share=0.5)
    # 8 hires: referrals 2 → 4 (×2), others 6 → 4 (×2/3)
    # referrals: salary 400,000, bonus 4 × 2,000 = 8,000
    #            vs HH 80,000 − 8,000 = 72,000; vs job boards 18,800 − 8,000 = 10,800
    # others:    costs 31,900 × 2/3 = 21,266.67
    #            vs HH (non-agency: 0.2 × 300,000 − 1,900) × 2/3 = 58,100 × 2/3 = 38,733.33
    #            vs job boards (social, direct, internal: 3 × 4,700 − 600) × 2/3 = 9,000
    assert totals.hires == pytest.approx(8)
    assert totals.actual_cost == pytest.approx(8_000 + 31_900 * 2 / 3)
    assert totals.saving_vs_headhunter == pytest.approx(72_000 + 58_100 * 2 / 3)
    assert totals.saving_vs_job_boards == pytest.approx(10_800 + 9_000)
    assert totals.running_costs == pytest.approx(60_000)


def test_what_if_all_hires_by_referral_and_none_by_referral():
    report = world_report()
    everyone = what_if(report, fee_rate=0.20, referral_bonus=2_000, referral_share=1.0)
    # 8 referral hires: salary 800,000, bonus 16,000 → vs HH 160,000 − 16,000; vs JB 37,600 − 16,000
    assert everyone.hires == pytest.approx(8)
    assert everyone.actual_cost == pytest.approx(16_000)
    assert everyone.saving_vs_headhunter == pytest.approx(144_000)
    assert everyone.saving_vs_job_boards == pytest.approx(21_600)
    nobody = what_if(report, fee_rate=0.20, referral_bonus=2_000, referral_share=0.0)
    # the 6 others scaled to 8 (×4/3): costs 31,900; vs HH 58,100; vs JB 13,500
    assert nobody.hires == pytest.approx(8)
    assert nobody.actual_cost == pytest.approx(31_900 * 4 / 3)
    assert nobody.saving_vs_headhunter == pytest.approx(58_100 * 4 / 3)
    assert nobody.saving_vs_job_boards == pytest.approx(13_500 * 4 / 3)


def test_what_if_without_referral_hires_assumes_average_salary_and_only_the_bonus():
    report = world_report(groups=groups(
        group(JAN, "social", 1, 60_000, ad_spend=500),
        group(JAN, "agency", 1, 120_000, agency_fee=30_000)))
    assert report.average_referral_bonus is None and report.referral_share == 0
    # Share kept at 0: nothing changes.
    approx_totals(what_if(report, fee_rate=0.2, referral_bonus=0, referral_share=0.0), report.totals)
    totals = what_if(report, fee_rate=0.2, referral_bonus=3_000, referral_share=0.5)
    # 2 hires, average salary (60,000 + 120,000) / 2 = 90,000
    # referral (assumed) 1 hire: salary 90,000, cost 3,000 → vs HH 15,000; vs JB 1,700
    # others ×½: social 0.5 hire, salary 30,000, ads 250 → vs HH 5,750; vs JB 2,350 − 250 = 2,100
    #            agency 0.5 hire, fee 15,000 → vs HH 0
    assert totals.hires == pytest.approx(2)
    assert totals.actual_cost == pytest.approx(3_000 + 250 + 15_000)
    assert totals.saving_vs_headhunter == pytest.approx(15_000 + 5_750)
    assert totals.saving_vs_job_boards == pytest.approx(1_700 + 2_100)


def test_what_if_with_only_referral_hires_assumes_job_board_hires_for_the_rest():
    report = world_report(groups=groups(group(JAN, "referral", 2, 200_000, referral_bonus=4_000)))
    totals = what_if(report, fee_rate=0.2, referral_bonus=2_000, referral_share=0.5)
    # referrals ×½: 1 hire, salary 100,000, bonus 2,000 → vs HH 18,000; vs JB 2,700
    # 1 assumed job-board hire at the average salary 100,000 costing the baseline 4,700
    #   → vs HH 20,000 − 4,700 = 15,300; not on the job-board baseline → 0
    assert totals.hires == pytest.approx(2)
    assert totals.actual_cost == pytest.approx(6_700)
    assert totals.saving_vs_headhunter == pytest.approx(33_300)
    assert totals.saving_vs_job_boards == pytest.approx(2_700)


def test_what_if_without_any_hires_returns_the_totals():
    report = build_report(groups(), WORLD_COSTS, USD, START, END)
    totals = what_if(report, fee_rate=0.3, referral_bonus=5_000, referral_share=0.9)
    assert totals == report.totals
    assert totals.running_costs == 60_000 and totals.hires == 0


@pytest.mark.parametrize(("code", "label"), [
    ("career_site", "Career site"), ("linkedin", "LinkedIn"), ("x", "X"), ("X", "X"),
    ("twitter", "X"), ("news_letter", "News letter"), ("Meetup Berlin", "Meetup Berlin"),
    (None, ""), ("", "")])
def test_sources_and_channels_are_written_as_people_read_them(code, label):
    assert source_label(code) == label
