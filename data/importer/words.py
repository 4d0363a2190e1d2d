"""Words that name columns and in/out values in bank exports, in many languages.

Plain data, casefolded; matched by columns.matches(). Add words here, never special cases elsewhere.
"""

from __future__ import annotations

# fmt: off
# Header words, matched as whole words (or phrases) in the casefolded, accent-stripped header.
DATE_WORDS: tuple[str, ...] = (
    "date", "datum", "fecha", "data", "dato", "datetime", "tag", "buchungstag", "buchungsdatum",
    "transactiedatum", "boekdatum", "дата", "日期", "时间", "交易时间", "交易日期", "记账日期",
    "time", "day", "posted", "started", "completed", "created", "when", "datas",
)
VALUE_DATE_WORDS: tuple[str, ...] = (
    "value date", "valuta", "valutadatum", "wertstellung", "rentedatum", "valor", "value",
    "wertstellungstag", "valeur", "valuta datum", "fecha valor",
)
STARTED_WORDS = ("started", "initiated", "start date", "authorised", "authorized")
AMOUNT_WORDS: tuple[str, ...] = (
    "amount", "betrag", "bedrag", "importe", "montant", "importo", "kwota", "castka", "suma",
    "summa", "сумма", "金额", "beløb", "belopp", "summe", "umsatz", "net", "netamount",
    "transaction amount", "gross", "total", "sum", "osszeg", "iznos", "mutatie", "amt",
    "debit/credit", "value", "paid", "money", "交易金额", "金额(元)", "valor", "monto",
)
AMOUNT_PENALTY_WORDS: tuple[str, ...] = (
    "original", "orig", "foreign", "fx", "intl", "fee", "fees", "tax", "refund", "refunded",
    "converted", "reward", "price", "quantity", "qty", "rate", "kurs", "shipping", "gift",
    "points", "commission", "comm", "cost", "opgeloopte", "exchange", "transfer amount",
    "interest", "rente", "zinsen", "limit", "available", "unit", "order", "tip",
)
DEBIT_WORDS: tuple[str, ...] = (
    "debit", "debet", "debits", "withdrawal", "withdrawals", "paid out", "money out", "=out",
    "outflow", "soll", "uitgaven", "ausgabe", "ausgaben", "belastung", "expense", "expenses",
    "spent", "расход", "支出", "charge", "charges", "=af", "lastschrift", "uitgave",
    "debit amount", "withdrawal amount", "cargo", "cargos", "addebiti", "débit", "=dr",
)
CREDIT_WORDS: tuple[str, ...] = (
    "credit", "credits", "deposit", "deposits", "paid in", "money in", "=in", "inflow", "haben",
    "=bij", "inkomsten", "einnahme", "einnahmen", "gutschrift", "income", "приход", "收入",
    "receipts", "lodgement", "lodgements", "credit amount", "deposit amount", "abono", "abonos",
    "accrediti", "crédit", "=cr", "ontvangst",
)
BALANCE_WORDS: tuple[str, ...] = (
    "balance", "saldo", "kontostand", "solde", "остаток", "余额", "running balance", "bal",
    "runningbalance", "stand", "likutis", "egyenleg", "zustatek", "saldo na",
)
CURRENCY_WORDS: tuple[str, ...] = (
    "currency", "währung", "wahrung", "waehrung", "devise", "moneda", "valute", "валюта",
    "币种", "curr", "ccy", "munt", "mena", "valutacode", "valiuta", "waluta", "divisa",
    "交易币种", "记账币种", "cur",
)
DESCRIPTION_WORDS: tuple[str, ...] = (
    "description", "desc", "payee", "name", "memo", "details", "narrative", "narration",
    "reference", "verwendungszweck", "buchungstext", "beschreibung", "omschrijving", "naam",
    "tegenpartij", "mededelingen", "merchant", "counterparty", "partner", "beneficiary",
    "auftraggeber", "empfanger", "begunstigter", "zahlungsempfanger", "zahlungspflichtige",
    "text", "purpose", "particulars", "remarks", "note", "notes", "concepto", "libelle",
    "descripcion", "opis", "popis", "назначение", "описание", "摘要", "交易对方", "商品",
    "item", "title", "subject", "transaction", "transaction details", "info", "payment details",
    "verwendung", "empfänger", "gavejas", "paaiskinimai", "tegenrekeninghouder", "beskrywing",
    "to", "from", "vwz", "交易详情", "商品说明", "交易场所", "merchant name", "store",
)
ID_WORDS = (
    "id", "nr", "no", "number", "nummer", "#", "iban", "bic", "account", "konto", "kontonummer",
    "rekening", "tegenrekening", "code", "sort", "blz", "ref", "referenz", "mandat", "card",
    "check", "cheque", "isin", "symbol", "order", "receipt", "serial", "sr", "kodas",
)

