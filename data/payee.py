"""Payee normalization: turn a raw bank description into the merchant a person would name.

"CARD PAYMENT TO TESCO STORES 3297 LONDON" -> "Tesco Stores". The raw description is stored
beside the payee and never changed; this module only derives a display/grouping key from it.
Pure and deterministic: it must never raise on any string (the importer, the categorizer and the
insights all call it on whatever a bank wrote), and never consult anything but its argument.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Longest input we look at: bank descriptions are short; anything longer is noise or an attack.
_MAX_INPUT = 512

# Prefixes that name how the money moved rather than who received it. Matched case-insensitively at
# the start, repeatedly ("POS PURCHASE CARD PAYMENT TO ..."), longest first.
_PREFIXES = sorted(
    (
        "card payment to",
        "card payment",
        "card purchase",
        "debit card purchase",
        "debit card payment",
        "credit card purchase",
        "visa purchase",
        "visa debit",
        "visa",
        "mastercard purchase",
        "maestro",
        "pos purchase",
        "pos debit",
        "pos transaction",
        "pos",
        "point of sale",
        "purchase authorized on",
        "purchase",
        "recurring card purchase",
        "recurring payment",
        "recurring",
        "online purchase",
        "online payment to",
        "online payment",
        "international online purchase",
        "international purchase",
        "overseas purchase",
        "contactless payment",
        "contactless",
        "apple pay",
        "google pay",
        "fuel purchase",
        "direct debit",
        "direct debit payment to",
        "dd",
        "standing order",
        "standing order to",
        "so",
        "faster payment to",
        "faster payment",
        "fps",
        "bacs",
        "bill payment to",
        "bill payment",
        "payment to",
        "transfer to",
        "transfer from",
        "payment from",
        "payment received from",
        "ach debit",
        "ach credit",
        "ach",
        "checkcard",
        "check card",
        "debit purchase",
        "debit",
        "eft debit order",
        "debit order",
        "debicheck payment",
        "fnb app payment to",
        "app payment to",
        "rtc express pmt to",
        "internet pmt to",
        "internet payment to",
        "mobile payment to",
        "bpay",
        "eftpos",
        "eftpos purchase",
        "kartenzahlung",
        "lastschrift",
        "sepa lastschrift",
        "sepa-lastschrift",
        "sepa",
        "ueberweisung",
        "überweisung",
        "gutschrift",
        "paiement cb",
        "paiement par carte",
        "cb",
        "prlv sepa",
        "prlv",
        "vir sepa",
        "vir",
        "compra",
        "pago",
        "betaling",
        "pin",
        "withdrawal",
        "deposit",
        "bill pay",
    ),
    key=len,
    reverse=True,
)
_PREFIX_RE = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")(?:\b|(?=\W))[\s:*#\-/.,]*",
    re.IGNORECASE,
)

# Payment processors and aggregators that put their name before the merchant's: "SQ *BLUE BOTTLE",
# "PAYPAL *NETFLIX", "TST* JOE'S". When followed by a merchant, the processor is dropped.
_PROCESSOR_RE = re.compile(
    r"^(?:sq|sqr|square|paypal|pp|tst|toast|sp|shopify|stripe|yoco|zapper\d?|ik|izettle|iz|"
    r"sumup|sum up|dashpay|payd|google|ggl|amzn mktp|pos|www|bt|wl|ccm|pyu|paddle\.net|fs|"
    r"ppl|payu|venmo|zelle|cash app|klarna|afterpay|clearpay)\s*\*\s*",
    re.IGNORECASE,
)

# Bracketed bank boilerplate: "(Card )", "(EFFEC )", "CARD NO. 1234".
_BOILERPLATE_RE = re.compile(
    r"\((?:card|effec|pending|contactless)[^)]*\)|\bcard\s*no\.?\s*[\dx*]*|"
    r"\bcard\s+ending(?:\s+in)?\s*[\dx*]*|"
    # "CARD 4921" is the card paid with, except where "CREDIT CARD 4921" ends the text or comes
    # before "PAYMENT": then the card is what was paid ("ONLINE PAYMENT TO CREDIT CARD 4921")
    r"(?<!credit\s)\bcard\s+(?:[x*#]+\d*|\d{4})\b|"
    r"(?<=credit\s)card\s+(?:[x*#]+\d*|\d{4})\b(?!\s*(?:payment\b|$))|"
    r"\bvia\s+(?:apple|google)\s+pay\b|"
    # Lloyds and Halifax name the card paid with as "CD 1417"
    r"\bcd\s+\d{4}\b",
    re.IGNORECASE,
)

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DATE_RE = re.compile(
    r"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?|"
    r"\d{1,2}\s*" + _MONTHS + r"(?:\s*\d{2,4})?|" + _MONTHS + r"\s*\d{1,2}(?:,?\s*\d{4})?)\b"
    r"(?:\s+\d{1,2}[:.]\d{2}(?::\d{2})?)?",
    re.IGNORECASE,
)
_TIME_RE = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?\b", re.IGNORECASE)

# Masked or full card numbers and long digit runs: "XXXX1234", "****1234", "4929 1234 5678 9012".
# A mask is matched from its first character only, and never given back: tried from every
# character of a long run ("XXXX…" 20,000 long), the scan took 11 s, every time the row was read.
_CARD_RE = re.compile(
    r"(?:(?<![x*#])[x*#]{2,}+[\s-]?\d{2,6})|\b(?:\d[ -]?){12,19}\b", re.IGNORECASE
)

# Most descriptions hold no card number, date or time, and a scan that cannot match costs as
# much as one that does: for ASCII text (where case-insensitive matching is plain ASCII case),
# a scan runs only when the text has what its every match must contain. Card: two of x * # in a
# row, or 12 digits. Date: a digit before - / . or a month's name. Time: a ":". Boilerplate:
# "(", "card", "via" or "cd ". Other text always takes every scan.
_DIGIT = re.compile(r"\d").search
_DOUBLE_MASK = re.compile(r"[xX*#]{2}").search
_NO_DIGITS = dict.fromkeys(map(ord, "0123456789"))
_DATE_POSSIBLE = re.compile(r"\d[-/.]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec").search


def _without_cards_dates_times(text: str) -> str:
    """`text` with _CARD_RE, _DATE_RE and _TIME_RE (in that order) replaced by spaces."""
    if not _DIGIT(text):
        return text  # every one of them needs a digit
    if not text.isascii():
        return _TIME_RE.sub(" ", _DATE_RE.sub(" ", _CARD_RE.sub(" ", text)))
    if _DOUBLE_MASK(text) or len(text) - len(text.translate(_NO_DIGITS)) >= 12:
        text = _CARD_RE.sub(" ", text)
    if _DATE_POSSIBLE(text.lower()):
        text = _DATE_RE.sub(" ", text)
    return _TIME_RE.sub(" ", text) if ":" in text else text


# Reference-like tokens: anything with a digit that is not a plain short number belonging to a name
# ("7-Eleven", "3M" survive because they are short and mostly letters).
_TOKEN_SPLIT_RE = re.compile(r"\s+")
_AMOUNT_RE = re.compile(r"^[-+]?[$€£]?\d+[.,]\d{2}$")


# Where a location usually starts: a US state / country code, or a big city, at the end.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_US_STATES = _words(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
)
_COUNTRIES = _words(
    "US USA GB GBR UK IE IRL FR FRA DE DEU NL NLD BE BEL ES ESP IT ITA PT PRT CH CHE AT AUT SE "
    "SWE NO NOR DK DNK FI FIN PL POL CZ CA CAN AU AUS NZ NZL ZA ZAF GTZA IN IND SG SGP HK JP JPN "
    "LU LUX GR GRC MX MEX BR BRA"
)
_CITIES = _words(
    "london manchester birmingham leeds glasgow edinburgh liverpool bristol cardiff belfast "
    "dublin cork paris lyon marseille berlin munich munchen hamburg frankfurt koln cologne "
    "amsterdam rotterdam brussels antwerp madrid barcelona lisbon rome milan zurich geneva "
    "vienna stockholm oslo copenhagen helsinki warsaw prague nyc brooklyn oakland seattle "
    "chicago boston austin houston dallas denver portland atlanta miami phoenix philadelphia "
    "toronto vancouver montreal sydney melbourne brisbane perth auckland johannesburg durban "
    "pretoria sandton luxembourg singapore tokyo"
)
_MULTIWORD_CITIES = frozenset(
    ("new york", "los angeles", "san francisco", "san jose", "san diego", "cape town", "hong kong")
)


def _clean(text: str) -> str:
    """NFKC, printable only, single spaces; safe on lone surrogates and control characters."""
    text = text[:_MAX_INPUT]
    if not text.isascii():
        text = text.encode("utf-8", "ignore").decode("utf-8")
        text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def _strip_prefixes(text: str) -> str:
    for _ in range(4):
        new = _PREFIX_RE.sub("", text, count=1)
        new = _PROCESSOR_RE.sub("", new, count=1)
        if new == text or not new.strip(" *#-:"):
            break
        text = new
    return text


def _is_reference(token: str) -> bool:
    """Reference codes, store numbers, amounts: tokens a merchant's name does not contain."""
    core = token.strip(".,:;()[]#*/-'\"")
    if not core or (len(core) >= 3 and not core.lower().strip("x*")):
        return True  # nothing, or a masked placeholder ("XXXX")
    if core.isalpha():
        return False  # no digits: the common case, decided without counting
    digits = sum(ch.isdigit() for ch in core)
    if digits == 0:
        return False
    if core.isdigit() or _AMOUNT_RE.match(core):
        return True
    # "7-ELEVEN", "3M", "A1" are names; "R023VF8ST0", "DCRE200609" are references.
    return digits >= 3 or (digits / len(core) > 0.3 and len(core) > 3)


