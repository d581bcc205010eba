"""The fixed data set both servers are seeded with.

Generated from a seeded RNG rather than stored, so every run (and both servers in one run) holds the
same rows with the same ids: ids are assigned 1..N in insertion order by SQLite's INTEGER PRIMARY KEY
and by LB3's memory connector alike, so scenario requests can address rows by id.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# 20 cities: a city filter matches ~5% of the shops, so `find` sorts a few hundred rows and the
# database cannot answer from the first rows it scans
CITIES: tuple[str, ...] = (
    "San Francisco", "Seattle", "Vancouver", "Portland", "Austin", "Boston", "Chicago", "Denver",
    "Lisbon", "Prague", "Berlin", "Vienna", "Oslo", "Dublin", "Madrid", "Rome",
    "Tokyo", "Seoul", "Sydney", "Auckland",
)  # fmt: skip
_ADJECTIVES = ("Bitter", "Bold", "Velvet", "Roasted", "Golden", "Little", "Urban", "Quiet", "Blue")
_NOUNS = ("Bean", "Cup", "Grind", "Crema", "Press", "Kettle", "Brew", "Mill", "Drip", "Leaf")
_COMMENTS = ("Great espresso", "Too crowded", "Friendly staff", "Average coffee", "Will come back")
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Dataset:
    shops: int = 10_000
    reviews: int = 20_000
    reviewers: int = (
        10  # Reviewer is a User: each create hashes a password with bcrypt, so keep few
    )
    seed: int = 42

    def coffee_shops(self) -> list[dict[str, Any]]:
        rng = random.Random(f"{self.seed}:shops")
        return [
            {
                "name": f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} #{i:05d}",
                "city": CITIES[i % len(CITIES)],
            }
            for i in range(1, self.shops + 1)
        ]

    def reviewer_rows(self) -> list[dict[str, Any]]:
        return [
            {"email": f"reviewer{i}@bench.example", "password": f"bench-{i}"}
            for i in range(1, self.reviewers + 1)
        ]

    def review_rows(self) -> list[dict[str, Any]]:
        rng = random.Random(f"{self.seed}:reviews")
        return [
            {
                "date": (_EPOCH + timedelta(minutes=7 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "rating": rng.randint(1, 5),
                "comments": f"{rng.choice(_COMMENTS)} ({i})",
                "coffeeShopId": rng.randint(1, self.shops),
                "publisherId": rng.randint(1, self.reviewers),
            }
            for i in range(1, self.reviews + 1)
        ]

    def tables(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        """(model, REST path, rows) in insertion order: the rows reviews point at come first."""
        return [
            ("CoffeeShop", "CoffeeShops", self.coffee_shops()),
            ("Reviewer", "Reviewers", self.reviewer_rows()),
            ("Review", "Reviews", self.review_rows()),
        ]


def batches(rows: Sequence[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])
