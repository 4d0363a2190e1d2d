"""Sign conventions: decide how a statement says money in and money out - one signed column,
a column where spending is positive, a debit/credit pair, or an unsigned amount with an in/out
indicator - by scoring every candidate interpretation on the sample rows and on the running
balance, which also tells newest-first from oldest-first.

Never reads files; never picks between interpretations that the evidence cannot separate without
saying so in its notes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from data.importer import columns as col
from data.importer import words
from data.importer.columns import ColumnStats
from data.importer.dates import DateParser
from data.importer.rows import BLANK, BadAmount, RowReader
from data.importer.types import DEBIT_CREDIT, INDICATOR, SIGNED, SPEND_POSITIVE, Mapping


@dataclass(frozen=True)
class BalanceFit:
    """How well amounts explain a running balance."""

    share: float  # matching consecutive pairs / comparable pairs
    pairs: int
    newest_first: bool
    after: bool = True  # the balance is stated after each row (else before it)


def balance_fit(
    amounts: Sequence[int | None],
    balances: Sequence[int | None],
    newest_first: bool | None = None,
) -> BalanceFit:
    """The best of: balance after or before each row, rows oldest- or newest-first.

    Steps where neither the amount nor the balance moves prove nothing and are not counted.
    """
    best = BalanceFit(0.0, 0, False)
    n = len(amounts)
    # (index of the amount that moves the balance from row i-1 to row i, newest first?)
    # Balance after each row first: it is the common case, and wins ties.
    variants = ((0, 1, False), (1, -1, True), (1, 1, False), (0, -1, True))
    for offset, sign, desc in variants:
        if newest_first is not None and desc != newest_first:
            continue
        hits = pairs = 0
        for i in range(1, n):
            amount = amounts[i - offset]
            before, after = balances[i - 1], balances[i]
            if (
                amount is None
                or before is None
                or after is None
                or (amount == 0 and before == after)
            ):
                continue
            pairs += 1
            hits += before + sign * amount == after
        share = hits / pairs if pairs else 0.0
        if pairs and (share > best.share or (share == best.share and pairs > best.pairs)):
            best = BalanceFit(share, pairs, desc, after=(offset == 0) != desc)
    return best


def _amounts(mapping: Mapping, rows: list[list[str]]) -> list[int | None]:
    reader = RowReader(mapping)
    out: list[int | None] = []
    for record in rows:
        try:
            value = reader.amount(record)
        except BadAmount:
            out.append(None)
            continue
        out.append(None if value is BLANK else value)  # type: ignore[arg-type]
    return out


def _balances(mapping: Mapping, rows: list[list[str]]) -> list[int | None]:
    reader = RowReader(mapping)
    return [reader.balance(r) for r in rows]


def _amount_rank(stats: ColumnStats) -> tuple[int, int, int]:
    """Lower is better: net amounts (after fees) first, then plain amounts, then gross/total,
    then amounts qualified as fees, originals, refunds and the like."""
    norm = col.normalise(stats.header)
    penalty = int(col.matches(stats.header, words.AMOUNT_PENALTY_WORDS))
    net = norm.startswith("net") or col.matches(stats.header, words.NET_WORDS)
    gross = int(
        col.matches(stats.header, ("gross", "total", "sum", "brutto", "bruto", "brut", "lordo"))
    )
    return (penalty, int(not net), gross)


@dataclass(frozen=True)
class Choice:
    """The sign convention chosen, with the notes that explain it."""

    mapping: Mapping
    notes: tuple[str, ...]
    order_proven: bool = False  # every step of a running balance agrees with mapping.newest_first


def choose(
    base: Mapping,
    stats: list[ColumnStats],
    rows: list[list[str]],
    window: list[list[str]] | None = None,
) -> Choice | None:
    """The best interpretation of the money columns; None when there is no money column."""
    money = [s for s in stats if col.is_money(s) and s.index != base.date_column]
    if not money:
        return None
    headed = base.header_row is not None
    balance = [s for s in money if headed and col.matches(s.header, words.BALANCE_WORDS)]
    rest = [s for s in money if s not in balance]
    debit = [
        s
        for s in rest
        if col.matches(s.header, words.DEBIT_WORDS)
        and not col.matches(s.header, words.CREDIT_WORDS)
    ]
    credit = [
        s
        for s in rest
        if col.matches(s.header, words.CREDIT_WORDS)
        and not col.matches(s.header, words.DEBIT_WORDS)
    ]
    if headed and bool(debit) != bool(credit):
        # One side of a named pair is empty in this file (a month with no deposits, or no
        # withdrawals): it is still the other side, so the filled one keeps its meaning.
        empty = [s for s in stats if s.filled == 0 and s.index != base.date_column]
        if debit:
            credit = [s for s in empty if _named(s.header, words.CREDIT_WORDS, words.DEBIT_WORDS)]
        else:
            debit = [s for s in empty if _named(s.header, words.DEBIT_WORDS, words.CREDIT_WORDS)]
    amount = sorted(
        (
            s
            for s in rest
            if s not in debit and s not in credit and col.matches(s.header, words.AMOUNT_WORDS)
        ),
        key=_amount_rank,
    )
    indicators = [
        s
        for s in stats
        if s.indicator is not None and s.index != base.date_column and not col.is_money(s)
    ]
    candidates: list[Mapping] = []

    def singles(column: ColumnStats) -> list[Mapping]:
        plain = [
            replace(base, sign=SIGNED, amount_column=column.index),
            replace(base, sign=SPEND_POSITIVE, amount_column=column.index),
        ]
        out: list[Mapping] = []
        for ind in indicators:
            assert ind.indicator is not None
            outs, ins = ind.indicator
            out.append(
                replace(
                    base,
                    sign=INDICATOR,
                    amount_column=column.index,
                    indicator_column=ind.index,
                    indicator_out=tuple(sorted(outs)),
                    indicator_in=tuple(sorted(ins)),
                )
            )
        # Unsigned amounts beside an in/out column: the indicator reading comes first, so it wins
        # where the balance cannot tell (the first row of a statement is never checked).
        return out + plain if column.signed == 0 else plain + out

    def pair(d: ColumnStats, c: ColumnStats) -> Mapping:
        return replace(base, sign=DEBIT_CREDIT, debit_column=d.index, credit_column=c.index)

    if debit and credit:
        candidates.append(pair(debit[0], credit[0]))
        candidates.append(pair(credit[0], debit[0]))
    for a in amount:
        candidates.extend(singles(a))
    if not candidates:
        # No telling headers: every money column is a candidate, those with cents first.
        unnamed = sorted(rest, key=lambda s: (-round(s.decimals, 1), s.index))
        # A lone amount is on every row (a price or quantity only on trades is not), and
        # money with explicit minus signs moves, where unsigned columns beside it are more
        # often balances: a headerless brokerage history read its price column, dropping the
        # 10 rows of 12 without one, and an ABN AMRO tab export its balance before.
        lone = sorted(
            unnamed, key=lambda s: (s.filled < _ALWAYS_FILLED, s.signed == 0, unnamed.index(s))
        )
        for i, d in enumerate(unnamed):
            for c in unnamed[i + 1 :]:
                if _exclusive(d.index, c.index, rows):
                    candidates.append(pair(d, c))
                    candidates.append(pair(c, d))
        for a in lone:
            candidates.extend(singles(a))
    if not candidates:
        return None
    balance_columns = [b.index for b in balance] or [s.index for s in money if s.distinct >= 3]
    card = _card_statement(stats, rows) or any(
        _MASKED_CARD.match(cell.strip().strip("'")) for record in window or () for cell in record
    )
    return _decide(
        candidates,
        balance_columns,
        rows,
        stats,
        headed_balance=bool(balance),
        indicators=indicators,
        card=card,
    )


def _named(header: str, these: tuple[str, ...], not_these: tuple[str, ...]) -> bool:
    """True when `header` names one side of a debit/credit pair and not the other."""
    return col.matches(header, these) and not col.matches(header, not_these)


def _date_order(mapping: Mapping, rows: list[list[str]]) -> bool | None:
    """True when the rows' dates never rise, False when they never fall, else None."""
    parse = DateParser(mapping.date_format, mapping.period)
    seen = [d for d in (parse(r[mapping.date_column]) for r in rows) if d is not None]
    rising = any(b > a for a, b in itertools.pairwise(seen))
    falling = any(b < a for a, b in itertools.pairwise(seen))
    if rising == falling:
        return None
    return falling


