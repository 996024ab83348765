"""Kazakhstan's regions as of 2026: 17 regions and the 3 cities of republican significance.

A fixed list so that reports group by one spelling, never by free text. The stored
value is the English name (what hubs and logged lessons already hold), so earlier rows,
CSV exports and report grouping stay as they were; screens show `name(value, language)`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    value: str  # stored in hubs.region and lesson_deliveries.region
    kk: str
    ru: str
    is_city: bool = False

    @property
    def en(self) -> str:
        return self.value


REGIONS: tuple[Region, ...] = (
    Region("Astana", "Астана", "Астана", is_city=True),
    Region("Almaty", "Алматы", "Алматы", is_city=True),
    Region("Shymkent", "Шымкент", "Шымкент", is_city=True),
    Region("Abai region", "Абай облысы", "Абайская область"),
    Region("Akmola region", "Ақмола облысы", "Акмолинская область"),
    Region("Aktobe region", "Ақтөбе облысы", "Актюбинская область"),
    Region("Almaty region", "Алматы облысы", "Алматинская область"),
    Region("Atyrau region", "Атырау облысы", "Атырауская область"),
    Region("East Kazakhstan region", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    Region("Jambyl region", "Жамбыл облысы", "Жамбылская область"),
    Region("Jetisu region", "Жетісу облысы", "Жетысуская область"),
    Region("Karaganda region", "Қарағанды облысы", "Карагандинская область"),
    Region("Kostanay region", "Қостанай облысы", "Костанайская область"),
    Region("Kyzylorda region", "Қызылорда облысы", "Кызылординская область"),
    Region("Mangystau region", "Маңғыстау облысы", "Мангистауская область"),
    Region("North Kazakhstan region", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    Region("Pavlodar region", "Павлодар облысы", "Павлодарская область"),
    Region("Turkistan region", "Түркістан облысы", "Туркестанская область"),
    Region("Ulytau region", "Ұлытау облысы", "Улытауская область"),
    Region("West Kazakhstan region", "Батыс Қазақстан облысы", "Западно-Казахстанская область"),
)
_BY_VALUE = {r.value: r for r in REGIONS}


def is_region(value: str | None) -> bool:
    return value in _BY_VALUE


def name(value: str | None, language: str) -> str:
    """The region's name in `language`; a value not on the list (typed before the list
    existed) is shown as stored."""
    region = _BY_VALUE.get(value or "")
    if region is None:
        return value or ""
    return getattr(region, language, None) or region.value


def choices(language: str, keep: str | None = None) -> list[tuple[str, str]]:
    """(value, name) for a select: cities first, then regions in the reader's alphabet.

    `keep`: a stored value not on the list, offered as it is so that editing something
    else does not silently drop it.
    """
    cities = [r for r in REGIONS if r.is_city]
    regions = sorted((r for r in REGIONS if not r.is_city), key=lambda r: name(r.value, language).casefold())
    result = [(r.value, name(r.value, language)) for r in (*cities, *regions)]
    if keep and not is_region(keep):
        result.append((keep, keep))
    return result
