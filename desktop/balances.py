"""What each account holds: the sum of its imported rows and, where its statements print a running
balance, the balance the bank stated. Shared by `fincast accounts` and the advisor's request
(desktop/forecasting.py), so the command line and the window tell one balance.

The stated balance is anchored on the newest day a statement states one, as the Dashboard's
balance chart is (data/ledger/aggregates.month_end_balances): the sum alone starts every account
at zero, so an account opened with 2,450.37 in it read 2,450.37 short. Never writes the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sidecars.advisor.opening import opening_balance

if TYPE_CHECKING:
    from data.ledger import Ledger


@dataclass(frozen=True)
class AccountBalance:
    """One account's money in minor units of its currency."""

    name: str
    currency: str
    rows: int  # the sum of its rows in its own currency
    opening: int | None  # what it held before its first row, if a statement says; else None

    @property
    def stated(self) -> int | None:
        """The balance as the statements state it (opening + rows), or None when none states one."""
        return None if self.opening is None else self.opening + self.rows

    @property
    def balance(self) -> int:
        """The balance to show: the stated one where there is one, else the rows' sum."""
        stated = self.stated
        return self.rows if stated is None else stated


def opening(ledger: Ledger, name: str) -> int | None:
    """What the account `name` held before its first imported row, from its statements' running
    balance; None when no row states one."""
    return opening_balance(ledger.statement_lines(name))


def account_balances(ledger: Ledger) -> dict[str, AccountBalance]:
    """Every account's balance, by name."""
    return {
        name: AccountBalance(name, currency, rows, opening(ledger, name))
        for name, (rows, currency) in ledger.account_balances().items()
    }
