"""Local addresses of synthetic citizens, written the way each host country writes them."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peduli.demo.places import City


def _n(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


MALAY_STREETS = ("Jalan Bukit Bintang", "Jalan Ampang", "Jalan Tun Razak", "Jalan Klang Lama",
                 "Jalan Kenanga", "Jalan Mawar", "Jalan Cempaka", "Jalan Seroja", "Jalan Melati",
                 "Jalan Merdeka", "Lorong Kenari", "Jalan Perindustrian")  # fmt: skip
ESTATES = ("Sri Bukit", "Sungai Tengah", "Bukit Mas", "Tanjung Batu", "Sri Kinabatangan",
           "Segaria", "Balung", "Mostyn", "Kunak Jaya")  # fmt: skip
MALAY_AREAS = ("Taman Maju", "Taman Sri Muda", "Taman Desa", "Taman Bahagia", "Kampung Baru",
               "Taman Universiti", "Bandar Baru", "Taman Perindustrian")  # fmt: skip


def malaysian_address(rng: random.Random, city: City) -> str:
    """No. 12, Jalan Mawar 3, Taman Maju, 55100 Kuala Lumpur (or a plantation's estate)."""
    if "plantation" in city.sectors and rng.random() < 0.5:
        return (
            f"Ladang {rng.choice(ESTATES)}, Peti Surat {_n(rng, 1, 999)}, "
            f"{_n(rng, 10000, 98999)} {city.name}"
        )
    return (
        f"No. {_n(rng, 1, 250)}, {rng.choice(MALAY_STREETS)} {_n(rng, 1, 12)}, "
        f"{rng.choice(MALAY_AREAS)}, {_n(rng, 10000, 98999)} {city.name}"
    )


ARAB_STREETS = ("King Abdulaziz Rd", "Prince Sultan St", "Al Tahlia St", "Olaya St",
                "King Fahd Rd", "Al Madinah Rd", "Palestine St", "Al Rawdah St")  # fmt: skip
ARAB_DISTRICTS = ("Al Hamra", "Al Rawdah", "Al Naseem", "Al Malqa", "Al Safa", "Al Aziziyah",
                  "Al Salamah", "Al Nuzha", "Al Barsha", "Al Karama", "Al Sadd")  # fmt: skip


def gulf_address(rng: random.Random, city: City) -> str:
    """Building 1234, Prince Sultan St, Al Hamra District, Jeddah 23323."""
    return (
        f"Building {_n(rng, 1000, 9999)}, {rng.choice(ARAB_STREETS)}, "
        f"{rng.choice(ARAB_DISTRICTS)} District, {city.name} {_n(rng, 10000, 39999)}"
    )


def hong_kong_address(rng: random.Random, city: City) -> str:
    """Flat 12B, 8/F, Block 3, Sha Tin Plaza, Sha Tin."""
    return (
        f"Flat {_n(rng, 1, 30)}{rng.choice('ABCDEFGH')}, {_n(rng, 2, 45)}/F, "
        f"Block {_n(rng, 1, 12)}, {city.district} {rng.choice(('Garden', 'Plaza', 'Court'))}, "
        f"{city.district}"
    )


TAIWAN_ROADS = ("Zhongshan Rd", "Zhongzheng Rd", "Minsheng Rd", "Jianguo Rd", "Fuxing Rd",
                "Heping Rd", "Guangfu Rd", "Zhonghua Rd", "Sanmin Rd")  # fmt: skip


def taiwanese_address(rng: random.Random, city: City) -> str:
    """No. 45, Ln. 12, Sec. 2, Zhongshan Rd., Taoyuan City."""
    return (
        f"No. {_n(rng, 1, 300)}, Ln. {_n(rng, 1, 200)}, Sec. {_n(rng, 1, 5)}, "
        f"{rng.choice(TAIWAN_ROADS)}, {city.name} City"
    )


def singapore_address(rng: random.Random, city: City) -> str:
    """Blk 123 Jurong West Street 41, #08-123, Singapore 640123."""
    return (
        f"Blk {_n(rng, 1, 999)} {city.district} Street {_n(rng, 11, 92)}, "
        f"#{_n(rng, 2, 25):02d}-{_n(rng, 1, 999):03d}, Singapore {_n(rng, 100000, 829999)}"
    )


KOREAN_ROADS = ("Gongdan-ro", "Sandan-ro", "Jungang-ro", "Haean-ro", "Sejong-daero",
                "Gwangbok-ro", "Chungmu-ro", "Sinsa-ro")  # fmt: skip


def korean_address(rng: random.Random, city: City) -> str:
    """123 Gongdan-ro, Danwon-gu, Ansan-si (road-name address)."""
    return f"{_n(rng, 1, 400)} {rng.choice(KOREAN_ROADS)} {_n(rng, 1, 99)}-gil, {city.name}"


JAPANESE_WARDS = ("Chuo-ku", "Kita-ku", "Nishi-ku", "Minami-ku", "Higashi-ku", "Naka-ku")


def japanese_address(rng: random.Random, city: City) -> str:
    """2-3-12 Nishi-ku, Osaka 550-0001 (chome-banchi-go)."""
    return (
        f"{_n(rng, 1, 9)}-{_n(rng, 1, 30)}-{_n(rng, 1, 40)} {rng.choice(JAPANESE_WARDS)}, "
        f"{city.name} {_n(rng, 100, 999)}-{_n(rng, 0, 9999):04d}"
    )


WESTERN_STREETS = ("Maple Ave", "Oak St", "Park Rd", "George St", "High St", "Church Rd",
                   "Station Rd", "King St", "Victoria St", "Elm St", "Lake Rd")  # fmt: skip


def western_address(rng: random.Random, city: City) -> str:
    """1234 Maple Ave Apt 5, Los Angeles."""
    return f"{_n(rng, 1, 2400)} {rng.choice(WESTERN_STREETS)}, Apt {_n(rng, 1, 40)}, {city.name}"


DUTCH_STREETS = ("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Schoolstraat",
                 "Julianalaan", "Beatrixstraat", "Spoorstraat")  # fmt: skip


def dutch_address(rng: random.Random, city: City) -> str:
    """Kerkstraat 12, 1017 GC Amsterdam."""
    letters = f"{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
    return f"{rng.choice(DUTCH_STREETS)} {_n(rng, 1, 220)}, {_n(rng, 1000, 9999)} {letters} " \
        f"{city.name}"  # fmt: skip


def generic_address(rng: random.Random, city: City) -> str:
    """Street, number and city, for the long tail."""
    return f"{rng.choice(WESTERN_STREETS)} {_n(rng, 1, 300)}, {city.name}"
