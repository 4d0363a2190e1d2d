"""Hypothesis fuzzing of the importer's sniffing and parsing stages.

Two properties: any bytes at all end in rows, row errors or one ImportProblem - never another
exception; and statements generated in many real-world layouts (delimiters, encodings, date and
amount notations, sign conventions, header languages, preambles and trailers) read back exactly.
"""

from __future__ import annotations

import csv
import datetime
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.importer import ImportProblem, ParsedRow, RowError, answer, detect, iter_rows, preview


def _consume(data: bytes) -> None:
    try:
        detection = detect(data)
        preview(detection, limit=5)
        if detection.questions:
            detection = answer(
                detection, detection.questions[0].key, detection.questions[0].choices[0]
            )
        for item in iter_rows(detection):
            assert isinstance(item, ParsedRow | RowError)
            if isinstance(item, RowError):
                assert item.line >= 1 and item.reason
    except ImportProblem as exc:
        assert str(exc)


@given(st.binary(max_size=2048))
def test_any_bytes_end_in_rows_or_an_import_problem(data: bytes) -> None:
    _consume(data)


_CSVISH = st.text(
    alphabet=st.sampled_from(list("0123456789,;|\t\n\r\"' .-/:()+$€£abcXYZäöüDCRT")), max_size=600
)


@given(_CSVISH, st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]))
def test_csv_like_text_ends_in_rows_or_an_import_problem(text: str, encoding: str) -> None:
    _consume(text.encode(encoding, errors="replace"))


# --- round trip of generated statements ----------------------------------------------------

HEADERS = {
    "en": {
        "date": "Date",
        "desc": "Description",
        "amount": "Amount",
        "balance": "Balance",
        "debit": "Debit",
        "credit": "Credit",
        "flag": "Type",
    },
    "de": {
        "date": "Buchungstag",
        "desc": "Verwendungszweck",
        "amount": "Betrag",
        "balance": "Saldo",
        "debit": "Soll",
        "credit": "Haben",
        "flag": "Umsatzart",
    },
    "nl": {
        "date": "Datum",
        "desc": "Omschrijving",
        "amount": "Bedrag (EUR)",
        "balance": "Saldo",
        "debit": "Uitgaven",
        "credit": "Inkomsten",
        "flag": "Af Bij",
    },
}
FLAGS = [("D", "C"), ("Af", "Bij"), ("DR", "CR"), ("Debit", "Credit"), ("Ausgang", "Eingang")]
DATE_FORMATS = [
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%y",
    "%Y%m%d",
    "%d %b %Y",
    "%m/%d/%y",
]
# Descriptions that carry no direction: the sign is drawn at random, and a "refund" drawn
# negative among positive amounts is how a card statement says spending is positive.
WORDS = [
    "Shop",
    "Café",
    "Rent",
    "Salary",
    "Müller",
    "Coffee; to go",
    'The "Best" Bar',
    "Tax, quarterly",
    "Ærø",
]


