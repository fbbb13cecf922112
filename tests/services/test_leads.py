"""The lead amounts: as given (`values.parse_money`) and in 万元 at the rate on file (`services.leads.converted`)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects_cli.errors import InvalidValue
from projects_cli.services.leads import converted
from projects_cli.values import ValueProblem, parse_money

D = Decimal


@pytest.mark.parametrize("typed, expected", [
    ("8亿元", (D(80000), "人民币")),
    ("85000", (D(85000), "人民币")),
    ("8000万", (D(8000), "人民币")),
    ("3000万美元", (D(3000), "美元")),
    ("3,000万 USD", (D(3000), "美元")),
    ("$3000万", (D(3000), "美元")),
    ("1.2亿美元", (D(12000), "美元")),
    ("约5000万美金", (D(5000), "美元")),
    ("2亿欧元", (D(20000), "欧元")),
    ("2000万港币", (D(2000), "港元")),
    ("—", (None, "人民币")),
    (None, (None, "人民币")),
])
def test_an_amount_is_read_as_given(typed, expected):
    assert parse_money(typed) == expected


@pytest.mark.parametrize("typed, error", [
    ("很多美元", "'很多美元' 不是金额；应为例如 8亿元、3000万美元 或 5000万欧元"),
    ("3000万美元5亿欧元", "'3000万美元5亿欧元' 含有不止一种货币；请只写一个金额，例如 3000万美元"),
    ("很多", "'很多' 不是金额；应为数字，例如 85000、8.5亿元 或 8000万元"),
])
def test_an_amount_that_cannot_be_read_says_so(typed, error):
    with pytest.raises(ValueProblem) as exc:
        parse_money(typed)
    assert str(exc.value) == error


@pytest.mark.parametrize("amount, currency, rates, expected", [
    (D(80000), "人民币", {}, (None, D(80000))),
    (D(3000), "美元", {"美元": D("7.1")}, (D("7.1"), D(21300))),
    (D("1234.56"), "美元", {"美元": D("7.1234")}, (D("7.1234"), D("8794.26"))),  # 8794.264704 to the fen
    (D("0.5"), "美元", {"美元": D("7.01")}, (D("7.01"), D("3.51"))),  # 3.505: half up
    (D("0.01"), "美元", {"美元": D("7.15")}, (D("7.15"), D("0.07"))),
    (None, "美元", {}, (None, None)),
])
def test_a_foreign_amount_is_converted_to_the_fen(amount, currency, rates, expected):
    assert converted(amount, currency, rates) == expected


def test_a_currency_without_a_rate_is_refused():
    with pytest.raises(InvalidValue) as exc:
        converted(D(500), "欧元", {"美元": D("7.1")})
    assert str(exc.value) == ("金额是欧元，没有欧元汇率，不能折算为万元；在配置文件 [ledger.rates] "
                              "写明汇率（如 \"欧元\" = 7.1，1 欧元 合多少元）")


def test_a_conversion_beyond_any_plausible_amount_is_refused():
    with pytest.raises(InvalidValue) as exc:
        converted(D("9e12"), "美元", {"美元": D(1000)})
    assert str(exc.value) == "9000000000000万美元按汇率 1000 折合后不是可信的万元金额"