def _used(m: Mapping) -> set[int]:
    return {i for i in (m.amount_column, m.debit_column, m.credit_column) if i is not None}


def _exclusive(a: int, b: int, rows: list[list[str]]) -> bool:
    """True when (nearly) every row fills exactly one of two columns."""
    hits = 0
    for r in rows:
        fa = bool(r[a].strip()) and r[a].strip() not in ("0", "0.00", "0,00")
        fb = bool(r[b].strip()) and r[b].strip() not in ("0", "0.00", "0,00")
        hits += fa != fb
    return bool(rows) and hits >= 0.9 * len(rows)


def _decide(
    candidates: list[Mapping],
    balance_columns: list[int],
    rows: list[list[str]],
    stats: list[ColumnStats],
    *,
    headed_balance: bool,
    indicators: list[ColumnStats],
    card: bool,
) -> Choice:
    # 1. A running balance settles the sign and the order, whatever the headers say. Dates in
    # order fix the direction first: some readings are mirror images of each other otherwise.
    newest_first = _date_order(candidates[0], rows)
    best: tuple[float, int, Mapping, BalanceFit] | None = None
    for b in balance_columns:
        balances = _balances(replace(candidates[0], balance_column=b), rows)
        if sum(v is not None for v in balances) < 2:
            continue
        for rank, cand in enumerate(candidates):
            if b in _used(cand):
                continue
            fit = balance_fit(_amounts(cand, rows), balances, newest_first)
            if fit.pairs == 0:
                continue
            # A balance after each row beats an equally good one before it (ParsedRow.balance
            # is the balance after the row wherever the statement states one).
            score = fit.share + (1e-6 if fit.after else 0.0)
            if best is None or score > best[0] + 1e-9:
                best = (score, -rank, replace(cand, balance_column=b), fit)
    needed = 0.75 if headed_balance else 0.9
    if best is not None and best[0] >= needed and (headed_balance or best[3].pairs >= 3):
        _, _, chosen, fit = best
        chosen = replace(chosen, newest_first=fit.newest_first)
        order = "newest first" if fit.newest_first else "oldest first"
        return Choice(
            chosen,
            (
                f"Running balance checked: {round(fit.share * 100)}% of {fit.pairs} steps agree "
                f"({order}).",
            ),
            order_proven=fit.share == 1.0,
        )
    # A balance column that no interpretation explains is still shown, just not trusted.
    fallback_balance = balance_columns[0] if headed_balance else None
    warning: tuple[str, ...] = ()
    if headed_balance and best is not None:
        warning = (
            f"Check the amounts: the running balance agrees with only {round(best[0] * 100)}% "
            f"of {best[3].pairs} steps under any reading.",
        )
    choice = _unverified(
        candidates,
        stats,
        rows,
        indicators=indicators,
        card=card,
        fallback_balance=fallback_balance,
    )
    return Choice(choice.mapping, choice.notes + warning)