def _drop_location(tokens: list[str]) -> list[str]:
    """Trailing state/country codes and well-known city names."""
    while len(tokens) > 1:
        last = tokens[-1].strip(".,").upper()
        if last in _US_STATES or last in _COUNTRIES:
            tokens = tokens[:-1]
            continue
        two = " ".join(tokens[-2:]).lower().strip(".,")
        if len(tokens) > 2 and two in _MULTIWORD_CITIES:
            tokens = tokens[:-2]
            continue
        if last.lower() in _CITIES:
            tokens = tokens[:-1]
            continue
        break
    return tokens


_LETTER_RUN_RE = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]+")
_APOSTROPHE_S_RE = re.compile(r"'S\b")
_WEB_PATH_RE = re.compile(r"(\.[A-Za-z]{2,4})/\S*")
_WEB_SUFFIX_RE = re.compile(r"\.(Com|Net|Org|Co|Uk|Io|De|Fr|Nl)\b")


def _case(tokens: list[str], shouting: bool) -> str:
    """Title-case text the bank shouted or whispered; keep a person's or brand's own mixed case."""
    out: list[str] = []
    for tok in tokens:
        if shouting or tok.islower():
            if tok.isascii() and tok.isalpha():
                out.append(tok.capitalize())  # the common case, same as the general one below
                continue
            # title() would turn "joe's" into "Joe'S"; capitalise each run of letters instead.
            word = _LETTER_RUN_RE.sub(lambda m: m.group(0).capitalize(), tok.lower())
            out.append(_APOSTROPHE_S_RE.sub("'s", word))
        else:
            out.append(tok)
    joined = " ".join(out)
    if "." not in joined:
        return joined
    # "Amazon.Com/Bill" -> "Amazon.com": web addresses keep lower-case suffixes and lose paths.
    joined = _WEB_PATH_RE.sub(r"\1", joined)
    return _WEB_SUFFIX_RE.sub(lambda m: m.group(0).lower(), joined)


