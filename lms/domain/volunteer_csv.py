"""Validating a coordinator's CSV of new volunteers, row by row, before anything is stored."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from lms.domain.contacts import normalise_email, normalise_phone

REQUIRED_COLUMNS = ("name",)
KNOWN_COLUMNS = ("name", "email", "phone", "language")
MAX_ROWS = 2000


@dataclass(frozen=True)
class VolunteerRow:
    line: int
    name: str
    email: str | None
    phone: str | None
    language: str | None


@dataclass
class CsvResult:
    rows: list[VolunteerRow] = field(default_factory=list)
    # (line number, message id, value) — the caller translates the message.
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def parse_volunteer_csv(
    data: bytes,
    *,
    languages: tuple[str, ...],
    existing_emails: set[str] | frozenset[str] = frozenset(),
    existing_phones: set[str] | frozenset[str] = frozenset(),
) -> CsvResult:
    """Parse and validate every row; collect all problems rather than stopping at the first.

    Accepts UTF-8 (with or without the BOM that Excel writes) and commas or semicolons
    (Excel in Russian locales saves with semicolons).
    """
    result = CsvResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((1, "not_utf8", ""))
        return result
    if not text.strip():
        result.errors.append((1, "empty", ""))
        return result
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in KNOWN_COLUMNS]
    if missing:
        result.errors.append((1, "missing_column", ", ".join(missing)))
    if unknown:
        result.errors.append((1, "unknown_column", ", ".join(unknown)))
    if "email" not in header and "phone" not in header:
        result.errors.append((1, "need_email_or_phone_column", ""))
    if result.errors:
        return result

    seen_emails: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append((line, "too_many_rows", str(MAX_ROWS)))
            break
        if len(values) != len(header):
            result.errors.append((line, "wrong_field_count", str(len(values))))
            continue
        record = {h: v.strip() for h, v in zip(header, values, strict=True)}
        row_errors: list[tuple[int, str, str]] = []
        name = record.get("name", "")
        if not name:
            row_errors.append((line, "missing_name", ""))
        elif len(name) > 200:
            row_errors.append((line, "name_too_long", name[:40]))
        email = phone = None
        if record.get("email"):
            email = normalise_email(record["email"])
            if not email:
                row_errors.append((line, "bad_email", record["email"]))
            elif email in existing_emails:
                row_errors.append((line, "email_taken", email))
            elif email in seen_emails:
                row_errors.append((line, "email_repeated", f"{email}:{seen_emails[email]}"))
            else:
                seen_emails[email] = line
        if record.get("phone"):
            phone = normalise_phone(record["phone"])
            if not phone:
                row_errors.append((line, "bad_phone", record["phone"]))
            elif phone in existing_phones:
                row_errors.append((line, "phone_taken", phone))
            elif phone in seen_phones:
                row_errors.append((line, "phone_repeated", f"{phone}:{seen_phones[phone]}"))
            else:
                seen_phones[phone] = line
        if not record.get("email") and not record.get("phone"):
            row_errors.append((line, "missing_contact", ""))
        language = record.get("language") or None
        if language:
            language = language.lower()
            if language not in languages:
                row_errors.append((line, "bad_language", record["language"]))
        if row_errors:
            result.errors.extend(row_errors)
        else:
            result.rows.append(VolunteerRow(line, name, email, phone, language))
    if not result.rows and not result.errors:
        result.errors.append((1, "empty", ""))
    return result