@st.composite
def statements(draw: st.DrawFn) -> tuple[bytes, list[tuple[datetime.date, int]], str]:
    n = draw(st.integers(min_value=3, max_value=25))
    start = draw(st.dates(min_value=datetime.date(2001, 1, 1), max_value=datetime.date(2060, 1, 1)))
    gaps = draw(st.lists(st.integers(min_value=0, max_value=9), min_size=n, max_size=n))
    days, day = [], start
    for gap in gaps:
        day += datetime.timedelta(days=gap)
        days.append(day)
    amounts = draw(
        st.lists(
            st.integers(min_value=-500_000, max_value=500_000).filter(lambda a: a != 0),
            min_size=n,
            max_size=n,
        )
    )
    if all(a > 0 for a in amounts) or all(a < 0 for a in amounts):
        amounts[0] = -amounts[0]  # both directions present, as in any real account
    words = draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
    newest_first = draw(st.booleans())
    layout = draw(st.sampled_from(["signed", "debit-credit", "indicator", "spend-positive"]))
    language = draw(st.sampled_from(sorted(HEADERS)))
    names = HEADERS[language]
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    decimal = draw(st.sampled_from([".", ","]))
    thousands = draw(st.sampled_from(["", " ", "." if decimal == "," else ","]))
    with_header = layout == "signed" and draw(st.booleans()) is False
    with_header = not with_header
    # Banks that write decimal commas, or head their amounts in euros, write dates day-first;
    # the importer relies on that.
    euros = with_header and layout != "debit-credit" and "EUR" in names["amount"]
    day_first = decimal == "," or euros
    fmt = draw(st.sampled_from([f for f in DATE_FORMATS if not day_first or "%m/%d" not in f]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    balance = layout == "spend-positive" or draw(st.booleans())
    out_flag, in_flag = draw(st.sampled_from(FLAGS))
    preamble = draw(
        st.lists(st.sampled_from(["Kontoauszug", "Account statement", "Girokonto"]), max_size=3)
    )
    trailer = draw(st.lists(st.sampled_from(["End of statement", "Ende"]), max_size=2))

    def money(minor: int) -> str:
        whole, cents = divmod(abs(minor), 100)
        digits = f"{whole:,}".replace(",", thousands)
        return ("-" if minor < 0 else "") + f"{digits}{decimal}{cents:02d}"

    order = list(range(n))
    running, balances = 100_000, []
    for i in order:
        running += amounts[i]
        balances.append(running)
    if newest_first:
        order.reverse()
    header = [names["date"], names["desc"]]
    if layout == "debit-credit":
        header += [names["debit"], names["credit"]]
    elif layout == "indicator":
        header += [names["amount"], names["flag"]]
    else:
        header += [names["amount"]]
    if balance:
        header.append(names["balance"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for line in preamble:
        writer.writerow([line])
    if preamble:
        writer.writerow([])
    if with_header:
        writer.writerow(header)
    expected = []
    for i in order:
        a = amounts[i]
        row = [days[i].strftime(fmt), words[i]]
        if layout == "debit-credit":
            row += [money(-a) if a < 0 else "", money(a) if a > 0 else ""]
        elif layout == "indicator":
            row += [money(abs(a)), out_flag if a < 0 else in_flag]
        elif layout == "spend-positive":
            row += [money(-a)]
        else:
            row += [money(a)]
        if balance:
            row.append(money(balances[i]))
        writer.writerow(row)
        expected.append((days[i], a))
    for line in trailer:
        writer.writerow([line])
    return buffer.getvalue().encode(encoding), expected, fmt


# Each example builds and imports a whole statement: a third of the profile's examples keeps the
# default run quick while `make fuzz` (a longer profile) still scales it up.
@settings(
    max_examples=max(20, settings().max_examples // 3),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(statements())
def test_generated_statements_read_back_exactly(
    case: tuple[bytes, list[tuple[datetime.date, int]], str],
) -> None:
    data, expected, fmt = case
    detection = detect(data)
    for question in detection.questions:
        # Only a real ambiguity may be asked, and the true reading must be among the choices.
        assert question.key == "date_format"
        assert fmt in question.choices
        detection = answer(detection, question.key, fmt)
    rows = list(iter_rows(detection))
    assert all(isinstance(r, ParsedRow) for r in rows), [r for r in rows if isinstance(r, RowError)]
    assert [(r.date, r.amount) for r in rows if isinstance(r, ParsedRow)] == expected


# --- ambiguous dates settled by the file's own evidence ---------------------------------------


@st.composite
def ambiguous_statements(draw: st.DrawFn) -> tuple[bytes, list[tuple[datetime.date, int]], str]:
    """Slash dates that may all have days <= 12, with evidence that is true by construction: a
    posting date a few days later, a creation stamp after the last row, a running balance."""
    fmt = draw(st.sampled_from(["%d/%m/%Y", "%m/%d/%Y"]))
    n = draw(st.integers(min_value=1, max_value=8))
    start = draw(st.dates(min_value=datetime.date(2001, 1, 1), max_value=datetime.date(2060, 1, 1)))
    small = draw(st.booleans())  # keep every day <= 12 often, so the dates stay ambiguous
    days, day = [], start.replace(day=min(start.day, 12)) if small else start
    for gap in draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)):
        day += datetime.timedelta(days=gap)
        days.append(day.replace(day=min(day.day, 12)) if small else day)
    days.sort()
    amounts = draw(st.lists(st.integers(-99_999, 99_999).filter(bool), min_size=n, max_size=n))
    evidence = draw(st.sets(st.sampled_from(["posted", "stamp", "balance"])))
    newest_first = draw(st.booleans())
    lags = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    lines = []
    if "stamp" in evidence:
        created = days[-1] + datetime.timedelta(days=draw(st.integers(0, 3)))
        lines.append(f"Created {created.isoformat()}")
    header = ["Date"] + (["Posted"] if "posted" in evidence else []) + ["Description", "Amount"]
    lines.append(",".join(header + (["Balance"] if "balance" in evidence else [])))
    running, rows = 10_000_000, []
    for i in range(n):
        running += amounts[i]
        cells = [days[i].strftime(fmt)]
        if "posted" in evidence:
            cells.append((days[i] + datetime.timedelta(days=lags[i])).strftime(fmt))
        cells += [f"Item {i}", f"{amounts[i] / 100:.2f}"]
        if "balance" in evidence:
            cells.append(f"{running / 100:.2f}")
        rows.append((",".join(cells), (days[i], amounts[i])))
    if newest_first:
        rows.reverse()
    lines += [line for line, _ in rows]
    return ("\n".join(lines) + "\n").encode(), [want for _, want in rows], fmt


@settings(max_examples=max(30, settings().max_examples // 2))
@given(ambiguous_statements())
def test_evidence_never_settles_dates_wrongly(
    case: tuple[bytes, list[tuple[datetime.date, int]], str],
) -> None:
    data, expected, fmt = case
    detection = detect(data)
    for question in detection.questions:
        assert fmt in question.choices  # asked, never guessed
        detection = answer(detection, question.key, fmt)
    rows = [r for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert [(r.date, r.amount) for r in rows] == expected