def _unverified(
    candidates: list[Mapping],
    stats: list[ColumnStats],
    rows: list[list[str]],
    *,
    indicators: list[ColumnStats],
    card: bool,
    fallback_balance: int | None,
) -> Choice:
    """The interpretation headers and the file's own evidence point to, without a balance."""
    first = candidates[0]
    if first.sign == DEBIT_CREDIT:
        return Choice(replace(first, balance_column=fallback_balance), ())
    by_index = {s.index: s for s in stats}
    column = by_index[first.amount_column] if first.amount_column is not None else None
    assert column is not None
    singles = [c for c in candidates if c.amount_column == first.amount_column]
    if column.signed == 0 and indicators:
        indicated = next(c for c in singles if c.sign == INDICATOR)
        return Choice(
            replace(indicated, balance_column=fallback_balance),
            (f"In/out read from the column {_name(stats, indicated.indicator_column)}.",),
        )
    signed = _amounts(replace(first, sign=SIGNED), rows)
    values = [v for v in signed if v]
    positives = sum(1 for v in values if v > 0)
    negatives = len(values) - positives
    turned = _indicator_turns(signed, rows, indicators)
    if turned is not None:
        chosen = next(c for c in singles if c.sign == SPEND_POSITIVE)
        note = (
            f"Amounts are positive for spending: every row the column {_name(stats, turned)} "
            "calls money out is positive, every row it calls money in negative."
        )
        return Choice(replace(chosen, balance_column=fallback_balance), (note,))
    refunds = _money_in_signs(signed, rows, stats, card=card)
    if refunds is not None:
        sign = SPEND_POSITIVE if refunds else SIGNED
        chosen = next(c for c in singles if c.sign == sign)
        note = (
            "Amounts are positive for spending: refunds and repayments are negative."
            if refunds
            else "Amounts are signed: refunds and repayments are positive."
        )
        return Choice(replace(chosen, balance_column=fallback_balance), (note,))
    # Card statements list purchases as positive numbers; without a balance to check against,
    # the statement itself must say it is a card (a card column or masked card numbers).
    spend_positive = card and (
        (negatives == 0 and column.plus == 0 and positives >= 2)
        or (positives >= 3 * negatives and len(values) >= 4)
    )
    sign = SPEND_POSITIVE if spend_positive else SIGNED
    chosen = next(c for c in singles if c.sign == sign)
    note = (
        "Amounts are positive for spending (as on card statements)."
        if spend_positive
        else "Amounts are signed: negative is money out."
    )
    return Choice(replace(chosen, balance_column=fallback_balance), (note,))