# More languages (kept apart so the lists above stay readable).
DATE_WORDS += (
    "data contabile", "data operazione", "fecha operacion", "bokforingsdag", "bogforingsdato",
    "datum transakce", "datum zauctovani", "data ksiegowania", "data operacji", "islem tarihi",
    "거래일", "거래일자", "取引日", "日付", "kirjauspaiva", "dátum",
)
VALUE_DATE_WORDS += ("data valuta", "valutadag", "data waluty", "valor tarihi")
AMOUNT_WORDS += (
    "importo", "beløp", "tutar", "금액", "金額", "valore", "kwota operacji",
    "castka v mene uctu",
)
DEBIT_WORDS += (
    "uscite", "uscita", "addebito", "gastos", "gasto", "cargo", "saida", "saidas", "débito",
    "wydatki", "obciazenia", "obciazenie", "vydaj", "vydaje", "uttag", "udbetaling", "uttak",
    "kiadas", "terhelés", "出金", "支払", "출금", "borc",
    "찾으신",  # Korean banks' "찾으신금액" (amount withdrawn)
    "ut fra konto",  # Norwegian (DNB): "out of the account"
)
CREDIT_WORDS += (
    "entrate", "entrata", "accredito", "ingresos", "ingreso", "entrada", "entradas", "crédito",
    "wplywy", "uznania", "uznanie", "prijem", "prijmy", "insattning", "indbetaling", "innskudd",
    "bevetel", "jovairas", "入金", "입금", "alacak",
    "맡기신",  # Korean banks' "맡기신금액" (amount deposited)
    "inn pa konto",  # Norwegian (DNB): "into the account" (accents are compared without)
)
BALANCE_WORDS += (
    "saldo contabile", "disponibile", "bakiye", "잔액", "残高", "zustatek", "saldo po operacji",
)
DESCRIPTION_WORDS += (
    "descrizione", "causale", "beschrijving", "tekst", "beskrivelse", "beskrivning",
    "meddelande", "reszletek", "kozlemeny", "aciklama", "적요", "摘要", "内容", "kuvaus",
    "selite", "libellé", "card member", "motivo", "descrição", "historico",
)
CURRENCY_WORDS += ("valuta", "para birimi", "통화", "通貨")
AMOUNT_PENALTY_WORDS += ("订单", "原价", "应付")  # order, list price, amount due (before discounts)
# Payment platforms in other languages: net and gross amounts are amounts; shipping, handling,
# tax and fee amounts beside them are not what moved (PayPal's Spanish export has all of them).
AMOUNT_WORDS += ("neto", "netto", "bruto", "brutto", "brut", "lordo")
AMOUNT_PENALTY_WORDS += (
    "envio", "manipulacion", "impuesto", "comision", "gebuhr", "gebuehr", "frais", "tariffa",
    "commissione", "handling",
)
# Amounts after fees and discounts: what actually moved, preferred to gross or order amounts.
NET_WORDS: tuple[str, ...] = (
    "net", "netto", "net amount", "amount paid", "paid amount", "实付", "实收", "实际", "neto",
)

# A card statement's two dates: when the purchase was made and when it posted (was charged):
# Discover's "Trans. Date,Post Date", Chase's and BMO's "Transaction Date,Post(ing) Date",
# Israeli issuers' תאריך עסקה (deal) / תאריך רכישה (purchase) and תאריך חיוב (charge).
CARD_TRADED_DATE_WORDS: tuple[str, ...] = (
    "trans", "transaction", "purchase date", "עסקה", "רכישה",
)
CARD_POSTED_DATE_WORDS: tuple[str, ...] = ("post", "posted", "posting", "חיוב")

# The date column's name in languages whose banks all write the day before the month (Spanish,
# Portuguese, Italian, Polish, German, Dutch, Nordic, Finnish, Baltic, Turkish, Russian...): like
# a decimal comma, it says where the bank is. English "date" is not among them (American banks).
DAY_FIRST_DATE_WORDS: tuple[str, ...] = (
    "fecha", "data", "datum", "dato", "datums", "paiva", "pvm", "kuupaev", "tarih", "tarihi",
    "дата", "dátum", "ημερομηνια",
)

# Indicator values, casefolded: a column whose every value is one of these says in or out.
INDICATOR_OUT = frozenset(
    {
    "d", "dr", "debit", "debet", "af", "s", "soll", "ausgang", "out", "o", "withdrawal",
    "expense", "支出", "支", "kiadas", "kiadás", "расход", "-", "outflow", "belastung",
    "lastschrift", "debit card", "sale", "purchase", "paid", "sent", "payment sent", "uitgaand",
    }
)
INDICATOR_IN = frozenset(
    {
    "c", "cr", "credit", "bij", "h", "haben", "eingang", "in", "i", "deposit", "income", "收入",
    "收", "bevetel", "bevétel", "приход", "+", "k", "inflow", "gutschrift", "received",
    "payment received", "inkomend", "return", "refund",
    }
)
# Japanese banks' in/out column (入払区分: 出金 / 入金) and their withdrawal / deposit headers
# (お引出し / お預入れ).
INDICATOR_OUT = INDICATOR_OUT | {"出金", "支払", "引出", "お引出し"}
INDICATOR_IN = INDICATOR_IN | {"入金", "預入", "お預入れ"}
DEBIT_WORDS += ("引出", "お引出し")
CREDIT_WORDS += ("預入", "お預入れ")

# Status values of a row that has not been booked (yet): such a row may lack a booking date.
NOT_BOOKED = frozenset(
    {
    "pending", "authorised", "authorized", "authorisation", "authorization", "in progress",
    "processing", "declined", "reverted", "failed", "cancelled", "canceled", "rejected",
    "expired", "on hold", "vorgemerkt", "ausstehend", "in behandeling", "en attente",
    "en cours", "pendiente", "in sospeso", "待处理", "处理中", "交易关闭", "已关闭",
    "denied", "void", "voided", "refused", "blocked", "held", "unposted", "not posted",
    "awaiting", "scheduled", "planned", "offen", "geplant", "in attesa", "в обработке",
    }
)
# Marks for rows that are neither in nor out (transfers between one's own pockets): the amount
# is taken as stated.
INDICATOR_NEUTRAL = frozenset({"/", "n/a", "—", "不计收支", "neutral"})
# Neutral marks that are words, not placeholders: a column using them is an in/out column.
INDICATOR_NEUTRAL_WORDS = frozenset({"不计收支", "neutral"})
# fmt: on
