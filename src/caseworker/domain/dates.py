"""Partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), as registries publish dates of birth."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

Precision = Literal["year", "month", "day"]

#: Earliest year accepted as a date of birth: anything before is a typo, not a living party.
MIN_BIRTH_YEAR = 1800

# Lenient ISO 8601: month and day may be written without their leading zero (1969-7-16).
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FORMATS = "YYYY, YYYY-MM or YYYY-MM-DD"


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day; its text is padded ISO of that precision.

    In a pydantic model it reads from text (`1969`, `1969-7`, `1969-07-16`), a `date` or
    an integer year, and is written back as the padded ISO text (`1969-07`).
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not dt.MINYEAR <= self.year <= dt.MAXYEAR:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                month = calendar.month_name[self.month]
                raise ValueError(f"day {self.day} is not 1-{last} ({month} {self.year})")

    @property
    def precision(self) -> Precision:
        """How much of the date is known: `year`, `month` or `day`."""
        if self.month is None:
            return "year"
        return "month" if self.day is None else "day"

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def earliest(self) -> dt.date:
        """Return the first day the date can be (1 January of a bare year)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """Return the last day the date can be (31 December of a bare year)."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def to_date(self) -> dt.date | None:
        """Return the full date, or None when only the year or the month is known."""
        return self.earliest() if self.day is not None else None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Read a partial date from text, a `date`, an integer year or a `PartialDate`.

        Raises `ValueError` naming the value when it is not a real date.
        """
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"expected a date as text ({_FORMATS}), got {type(value).__name__}")
        text = value.strip()
        found = _ISO.match(text)
        if not found:
            raise ValueError(f"'{value}' is not a date: use {_FORMATS}")
        year, month, day = (int(g) if g else None for g in found.groups())
        assert year is not None  # the pattern requires it
        try:
            return cls(year, month, day)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a real date: {exc}") from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$",
            "description": f"A date known to the year, month or day: {_FORMATS}",
            "examples": ["1969", "1969-07", "1969-07-16"],
        }


def _plausible_birth(value: PartialDate) -> PartialDate:
    if value.year < MIN_BIRTH_YEAR:
        raise ValueError(f"'{value}' is before {MIN_BIRTH_YEAR}, not a date of birth")
    if value.earliest() > dt.date.today():
        raise ValueError(f"'{value}' is in the future")
    return value


#: A date of birth: a `PartialDate` that is not in the future nor before `MIN_BIRTH_YEAR`.
DateOfBirth = Annotated[PartialDate, AfterValidator(_plausible_birth)]