def strip_dates(text: str) -> str:
    """`text` without the dates, times and card numbers banks embed ("* 14 Oct", "XXXX1234")."""
    return _TIME_RE.sub(" ", _DATE_RE.sub(" ", _CARD_RE.sub(" ", text)))


# The same three patterns for text already lower-cased with every digit turned into "0" (how the
# categorizer folds descriptions): one case-sensitive pass, ~2x faster than the three above, and
# the categorizer pays it for every row it has never seen.
_ZEROED_MONTHS = _MONTHS
# Card numbers go first, in a pass of their own as in strip_dates: in one pass with the dates, a
# month's word ran on into a masked number ("octxx12" read as a date "Octxx 12").
_ZEROED_CARD_RE = re.compile(r"(?<![x*#])[x*#]{2,}+[\s-]?0{2,6}|(?<!\w)(?:0[ -]?){12,19}\b")
_ZEROED_RE = re.compile(
    r"(?<!\w)(?:0{4}[-/.]0{1,2}[-/.]0{1,2}|0{1,2}[-/.]0{1,2}(?:[-/.]0{2,4})?|0{1,2}\s*"
    + _ZEROED_MONTHS
    + r"(?:\s*0{2,4})?|"
    + _ZEROED_MONTHS
    + r"\s*0{1,2}(?:,?\s*0{4})?)\b(?:\s+0{1,2}[:.]00(?::00)?)?"
    r"|(?<!\w)0{1,2}:00(?::00)?(?:\s*[ap]m)?\b"
)


