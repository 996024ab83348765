"""Which language of a course text to show: the learner's, else the next in a fallback chain.

A Kazakh reader whose course has no Kazakh version reads Russian before English, because
most volunteers in Kazakhstan read both. The chain is configuration (CONTENT_FALLBACK).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

DEFAULT_FALLBACK: dict[str, tuple[str, ...]] = {"kk": ("ru", "en"), "ru": ("en",), "en": ()}


def language_chain(wanted: str, fallback: Mapping[str, Iterable[str]] | None = None) -> tuple[str, ...]:
    """The languages to try, best first: `wanted`, then its fallbacks (no repeats)."""
    fallback = DEFAULT_FALLBACK if fallback is None else fallback
    chain: list[str] = []
    for language in (wanted, *fallback.get(wanted, ())):
        if language and language not in chain:
            chain.append(language)
    return tuple(chain)


def pick_language(available: Iterable[str], wanted: str, default: str,
                  fallback: Mapping[str, Iterable[str]] | None = None) -> str:
    """The first language of the chain that a text exists in; the text's default otherwise."""
    available = set(available)
    for language in language_chain(wanted, fallback):
        if language in available:
            return language
    return default
