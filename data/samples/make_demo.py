"""Write the demo statements that the first run offers: two years of one plausible person's money.

Two files in two real export layouts, so the demo exercises the importer the way real users do:
- ``demo_current_account.csv``: a UK-style current account (Date,Description,Money out,Money in,
  Balance; day-first dates; pounds) with salary, rent, bills and card repayments;
- ``demo_credit_card.csv``: a US-style card export (Transaction Date,Post Date,Description,
  Category,Type,Amount; month-first dates; purchases negative) with groceries, eating out,
  subscriptions (two of which rise in price), a duplicated charge and a one-off big purchase.

Deterministic (fixed seed and dates), so the committed CSVs only change when this script does.
Amounts are computed in integer pence; this script must never use floats for money.
Run: ``python data/samples/make_demo.py [OUT_DIR]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

SEED = 20241201
START = dt.date(2024, 12, 1)
END = dt.date(2026, 11, 20)
OPENING_BALANCE = 2_450_37  # pence


@dataclass(frozen=True)
class Entry:
    """One transaction before it is written in a bank's layout."""

    date: dt.date
    description: str
    amount: int  # pence, negative = money out
    category: str = ""  # the card issuer's own category (card export only)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months: list[dt.date] = []
    d = start.replace(day=1)
    while d <= end:
        months.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _on(month: dt.date, day: int) -> dt.date:
    """`day` of `month`, moved back to Friday when it falls on a weekend (as payroll does)."""
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = (next_month - dt.timedelta(days=1)).day
    d = month.replace(day=min(day, last))
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    return d