def strip_zeroed_dates(text: str) -> str:
    """`strip_dates` for text that is already lower case with every digit a "0"."""
    first = text.find("0")
    if first < 0:
        return text  # every pattern needs a digit
    if text.count("0") >= 12 or _DOUBLE_MASK(text):
        text = _ZEROED_CARD_RE.sub(" ", text)  # what every card number match must contain
        first = text.find("0")
        if first < 0:
            return text
    # Nothing before the word ahead of the first digit's word can match ("oct 00", "xxxx 0000"
    # reach back one word at most), so the regex, which costs per character, starts there.
    k = first
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    while k > 0 and text[k - 1].isspace():
        k -= 1
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    return text[:k] + _ZEROED_RE.sub(" ", text[k:])


# Transaction type codes UK banks give a column of their own (Lloyds, Halifax, Bank of
# Scotland: "DEB", "BGC", "FPO"...), read as such only when one is a whole part of a
# multi-column description, in capitals: then it says how the money moved, not to whom.
_TYPE_CODES = _words(
    "BGC BP CHG CHQ COR CPT CSH CUS DD DEB DEP FEE FPI FPO IB INT MPI MPO OTH PAY SO TFR"
)


@lru_cache(maxsize=65536)
def normalize_payee(description: str) -> str:
    """The merchant in a raw bank description: "SQ *BLUE BOTTLE 0423 OAKLAND" -> "Blue Bottle"."""
    text = _clean(description if isinstance(description, str) else str(description))
    if not text:
        return ""
    if " | " in text:
        # The importer joins multi-column descriptions with " | " (payee | memo | reference...):
        # the payee is the first part that still names someone once the boilerplate is gone.
        for part in text.split(" | "):
            if part.strip() in _TYPE_CODES:
                continue  # a transaction type column of its own ("DEB | ACME STORE" is Acme)
            found = _payee_of(part, fallback=False)
            if found:
                return found
    return _payee_of(text, fallback=True)


def _payee_of(text: str, *, fallback: bool) -> str:
    description = text
    if not fallback and not _PREFIX_RE.sub("", text).strip(" *#-:|"):
        return ""  # a part that only says how the money moved ("DEBIT") names nobody
    lower = text.lower()
    if not text.isascii() or "(" in text or "card" in lower or "via" in lower or "cd " in lower:
        text = _BOILERPLATE_RE.sub(" ", text)  # every match has one (see the note on _DIGIT)
    text = _strip_prefixes(text.strip())
    # "MERCHANT*REF123" and "MERCHANT  * 12 Oct": what follows a star is a reference or location.
    text = _strip_prefixes(text.strip(" *"))
    head, star, _tail = text.partition("*")
    if star and head.strip(" -"):
        text = head
    text = _without_cards_dates_times(text)

    tokens: list[str] = []
    for tok in _TOKEN_SPLIT_RE.split(text):
        if not tok:
            continue
        if tok.isalpha() and (len(tok) < 3 or tok.lower().strip("x*")):
            tokens.append(tok)  # a word: _is_reference's common case, decided here
            continue
        if _is_reference(tok):
            # A store number ("TESCO STORES 3297 LONDON") ends the name: what follows is the place.
            if tokens and tok.strip("#").isdigit() and len(tokens) >= 1:
                break
            continue
        tokens.append(tok)
    tokens = [t for t in (t.strip(" -:,;/|") for t in tokens) if t]
    tokens = _drop_location(tokens)
    if not tokens:
        if not fallback:
            return ""
        # Nothing name-like survived (e.g. "ATM 123456"): fall back to the cleaned text.
        cleaned = _clean(description)[:64]
        return cleaned.title() if cleaned.isupper() else cleaned
    joined = " ".join(tokens)
    if joined.isascii():  # ASCII letters are exactly its cased characters
        shouting = joined.isupper()
    else:
        letters = [ch for ch in joined if ch.isalpha()]
        shouting = bool(letters) and all(ch.isupper() for ch in letters)
    return _case(tokens, shouting)[:80]