def _indicator_turns(
    signed: list[int | None], rows: list[list[str]], indicators: list[ColumnStats]
) -> int | None:
    """The index of an in/out column under which every money-out row is positive and every
    money-in row negative (both present): the amounts count spending as positive, as a card
    export's "DEBIT,...,30.00" / "CREDIT,...,-500.00" do. None when no column says so."""
    for ind in indicators:
        assert ind.indicator is not None
        outs, ins = ind.indicator
        out_values = [v for v, r in zip(signed, rows, strict=True) if v and _flag(r, ind) in outs]
        in_values = [v for v, r in zip(signed, rows, strict=True) if v and _flag(r, ind) in ins]
        if out_values and in_values and min(out_values) > 0 and max(in_values) < 0:
            return ind.index
    return None


def _flag(record: list[str], ind: ColumnStats) -> str:
    return record[ind.index].strip().casefold()


# Descriptions that always mean money coming back in: refunds; and on a card, repayments.
_REFUND = re.compile(
    r"refund|退款|erstattung|rembours|reembols|rimbors|terugbetaling|devoluci|возврат|返金|환불"
    r"|返品|ヘンピン|ﾍﾝﾋﾟﾝ"
    r"|\b[iİı]ade\b",  # Turkish: "MIGROS IADE", "ZARA İADE"
    re.IGNORECASE,
)
_REPAYMENT = re.compile(
    r"payment\W*(?:-\W*)?thank you|payment received|autopay|还款|repayment"
    r"|kart[ıi]\s+[öo]demesi|[öo]demeniz\s+i[çc]in",  # Turkish: card payment, "for your payment"
    re.IGNORECASE,
)


def _money_in_signs(
    signed: list[int | None], rows: list[list[str]], stats: list[ColumnStats], *, card: bool
) -> bool | None:
    """True (spend-positive) when the rows that say they are refunds (or, on a card, repayments)
    are all negative while the others are mostly positive; False (signed) for the mirror image;
    None when no such row says, or the rows disagree."""
    text_columns = [s.index for s in stats if not col.is_money(s) and not s.date_formats]
    money_in: list[int] = []
    others: list[int] = []
    for value, record in zip(signed, rows, strict=True):
        if not value:
            continue
        text = " ".join(record[i] for i in text_columns)
        says_in = bool(_REFUND.search(text)) or (card and bool(_REPAYMENT.search(text)))
        (money_in if says_in else others).append(value)
    if not money_in or not others:
        return None
    out_positive = sum(1 for v in others if v > 0)
    out_negative = len(others) - out_positive
    if all(v < 0 for v in money_in) and out_positive > out_negative and out_positive >= 2:
        return True
    if all(v > 0 for v in money_in) and out_negative > out_positive:
        return False
    return None


# Share of rows a lone amount column fills (a row or two may be a pending line with none).
_ALWAYS_FILLED = 0.9

_MASKED_CARD = re.compile(r"^(?:[*xX#•]{2,}[\s*xX#•-]*\d{4}|\d{4,6}[*xX#•]{4,}\d{4})$")


# The card's user, named on card statements only: Amex's "Card Member", Japanese issuers' 利用者
# (本人 / 家族: the holder or a family card).
_CARD_USER_WORDS = ("card member", "cardmember", "cardholder", "card holder", "利用者")


def _card_statement(stats: list[ColumnStats], rows: list[list[str]]) -> bool:
    """True when a column holds card numbers (masked, or last four digits under a card header),
    or the dates come as a transaction date and a posting date."""
    dated = [s for s in stats if s.date_formats and s.header]
    # A purchase date beside the date it posted is how card issuers list rows; current
    # accounts pair a booking date with a value date instead.
    traded = [s for s in dated if col.matches(s.header, words.CARD_TRADED_DATE_WORDS)]
    posted = [s for s in dated if col.matches(s.header, words.CARD_POSTED_DATE_WORDS)]
    if traded and posted and {s.index for s in traded} != {s.index for s in posted}:
        return True
    for s in stats:
        cells = [r[s.index].strip().strip("'") for r in rows if r[s.index].strip()]
        if not cells:
            continue
        if all(_MASKED_CARD.match(c) for c in cells):
            return True
        if col.matches(s.header, _CARD_USER_WORDS):
            return True
        if col.matches(s.header, ("card", "karte", "kaart", "carte", "tarjeta", "卡号")) and all(
            re.fullmatch(r"\d{4}|\d{13,19}", c) for c in cells
        ):
            return True
    return False


def _name(stats: list[ColumnStats], index: int | None) -> str:
    for s in stats:
        if s.index == index:
            return repr(s.header) if s.header else f"{index + 1}"
    return "?"
