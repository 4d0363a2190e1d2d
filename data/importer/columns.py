"""Column roles: which column holds the date, the amount (or debit and credit), an in/out
indicator, the running balance, the currency and the description - by header words in several
languages and by what the cells contain.

Works on the sample of table rows only; it proposes candidates and never settles the sign
convention (signs.py weighs the candidates on all rows and on the balance).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from data.importer import amounts, dates

# Header words, matched as whole words (or phrases) in the casefolded, accent-stripped header.
DATE_WORDS: tuple[str, ...] = (
    "date",
    "datum",
    "fecha",
    "data",
    "dato",
    "datetime",
    "tag",
    "buchungstag",
    "buchungsdatum",
    "transactiedatum",
    "boekdatum",
    "дата",
    "日期",
    "时间",
    "交易时间",
    "交易日期",
    "记账日期",
    "time",
    "day",
    "posted",
    "started",
    "completed",
    "created",
    "when",
    "datas",
)
VALUE_DATE_WORDS: tuple[str, ...] = (
    "value date",
    "valuta",
    "valutadatum",
    "wertstellung",
    "rentedatum",
    "valor",
    "value",
    "wertstellungstag",
    "valeur",
    "valuta datum",
    "fecha valor",
)
STARTED_WORDS = ("started", "initiated", "start date", "authorised", "authorized")
AMOUNT_WORDS: tuple[str, ...] = (
    "amount",
    "betrag",
    "bedrag",
    "importe",
    "montant",
    "importo",
    "kwota",
    "castka",
    "suma",
    "summa",
    "сумма",
    "金额",
    "beløb",
    "belopp",
    "summe",
    "umsatz",
    "net",
    "netamount",
    "transaction amount",
    "gross",
    "total",
    "sum",
    "osszeg",
    "iznos",
    "mutatie",
    "amt",
    "debit/credit",
    "value",
    "paid",
    "money",
    "交易金额",
    "金额(元)",
    "valor",
    "monto",
)
AMOUNT_PENALTY_WORDS = (
    "original",
    "orig",
    "foreign",
    "fx",
    "intl",
    "fee",
    "fees",
    "tax",
    "refund",
    "refunded",
    "converted",
    "reward",
    "price",
    "quantity",
    "qty",
    "rate",
    "kurs",
    "shipping",
    "gift",
    "points",
    "commission",
    "comm",
    "cost",
    "opgeloopte",
    "exchange",
    "transfer amount",
    "interest",
    "rente",
    "zinsen",
    "limit",
    "available",
    "unit",
    "order",
    "tip",
)
DEBIT_WORDS: tuple[str, ...] = (
    "debit",
    "debet",
    "debits",
    "withdrawal",
    "withdrawals",
    "paid out",
    "money out",
    "=out",
    "outflow",
    "soll",
    "uitgaven",
    "ausgabe",
    "ausgaben",
    "belastung",
    "expense",
    "expenses",
    "spent",
    "расход",
    "支出",
    "charge",
    "charges",
    "=af",
    "lastschrift",
    "uitgave",
    "debit amount",
    "withdrawal amount",
    "cargo",
    "cargos",
    "addebiti",
    "débit",
    "=dr",
)
CREDIT_WORDS: tuple[str, ...] = (
    "credit",
    "credits",
    "deposit",
    "deposits",
    "paid in",
    "money in",
    "=in",
    "inflow",
    "haben",
    "=bij",
    "inkomsten",
    "einnahme",
    "einnahmen",
    "gutschrift",
    "income",
    "приход",
    "收入",
    "receipts",
    "lodgement",
    "lodgements",
    "credit amount",
    "deposit amount",
    "abono",
    "abonos",
    "accrediti",
    "crédit",
    "=cr",
    "ontvangst",
)
BALANCE_WORDS: tuple[str, ...] = (
    "balance",
    "saldo",
    "kontostand",
    "solde",
    "остаток",
    "余额",
    "running balance",
    "bal",
    "runningbalance",
    "stand",
    "likutis",
    "egyenleg",
    "zustatek",
    "saldo na",
)
CURRENCY_WORDS: tuple[str, ...] = (
    "currency",
    "währung",
    "wahrung",
    "waehrung",
    "devise",
    "moneda",
    "valute",
    "валюта",
    "币种",
    "curr",
    "ccy",
    "munt",
    "mena",
    "valutacode",
    "valiuta",
    "waluta",
    "divisa",
    "交易币种",
    "记账币种",
    "cur",
)
DESCRIPTION_WORDS: tuple[str, ...] = (
    "description",
    "desc",
    "payee",
    "name",
    "memo",
    "details",
    "narrative",
    "narration",
    "reference",
    "verwendungszweck",
    "buchungstext",
    "beschreibung",
    "omschrijving",
    "naam",
    "tegenpartij",
    "mededelingen",
    "merchant",
    "counterparty",
    "partner",
    "beneficiary",
    "auftraggeber",
    "empfanger",
    "begunstigter",
    "zahlungsempfanger",
    "zahlungspflichtige",
    "text",
    "purpose",
    "particulars",
    "remarks",
    "note",
    "notes",
    "concepto",
    "libelle",
    "descripcion",
    "opis",
    "popis",
    "назначение",
    "описание",
    "摘要",
    "交易对方",
    "商品",
    "item",
    "title",
    "subject",
    "transaction",
    "transaction details",
    "info",
    "payment details",
    "verwendung",
    "empfänger",
    "gavejas",
    "paaiskinimai",
    "tegenrekeninghouder",
    "beskrywing",
    "to",
    "from",
    "vwz",
    "交易详情",
    "商品说明",
    "交易场所",
    "merchant name",
    "store",
)
ID_WORDS = (
    "id",
    "nr",
    "no",
    "number",
    "nummer",
    "#",
    "iban",
    "bic",
    "account",
    "konto",
    "kontonummer",
    "rekening",
    "tegenrekening",
    "code",
    "sort",
    "blz",
    "ref",
    "referenz",
    "mandat",
    "card",
    "check",
    "cheque",
    "isin",
    "symbol",
    "order",
    "receipt",
    "serial",
    "sr",
    "kodas",
)

# More languages (kept apart so the lists above stay readable).
DATE_WORDS += (
    "data contabile",
    "data operazione",
    "fecha operacion",
    "bokforingsdag",
    "bogforingsdato",
    "datum transakce",
    "datum zauctovani",
    "data ksiegowania",
    "data operacji",
    "islem tarihi",
    "거래일",
    "거래일자",
    "取引日",
    "日付",
    "kirjauspaiva",
    "dátum",
)
VALUE_DATE_WORDS += ("data valuta", "valutadag", "data waluty", "valor tarihi")
AMOUNT_WORDS += (
    "importo",
    "beløp",
    "tutar",
    "금액",
    "金額",
    "valore",
    "kwota operacji",
    "castka v mene uctu",
)
DEBIT_WORDS += (
    "uscite",
    "uscita",
    "addebito",
    "gastos",
    "gasto",
    "cargo",
    "saida",
    "saidas",
    "débito",
    "wydatki",
    "obciazenia",
    "obciazenie",
    "vydaj",
    "vydaje",
    "uttag",
    "udbetaling",
    "uttak",
    "kiadas",
    "terhelés",
    "出金",
    "支払",
    "출금",
    "borc",
)
CREDIT_WORDS += (
    "entrate",
    "entrata",
    "accredito",
    "ingresos",
    "ingreso",
    "entrada",
    "entradas",
    "crédito",
    "wplywy",
    "uznania",
    "uznanie",
    "prijem",
    "prijmy",
    "insattning",
    "indbetaling",
    "innskudd",
    "bevetel",
    "jovairas",
    "入金",
    "입금",
    "alacak",
)
BALANCE_WORDS += (
    "saldo contabile",
    "disponibile",
    "bakiye",
    "잔액",
    "残高",
    "zustatek",
    "saldo po operacji",
)
DESCRIPTION_WORDS += (
    "descrizione",
    "causale",
    "beschrijving",
    "tekst",
    "beskrivelse",
    "beskrivning",
    "meddelande",
    "reszletek",
    "kozlemeny",
    "aciklama",
    "적요",
    "摘要",
    "内容",
    "kuvaus",
    "selite",
    "libellé",
    "card member",
    "motivo",
    "descrição",
    "historico",
)
CURRENCY_WORDS += ("valuta", "para birimi", "통화", "通貨")

# Indicator values, casefolded: a column whose every value is one of these says in or out.
INDICATOR_OUT = frozenset(
    {
        "d",
        "dr",
        "debit",
        "debet",
        "af",
        "s",
        "soll",
        "ausgang",
        "out",
        "o",
        "withdrawal",
        "expense",
        "支出",
        "支",
        "kiadas",
        "kiadás",
        "расход",
        "-",
        "outflow",
        "belastung",
        "lastschrift",
        "debit card",
        "sale",
        "purchase",
        "paid",
        "sent",
        "payment sent",
        "uitgaand",
    }
)
INDICATOR_IN = frozenset(
    {
        "c",
        "cr",
        "credit",
        "bij",
        "h",
        "haben",
        "eingang",
        "in",
        "i",
        "deposit",
        "income",
        "收入",
        "收",
        "bevetel",
        "bevétel",
        "приход",
        "+",
        "k",
        "inflow",
        "gutschrift",
        "received",
        "payment received",
        "inkomend",
        "return",
        "refund",
    }
)


def normalise(header: str) -> str:
    """Casefolded header without accents, punctuation runs collapsed to single spaces."""
    text = unicodedata.normalize("NFKD", header.strip().strip("'\"").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[\w#/]+|[^\w\s]", text))


def _has_word(header: str, words: tuple[str, ...]) -> bool:
    norm = normalise(header)
    if not norm:
        return False
    padded = f" {norm.replace('/', ' / ')} "
    squashed = norm.replace(" ", "")
    for word in words:
        if word.startswith("="):
            if norm == word[1:]:
                return True
            continue
        w = normalise(word)
        if f" {w} " in padded or (len(w) >= 4 and w.replace(" ", "") in squashed):
            return True
        if any(ord(ch) >= 0x2E80 for ch in w) and w in norm:  # CJK: no spaces between words
            return True
    return False


def matches(header: str, words: tuple[str, ...]) -> bool:
    """True when `header` contains one of `words` as a word or phrase."""
    return _has_word(header, words)


@dataclass(frozen=True)
class ColumnStats:
    """What one column's sample cells look like."""

    index: int
    header: str
    filled: float  # share of rows with a non-empty cell
    date_formats: tuple[str, ...]  # formats reading every non-empty cell (empty if not dates)
    numeric: float  # share of non-empty cells that read as amounts
    signed: int  # cells with an explicit minus
    plus: int  # cells with an explicit plus
    decimals: float  # share of non-empty numeric cells written with a decimal separator
    distinct: int
    id_like: bool  # long bare integers or a header naming an identifier
    currency_like: bool
    indicator: tuple[frozenset[str], frozenset[str]] | None  # (out values, in values)