def _pence(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


def card_entries(rng: random.Random) -> list[Entry]:
    """Card purchases, refunds and subscriptions (negative = purchase)."""
    out: list[Entry] = []
    grocers = [("TESCO STORES 3382", 2), ("SAINSBURYS S/MKT", 2), ("LIDL GB LONDON", 1)]
    eats = ["PRET A MANGER", "DISHOOM SHOREDITCH", "WAGAMAMA", "FRANCO MANCA", "NANDOS"]
    for day in _days(START, END):
        wd = day.weekday()
        if wd == 5 or (wd == 2 and rng.random() < 0.6):
            name = rng.choices([g for g, _ in grocers], weights=[w for _, w in grocers])[0]
            out.append(Entry(day, name, -_pence(rng, 18_40, 96_80), "Groceries"))
        if wd < 5 and rng.random() < 0.35:
            out.append(Entry(day, "PRET A MANGER", -_pence(rng, 3_10, 8_95), "Food & Drink"))
        if wd in (4, 5) and rng.random() < 0.4:
            out.append(Entry(day, rng.choice(eats), -_pence(rng, 14_50, 68_00), "Food & Drink"))
        if rng.random() < 0.08:
            out.append(Entry(day, "AMAZON.CO.UK*2K4", -_pence(rng, 6_99, 74_99), "Shopping"))
        if wd < 5 and rng.random() < 0.5:
            out.append(Entry(day, "TFL TRAVEL CH", -_pence(rng, 2_80, 8_10), "Travel"))
        if rng.random() < 0.03:
            out.append(Entry(day, "BOOTS 1123", -_pence(rng, 4_20, 31_50), "Health & Wellness"))
    for month in _month_starts(START, END):
        netflix = 10_99 if month < dt.date(2026, 3, 1) else 12_99
        spotify = 11_99 if month < dt.date(2025, 9, 1) else 12_99
        for dom, name, price, cat in (
            (7, "NETFLIX.COM", netflix, "Entertainment"),
            (14, "SPOTIFY UK", spotify, "Entertainment"),
            (3, "PUREGYM LTD", 24_99, "Health & Wellness"),
            (21, "ICLOUD APPLE.COM/BILL", 2_99, "Shopping"),
        ):
            date = month.replace(day=dom)
            if START <= date <= END:
                out.append(Entry(date, name, -price, cat))
    # One-offs that the insights should notice: a big purchase, a duplicated charge, a refund.
    out.append(Entry(dt.date(2025, 11, 28), "CURRYS PC WORLD", -1_249_00, "Shopping"))
    out.append(Entry(dt.date(2026, 8, 9), "EASYJET AIRLINE", -312_48, "Travel"))
    out.append(Entry(dt.date(2026, 8, 9), "EASYJET AIRLINE", -312_48, "Travel"))
    out.append(Entry(dt.date(2026, 8, 19), "EASYJET AIRLINE", 312_48, "Travel"))
    out.append(Entry(dt.date(2025, 7, 14), "HOTEL LISBOA PT", -684_20, "Travel"))
    return sorted(out, key=lambda e: e.date)


def current_entries(rng: random.Random, card: list[Entry]) -> list[Entry]:
    """Salary, rent, bills, and a card repayment of last month's card spending."""
    out: list[Entry] = []
    months = _month_starts(START, END)
    for i, month in enumerate(months):
        salary = 3_412_56 if month < dt.date(2026, 4, 1) else 3_598_10  # a pay rise in April
        payday = _on(month, 25)
        if payday <= END:
            out.append(Entry(payday, "BANK GIRO CREDIT REF ACME ANALYTICS LTD SALARY", salary))
        for day, name, amount in (
            (1, "STANDING ORDER TO M PATEL RENT FLAT 2", -1_450_00),
            (2, "DIRECT DEBIT PAYMENT TO LB HACKNEY COUNCIL TAX", -142_00),
            (6, "DIRECT DEBIT PAYMENT TO VIRGIN MEDIA", -38_00),
            (11, "DIRECT DEBIT PAYMENT TO THREE MOBILE", -16_00),
            (16, "DIRECT DEBIT PAYMENT TO THAMES WATER", -34_50),
        ):
            date = _on(month, day)
            if START <= date <= END:
                out.append(Entry(date, name, amount))
        # Energy follows the seasons.
        winter = month.month in (11, 12, 1, 2, 3)
        energy = _pence(rng, 118_00, 164_00) if winter else _pence(rng, 52_00, 78_00)
        date = _on(month, 18)
        if date <= END:
            out.append(Entry(date, "DIRECT DEBIT PAYMENT TO OCTOPUS ENERGY", -energy))
        # Pay off last month's card in full.
        if i > 0:
            prev = months[i - 1]
            spent = -sum(e.amount for e in card if e.date.replace(day=1) == prev)
            date = _on(month, 12)
            if spent > 0 and date <= END:
                out.append(Entry(date, "ONLINE PAYMENT TO CREDIT CARD 4921", -spent))
        # Savings, cash and a friend paying back now and then.
        date = _on(month, 26)
        if date <= END:
            out.append(Entry(date, "TRANSFER TO SAVINGS ACCOUNT", -300_00))
        if rng.random() < 0.6:
            day = rng.randint(1, 27)
            date = month.replace(day=day)
            if date <= END:
                cash = rng.choice([20_00, 40_00, 60_00])
                out.append(Entry(date, "CASH WITHDRAWAL LINK ATM", -cash))
        if rng.random() < 0.3:
            date = month.replace(day=rng.randint(1, 27))
            if date <= END:
                back = _pence(rng, 12_00, 85_00)
                out.append(Entry(date, "FASTER PAYMENTS RECEIPT FROM J SMITH", back))
    return sorted(out, key=lambda e: e.date)


def _money(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def write_current(entries: list[Entry], path: Path) -> None:
    """UK-style current account: newest first, as these banks export it, with a running balance."""
    balance = OPENING_BALANCE
    rows = []
    for e in entries:
        balance += e.amount
        out = _money(-e.amount) if e.amount < 0 else ""
        inn = _money(e.amount) if e.amount > 0 else ""
        sign = "-" if balance < 0 else ""
        shown = sign + _money(abs(balance))
        rows.append([e.date.strftime("%d/%m/%Y"), e.description, out, inn, shown])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["Date", "Description", "Money out", "Money in", "Balance"])
        w.writerows(reversed(rows))


def write_card(entries: list[Entry], rng: random.Random, path: Path) -> None:
    """US-style card export: month-first dates, a post date a day or two later, signed amounts."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount"])
        for e in reversed(entries):
            post = e.date + dt.timedelta(days=rng.choice([0, 1, 1, 2]))
            kind = "Sale" if e.amount < 0 else "Return"
            if e.description.startswith("PAYMENT"):
                kind = "Payment"
            sign = "-" if e.amount < 0 else ""
            w.writerow(
                [
                    e.date.strftime("%m/%d/%Y"),
                    post.strftime("%m/%d/%Y"),
                    e.description,
                    e.category,
                    kind,
                    sign + _money(abs(e.amount)),
                ]
            )


def main(argv: list[str]) -> int:
    """Write both demo files into the given folder (default: next to this script)."""
    out_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    card = card_entries(rng)
    current = current_entries(rng, card)
    # The card statement shows each repayment a day after it leaves the current account.
    card += [
        Entry(e.date + dt.timedelta(days=1), "PAYMENT - THANK YOU", -e.amount)
        for e in current
        if e.description.startswith("ONLINE PAYMENT TO CREDIT CARD")
    ]
    card.sort(key=lambda e: e.date)
    write_current(current, out_dir / "demo_current_account.csv")
    write_card(card, rng, out_dir / "demo_credit_card.csv")
    sys.stdout.write(f"wrote {len(current)} current-account and {len(card)} card rows\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