def column_stats(index: int, header: str, cells: list[str], decimal: str) -> ColumnStats:
    """Describe one column from its sample cells."""
    filled_cells = [c.strip() for c in cells if c.strip() and not amounts.is_blank(c)]
    n = max(len(cells), 1)
    formats = dates.formats_for(filled_cells) if filled_cells else ()
    parsed = [amounts.parse(c, decimal) for c in filled_cells]
    numeric_cells = [c for c, p in zip(filled_cells, parsed, strict=True) if p is not None]
    numeric = len(numeric_cells) / len(filled_cells) if filled_cells else 0.0
    signed = sum(1 for p in parsed if p is not None and p.marker == "-")
    plus = sum(1 for p in parsed if p is not None and p.marker == "+")
    with_decimals = sum(1 for c in numeric_cells if re.search(r"[.,]\d{1,2}\b", c))
    decimals = with_decimals / len(numeric_cells) if numeric_cells else 0.0
    distinct = len(set(filled_cells))
    bare_long = (
        sum(1 for c in filled_cells if re.fullmatch(r"'?\d{6,}", c)) >= 0.5 * len(filled_cells)
        if filled_cells
        else False
    )
    id_like = bare_long or (
        matches(header, ID_WORDS)
        and not matches(header, AMOUNT_WORDS + DEBIT_WORDS + CREDIT_WORDS + BALANCE_WORDS)
    )
    currency_like = bool(filled_cells) and all(
        re.fullmatch(r"[A-Za-z]{3}", c) for c in filled_cells
    )
    if currency_like and not matches(header, CURRENCY_WORDS):
        currency_like = all(c.isupper() for c in filled_cells)
    return ColumnStats(
        index=index,
        header=header,
        filled=len(filled_cells) / n,
        date_formats=formats if len(filled_cells) >= 1 else (),
        numeric=numeric,
        signed=signed,
        plus=plus,
        decimals=decimals,
        distinct=distinct,
        id_like=id_like,
        currency_like=currency_like,
        indicator=indicator_values(cells),
    )


def indicator_values(cells: list[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """(out values, in values) when every cell is an in/out word; an empty cell may stand for
    one side when the other side is written (e.g. "CR" or nothing)."""
    values = {c.strip().casefold() for c in cells}
    filled = values - {""}
    if not filled or len(filled) > 6:
        return None
    outs = frozenset(v for v in filled if v in INDICATOR_OUT)
    ins = frozenset(v for v in filled if v in INDICATOR_IN)
    if outs | ins != filled:
        return None
    if "" in values:
        if outs and ins:
            return None  # blanks between explicit in and out: not an indicator column
        if ins:
            outs = frozenset({""})
        else:
            ins = frozenset({""})
    if not outs or not ins:
        return None  # one value throughout (e.g. a status "Paid") says nothing about direction
    return outs, ins


def is_money(stats: ColumnStats) -> bool:
    """A column whose cells are amounts of money (not dates, identifiers or codes)."""
    return (
        stats.numeric >= 0.9
        and not stats.date_formats
        and not stats.id_like
        and not stats.currency_like
        and stats.filled > 0
    )
