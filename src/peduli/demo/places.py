"""Where synthetic citizens live abroad: countries weighted like reality, real cities with
their coordinates and ISO 3166-2 subdivision, why people are there, local addresses (in each
country's format, ``addresses``) and employers.

Weights follow the shape of Kemlu's and BP2MI's figures (Malaysia far ahead, then Saudi
Arabia, Taiwan, Hong Kong, Singapore, Japan…, a long tail of students and families in
the West, the Middle East and the rest of Asia). Cities carry the subdivision wherever a
country has several posts, so jurisdiction is decided as for a real report (Sabah →
KJRI Kota Kinabalu, Tawau → KRI Tawau, Jeddah → KJRI Jeddah, Osaka → KJRI Osaka).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from peduli.demo.addresses import (
    dutch_address,
    generic_address,
    gulf_address,
    hong_kong_address,
    japanese_address,
    korean_address,
    malaysian_address,
    singapore_address,
    taiwanese_address,
    western_address,
)

Mix = tuple[tuple[str, str | None, float], ...]  # (purpose, sector, weight)
AddressMaker = Callable[[random.Random, "City"], str]


@dataclass(frozen=True)
class City:
    """A real city (or district of a city-state) with its centre and subdivision."""

    name: str
    subdivision: str | None
    latitude: float
    longitude: float
    weight: float = 1.0
    sectors: frozenset[str] = frozenset()  # sectors concentrated here (plantations, ports)
    district: str | None = None  # the neighbourhood written in the address


@dataclass(frozen=True)
class Destination:
    """A country and the citizens in it: how many, where, why, and how they write addresses."""

    country: str
    weight: float
    mix: Mix
    cities: tuple[City, ...]
    address: AddressMaker
    company_words: tuple[str, ...]
    company_suffix: str
    household_names: tuple[str, ...] = ()
    contract_years: float = 2.0
    jitter_km: float = 6.0


def _city(name: str, sub: str | None, lat: float, lon: float, weight: float = 1.0,
          sectors: str = "", district: str | None = None) -> City:  # fmt: skip
    return City(name, sub, lat, lon, weight, frozenset(sectors.split()), district)


W = "work"
MALAYSIA_MIX: Mix = (
    (W, "plantation", 30), (W, "construction", 18), (W, "domestic_work", 16),
    (W, "manufacturing", 14), (W, "hospitality", 5), (W, "agriculture", 4), (W, "other", 3),
    ("study", None, 4), ("family", None, 5), ("tourism", None, 1),
)  # fmt: skip
GULF_MIX: Mix = (
    (W, "domestic_work", 62), (W, "hospitality", 8), (W, "healthcare", 5),
    (W, "construction", 5), (W, "other", 4), (W, "office_professional", 2),
    ("family", None, 6), ("study", None, 3), ("tourism", None, 3), ("other", None, 2),
)  # fmt: skip
HONG_KONG_MIX: Mix = (
    (W, "domestic_work", 86), (W, "caregiving", 8), ("family", None, 3), ("study", None, 1),
    ("other", None, 2),
)  # fmt: skip
TAIWAN_MIX: Mix = (
    (W, "caregiving", 40), (W, "domestic_work", 6), (W, "manufacturing", 32),
    (W, "fishing_crew", 10), (W, "agriculture", 2), ("study", None, 8), ("family", None, 2),
)  # fmt: skip
SINGAPORE_MIX: Mix = (
    (W, "domestic_work", 62), (W, "caregiving", 6), (W, "office_professional", 10),
    (W, "construction", 3), (W, "hospitality", 3), ("study", None, 8), ("family", None, 7),
    ("tourism", None, 1),
)  # fmt: skip
KOREA_MIX: Mix = (
    (W, "manufacturing", 64), (W, "fishing_crew", 16), (W, "agriculture", 5),
    (W, "construction", 3), ("study", None, 9), ("family", None, 3),
)  # fmt: skip
JAPAN_MIX: Mix = (
    (W, "caregiving", 20), (W, "manufacturing", 30), (W, "agriculture", 6),
    (W, "construction", 8), (W, "fishing_crew", 6), (W, "hospitality", 6),
    (W, "office_professional", 4), ("study", None, 15), ("family", None, 5),
)  # fmt: skip
BRUNEI_MIX: Mix = (
    (W, "domestic_work", 35), (W, "construction", 25), (W, "plantation", 8),
    (W, "hospitality", 8), (W, "office_professional", 6), ("family", None, 12),
    ("study", None, 3), ("other", None, 3),
)  # fmt: skip
WEST_MIX: Mix = (
    ("study", None, 38), ("family", None, 30), (W, "office_professional", 12),
    (W, "healthcare", 5), (W, "hospitality", 6), (W, "other", 3), ("tourism", None, 3),
    ("other", None, 3),
)  # fmt: skip
AUSTRALIA_MIX: Mix = (*WEST_MIX, (W, "agriculture", 6))
STUDENT_MIX: Mix = (
    ("study", None, 80), ("family", None, 8), (W, "other", 5), ("other", None, 7),
)  # fmt: skip
ASIA_MIX: Mix = (
    (W, "office_professional", 30), (W, "manufacturing", 10), ("study", None, 30),
    ("family", None, 20), ("other", None, 10),
)  # fmt: skip
POLAND_MIX: Mix = (
    (W, "manufacturing", 50), (W, "agriculture", 20), (W, "construction", 10),
    (W, "hospitality", 5), ("study", None, 10), ("family", None, 5),
)  # fmt: skip
PACIFIC_MIX: Mix = (
    (W, "office_professional", 30), (W, "construction", 20), (W, "other", 20),
    ("family", None, 20), ("other", None, 10),
)  # fmt: skip


ARAB_HOUSEHOLDS = (
    "Abdullah Al-Harbi", "Fahad Al-Otaibi", "Saad Al-Qahtani", "Khalid Al-Ghamdi",
    "Nasser Al-Mutairi", "Ali Al-Shehri", "Mohammed Al-Zahrani", "Omar Al-Dossari",
    "Hamad Al-Mansouri", "Rashid Al-Nuaimi", "Jassim Al-Thani", "Salem Al-Kuwari",
)  # fmt: skip
CHINESE_HOUSEHOLDS = (
    "Chan Tai Man", "Wong Siu Ming", "Lee Ka Yan", "Cheung Wai Kit", "Lau Mei Ling",
    "Ng Chi Keung", "Tan Siew Ling", "Lim Boon Heng", "Lin Chih-Hao", "Chen Mei-Hua",
    "Wang Shu-Fen", "Huang Chun-Ming",
)  # fmt: skip
MALAY_HOUSEHOLDS = ("Noraini binti Hassan", "Ahmad Faizal bin Osman", "Tan Chee Keong",
                    "Siti Rohani binti Ismail", "Rajesh Kumar", "Lim Mei Fong")  # fmt: skip
SOUTHEAST = ("Sri", "Jaya", "Maju", "Bumi", "Perkasa", "Murni", "Setia", "Gemilang", "Cahaya",
             "Permai", "Sinar", "Harapan")  # fmt: skip
CHINESE_WORDS = ("Hsin", "Yi", "Fong", "Chun", "Tai", "Hua", "Sheng", "Long", "Da", "Feng",
                 "Wing", "Kin", "Tak", "Hang", "Fook")  # fmt: skip
KOREAN_WORDS = ("Dae", "Han", "Shin", "Sung", "Il", "Jin", "Hyun", "Dong", "Woo", "Kwang")
JAPANESE_WORDS = ("Sakura", "Hoshino", "Yamato", "Fuji", "Midori", "Asahi", "Kita", "Hikari",
                  "Aoba", "Matsu")  # fmt: skip
ARAB_WORDS = ("Al Noor", "Al Safa", "Al Waha", "Al Amal", "Al Jazira", "Al Fajr", "Al Manar")
WESTERN_WORDS = ("North", "Harbor", "Lake", "Green", "Summit", "Pioneer", "Atlas", "Bright",
                 "Oak", "River", "Coastal", "Unity")  # fmt: skip

SECTOR_NOUNS = {
    "plantation": ("Plantations", "Estate", "Oil Palm"),
    "construction": ("Construction", "Builders", "Engineering"),
    "manufacturing": ("Industries", "Precision", "Electronics", "Metal", "Textile"),
    "fishing_crew": ("Fishery", "Marine", "Ocean Fishing"),
    "hospitality": ("Hotel", "Resort", "Restaurant"),
    "agriculture": ("Farm", "Agro", "Greenhouse"),
    "healthcare": ("Hospital", "Medical Centre", "Clinic"),
    "office_professional": ("Solutions", "Trading", "Consulting", "Logistics"),
    "caregiving": ("Care", "Nursing Home", "Elderly Care"),
    "domestic_work": ("Household Services",),
    "other": ("Services", "Enterprise"),
}

DESTINATIONS: tuple[Destination, ...] = (
    Destination("MY", 30, MALAYSIA_MIX, (
        _city("Kuala Lumpur", "MY-14", 3.139, 101.687, 6, "construction domestic_work hospitality"),
        _city("Shah Alam", "MY-10", 3.073, 101.518, 4, "manufacturing construction"),
        _city("Klang", "MY-10", 3.044, 101.445, 3, "manufacturing"),
        _city("Petaling Jaya", "MY-10", 3.107, 101.606, 3, "domestic_work"),
        _city("Johor Bahru", "MY-01", 1.493, 103.741, 4, "manufacturing construction"),
        _city("Batu Pahat", "MY-01", 1.855, 102.933, 1, "plantation"),
        _city("Kota Kinabalu", "MY-12", 5.980, 116.073, 2, "construction"),
        _city("Sandakan", "MY-12", 5.840, 118.117, 2, "plantation"),
        _city("Tawau", "MY-12", 4.245, 117.891, 3, "plantation"),
        _city("Lahad Datu", "MY-12", 5.030, 118.340, 3, "plantation"),
        _city("Keningau", "MY-12", 5.338, 116.160, 1, "plantation agriculture"),
        _city("Kuching", "MY-13", 1.553, 110.359, 1.5),
        _city("Miri", "MY-13", 4.399, 113.991, 1, "plantation"),
        _city("Bintulu", "MY-13", 3.171, 113.041, 1, "plantation"),
        _city("George Town", "MY-07", 5.414, 100.329, 2, "manufacturing domestic_work"),
        _city("Ipoh", "MY-08", 4.597, 101.090, 1),
        _city("Kuantan", "MY-06", 3.808, 103.326, 1, "plantation"),
        _city("Seremban", "MY-05", 2.726, 101.942, 1, "plantation"),
        _city("Melaka", "MY-04", 2.190, 102.250, 1, "hospitality"),
    ), malaysian_address, SOUTHEAST, "Sdn Bhd", MALAY_HOUSEHOLDS, 2),
    Destination("SA", 13, GULF_MIX, (
        _city("Riyadh", "SA-01", 24.713, 46.675, 5),
        _city("Jeddah", "SA-02", 21.543, 39.173, 5),
        _city("Makkah", "SA-02", 21.389, 39.858, 2, "hospitality"),
        _city("Madinah", "SA-03", 24.467, 39.611, 2, "hospitality"),
        _city("Dammam", "SA-04", 26.434, 50.103, 2),
        _city("Taif", "SA-02", 21.270, 40.416, 1),
        _city("Abha", "SA-14", 18.216, 42.505, 1),
        _city("Tabuk", "SA-07", 28.383, 36.567, 0.5),
        _city("Buraidah", "SA-05", 26.326, 43.975, 0.5),
    ), gulf_address, ARAB_WORDS, "Est.", ARAB_HOUSEHOLDS, 2),
    Destination("TW", 10, TAIWAN_MIX, (
        _city("Taipei", "TW-TPE", 25.033, 121.565, 3, "caregiving"),
        _city("New Taipei", "TW-NWT", 25.012, 121.465, 3, "caregiving manufacturing"),
        _city("Taoyuan", "TW-TAO", 24.994, 121.301, 3, "manufacturing"),
        _city("Taichung", "TW-TXG", 24.148, 120.674, 3, "manufacturing caregiving"),
        _city("Kaohsiung", "TW-KHH", 22.627, 120.301, 2, "fishing_crew manufacturing"),
        _city("Tainan", "TW-TNN", 22.999, 120.227, 2, "manufacturing"),
        _city("Hsinchu", "TW-HSZ", 24.804, 120.972, 1, "manufacturing"),
        _city("Changhua", "TW-CHA", 24.075, 120.544, 1, "manufacturing agriculture"),
        _city("Keelung", "TW-KEE", 25.128, 121.741, 1, "fishing_crew"),
        _city("Donggang", "TW-PIF", 22.466, 120.449, 1, "fishing_crew"),
        _city("Su'ao", "TW-ILA", 24.595, 121.851, 0.7, "fishing_crew"),
    ), taiwanese_address, CHINESE_WORDS, "Co., Ltd.", CHINESE_HOUSEHOLDS, 3, 4),
    Destination("HK", 7, HONG_KONG_MIX, tuple(
        _city("Hong Kong", None, lat, lon, weight, district=district)
        for district, lat, lon, weight in (
            ("Causeway Bay", 22.280, 114.184, 1), ("Wan Chai", 22.277, 114.172, 1),
            ("Sha Tin", 22.383, 114.188, 2), ("Tsuen Wan", 22.371, 114.114, 1.5),
            ("Yuen Long", 22.445, 114.022, 1.5), ("Tuen Mun", 22.391, 113.977, 1.5),
            ("Kowloon City", 22.328, 114.191, 1.5), ("Mong Kok", 22.319, 114.169, 1),
            ("Tai Po", 22.450, 114.168, 1), ("Sai Kung", 22.383, 114.270, 0.5),
        )
    ), hong_kong_address, CHINESE_WORDS, "Ltd", CHINESE_HOUSEHOLDS, 2, 1.5),
    Destination("SG", 5, SINGAPORE_MIX, tuple(
        _city("Singapore", sub, lat, lon, 1, district=district)
        for district, sub, lat, lon in (
            ("Jurong West", "SG-05", 1.340, 103.705), ("Tampines", "SG-04", 1.354, 103.945),
            ("Woodlands", "SG-03", 1.436, 103.786), ("Bukit Timah", "SG-01", 1.329, 103.802),
            ("Ang Mo Kio", "SG-02", 1.370, 103.849), ("Bedok", "SG-04", 1.324, 103.930),
            ("Punggol", "SG-02", 1.405, 103.902),
        )
    ), singapore_address, CHINESE_WORDS, "Pte Ltd", CHINESE_HOUSEHOLDS, 2, 1.5),
    Destination("JP", 5, JAPAN_MIX, (
        _city("Tokyo", "JP-13", 35.690, 139.692, 4),
        _city("Yokohama", "JP-14", 35.444, 139.638, 2, "manufacturing"),
        _city("Osaka", "JP-27", 34.694, 135.502, 3),
        _city("Nagoya", "JP-23", 35.181, 136.906, 2, "manufacturing"),
        _city("Hamamatsu", "JP-22", 34.711, 137.726, 1, "manufacturing"),
        _city("Fukuoka", "JP-40", 33.590, 130.402, 1),
        _city("Kobe", "JP-28", 34.690, 135.196, 1),
        _city("Hiroshima", "JP-34", 34.385, 132.455, 1, "manufacturing"),
        _city("Oarai", "JP-08", 36.313, 140.575, 0.6, "fishing_crew"),
        _city("Kesennuma", "JP-04", 38.908, 141.570, 0.5, "fishing_crew"),
        _city("Sapporo", "JP-01", 43.062, 141.354, 0.8, "agriculture caregiving"),
    ), japanese_address, JAPANESE_WORDS, "Co., Ltd.", (), 3),
    Destination("KR", 3, KOREA_MIX, (
        _city("Seoul", "KR-11", 37.566, 126.978, 2),
        _city("Ansan", "KR-41", 37.322, 126.831, 3, "manufacturing"),
        _city("Hwaseong", "KR-41", 37.199, 126.831, 2, "manufacturing"),
        _city("Incheon", "KR-28", 37.456, 126.705, 1.5, "manufacturing"),
        _city("Gimhae", "KR-48", 35.229, 128.889, 1.5, "manufacturing"),
        _city("Changwon", "KR-48", 35.228, 128.681, 1, "manufacturing"),
        _city("Busan", "KR-26", 35.180, 129.076, 1.5, "fishing_crew"),
        _city("Tongyeong", "KR-48", 34.854, 128.433, 1, "fishing_crew"),
        _city("Mokpo", "KR-46", 34.812, 126.392, 1, "fishing_crew"),
        _city("Cheonan", "KR-44", 36.815, 127.114, 1, "manufacturing"),
        _city("Daegu", "KR-27", 35.871, 128.601, 1, "manufacturing"),
    ), korean_address, KOREAN_WORDS, "Co., Ltd.", (), 4.8, 4),
    Destination("AE", 3, GULF_MIX, (
        _city("Dubai", "AE-DU", 25.205, 55.271, 4),
        _city("Abu Dhabi", "AE-AZ", 24.454, 54.377, 3),
        _city("Sharjah", "AE-SH", 25.346, 55.421, 2),
        _city("Al Ain", "AE-AZ", 24.207, 55.745, 1),
        _city("Ajman", "AE-AJ", 25.405, 55.513, 0.5),
    ), gulf_address, ARAB_WORDS, "LLC", ARAB_HOUSEHOLDS, 2, 4),
    Destination("US", 3, WEST_MIX, (
        _city("New York", "US-NY", 40.713, -74.006, 3),
        _city("Los Angeles", "US-CA", 34.052, -118.244, 3),
        _city("San Francisco", "US-CA", 37.775, -122.419, 1.5),
        _city("Houston", "US-TX", 29.760, -95.370, 1),
        _city("Chicago", "US-IL", 41.878, -87.630, 1),
        _city("Philadelphia", "US-PA", 39.953, -75.165, 1),
        _city("Seattle", "US-WA", 47.606, -122.332, 1),
        _city("Washington", "US-DC", 38.907, -77.037, 1),
        _city("Honolulu", "US-HI", 21.307, -157.858, 0.5),
    ), western_address, WESTERN_WORDS, "Inc.", (), 3, 5),
    Destination("AU", 3, AUSTRALIA_MIX, (
        _city("Sydney", "AU-NSW", -33.869, 151.209, 3),
        _city("Melbourne", "AU-VIC", -37.814, 144.963, 3),
        _city("Perth", "AU-WA", -31.951, 115.861, 2),
        _city("Brisbane", "AU-QLD", -27.470, 153.026, 1.5),
        _city("Darwin", "AU-NT", -12.463, 130.842, 1),
        _city("Adelaide", "AU-SA", -34.929, 138.601, 1),
        _city("Canberra", "AU-ACT", -35.281, 149.130, 0.7),
    ), western_address, WESTERN_WORDS, "Pty Ltd", (), 2, 5),
    Destination("BN", 2, BRUNEI_MIX, (
        _city("Bandar Seri Begawan", "BN-BM", 4.903, 114.940, 3),
        _city("Kuala Belait", "BN-BE", 4.583, 114.231, 1, "plantation construction"),
    ), malaysian_address, SOUTHEAST, "Sdn Bhd", MALAY_HOUSEHOLDS, 2, 4),
    Destination("QA", 1.5, GULF_MIX, (
        _city("Doha", "QA-DA", 25.286, 51.533, 4),
        _city("Al Rayyan", "QA-RA", 25.292, 51.424, 2),
        _city("Al Wakrah", "QA-WA", 25.171, 51.603, 1),
    ), gulf_address, ARAB_WORDS, "W.L.L.", ARAB_HOUSEHOLDS, 2, 3),
    Destination("NL", 1.5, WEST_MIX, (
        _city("Amsterdam", "NL-NH", 52.370, 4.895, 2),
        _city("Rotterdam", "NL-ZH", 51.924, 4.478, 1.5),
        _city("The Hague", "NL-ZH", 52.070, 4.300, 2),
        _city("Utrecht", "NL-UT", 52.091, 5.122, 1),
        _city("Leiden", "NL-ZH", 52.160, 4.497, 1),
        _city("Wageningen", "NL-GE", 51.970, 5.665, 0.7),
        _city("Groningen", "NL-GR", 53.219, 6.567, 0.5),
    ), dutch_address, WESTERN_WORDS, "B.V.", (), 2, 3),
    Destination("CN", 1.2, ASIA_MIX, (
        _city("Beijing", "CN-BJ", 39.904, 116.407, 2),
        _city("Shanghai", "CN-SH", 31.230, 121.474, 2),
        _city("Guangzhou", "CN-GD", 23.129, 113.264, 2),
        _city("Xiamen", "CN-FJ", 24.480, 118.089, 1),
    ), generic_address, CHINESE_WORDS, "Co., Ltd.", (), 2),
    Destination("DE", 0.9, WEST_MIX, (
        _city("Berlin", "DE-BE", 52.520, 13.405, 2),
        _city("Hamburg", "DE-HH", 53.551, 9.994, 1),
        _city("Frankfurt", "DE-HE", 50.110, 8.682, 1),
        _city("Munich", "DE-BY", 48.137, 11.576, 1),
    ), generic_address, WESTERN_WORDS, "GmbH", (), 2),
    Destination("KW", 0.8, GULF_MIX, (
        _city("Kuwait City", "KW-KU", 29.376, 47.977, 1),
    ), gulf_address, ARAB_WORDS, "W.L.L.", ARAB_HOUSEHOLDS, 2, 4),
    Destination("EG", 0.8, STUDENT_MIX, (
        _city("Cairo", "EG-C", 30.044, 31.236, 4), _city("Alexandria", "EG-ALX", 31.200, 29.918),
    ), generic_address, ARAB_WORDS, "Co.", (), 2),
    Destination("GB", 0.8, WEST_MIX, (
        _city("London", None, 51.507, -0.128, 3), _city("Manchester", None, 53.481, -2.243),
        _city("Birmingham", None, 52.486, -1.890),
    ), western_address, WESTERN_WORDS, "Ltd", (), 2),
    Destination("OM", 0.6, GULF_MIX, (
        _city("Muscat", "OM-MA", 23.588, 58.383, 1),
    ), gulf_address, ARAB_WORDS, "LLC", ARAB_HOUSEHOLDS, 2),
    Destination("TR", 0.5, STUDENT_MIX, (
        _city("Istanbul", "TR-34", 41.008, 28.978, 3), _city("Ankara", "TR-06", 39.933, 32.860),
    ), generic_address, WESTERN_WORDS, "Ltd. Şti.", (), 2),
    Destination("TH", 0.5, ASIA_MIX, (
        _city("Bangkok", "TH-10", 13.756, 100.502, 3), _city("Songkhla", "TH-90", 7.190, 100.595),
    ), generic_address, WESTERN_WORDS, "Co., Ltd.", (), 2),
    Destination("CA", 0.5, WEST_MIX, (
        _city("Toronto", "CA-ON", 43.653, -79.383, 2),
        _city("Vancouver", "CA-BC", 49.283, -123.121),
    ), western_address, WESTERN_WORDS, "Inc.", (), 2),
    Destination("PH", 0.4, ASIA_MIX, (
        _city("Manila", None, 14.600, 120.984, 2), _city("Davao", None, 7.190, 125.455),
    ), generic_address, WESTERN_WORDS, "Inc.", (), 2),
    Destination("PL", 0.4, POLAND_MIX, (
        _city("Warsaw", "PL-14", 52.230, 21.012, 1), _city("Wroclaw", "PL-02", 51.108, 17.039),
    ), generic_address, WESTERN_WORDS, "Sp. z o.o.", (), 2),
    Destination("NZ", 0.4, WEST_MIX, (
        _city("Auckland", "NZ-AUK", -36.848, 174.763, 2),
        _city("Wellington", "NZ-WGN", -41.286, 174.776),
    ), western_address, WESTERN_WORDS, "Ltd", (), 2),
    Destination("MO", 0.4, HONG_KONG_MIX, (
        _city("Macau", None, 22.199, 113.544, 1, district="Macau"),
    ), hong_kong_address, CHINESE_WORDS, "Lda", CHINESE_HOUSEHOLDS, 2, 1),
    Destination("BH", 0.3, GULF_MIX, (
        _city("Manama", "BH-13", 26.228, 50.586, 1),
    ), gulf_address, ARAB_WORDS, "W.L.L.", ARAB_HOUSEHOLDS, 2, 3),
    Destination("JO", 0.3, (*STUDENT_MIX, (W, "domestic_work", 20)), (
        _city("Amman", "JO-AM", 31.954, 35.911, 1),
    ), gulf_address, ARAB_WORDS, "Co.", ARAB_HOUSEHOLDS, 2),
    Destination("VN", 0.3, ASIA_MIX, (
        _city("Ho Chi Minh City", "VN-SG", 10.823, 106.630, 2),
        _city("Hanoi", "VN-HN", 21.028, 105.854),
    ), generic_address, WESTERN_WORDS, "Co., Ltd.", (), 2),
    Destination("FR", 0.3, WEST_MIX, (
        _city("Paris", "FR-75C", 48.857, 2.352, 2), _city("Marseille", "FR-13", 43.297, 5.370),
    ), generic_address, WESTERN_WORDS, "SARL", (), 2),
    Destination("IT", 0.3, WEST_MIX, (
        _city("Rome", "IT-RM", 41.903, 12.496, 1),
    ), generic_address, WESTERN_WORDS, "S.r.l.", (), 2),
    Destination("TL", 0.3, PACIFIC_MIX, (
        _city("Dili", "TL-DI", -8.556, 125.560, 1),
    ), generic_address, SOUTHEAST, "Lda", (), 2, 3),
    Destination("IN", 0.2, STUDENT_MIX, (
        _city("New Delhi", "IN-DL", 28.614, 77.209, 1), _city("Mumbai", "IN-MH", 19.076, 72.878),
    ), generic_address, WESTERN_WORDS, "Pvt Ltd", (), 2),
    Destination("SD", 0.2, STUDENT_MIX, (
        _city("Khartoum", None, 15.501, 32.560, 1),
    ), generic_address, ARAB_WORDS, "Co.", (), 2),
    Destination("YE", 0.2, STUDENT_MIX, (
        _city("Tarim", None, 16.057, 48.998, 2), _city("Sana'a", None, 15.369, 44.191),
    ), generic_address, ARAB_WORDS, "Co.", (), 2),
    Destination("PG", 0.2, PACIFIC_MIX, (
        _city("Port Moresby", None, -9.443, 147.180, 1),
    ), generic_address, WESTERN_WORDS, "Ltd", (), 2),
    Destination("CH", 0.2, WEST_MIX, (
        _city("Geneva", "CH-GE", 46.204, 6.143, 1), _city("Zurich", "CH-ZH", 47.377, 8.540),
    ), generic_address, WESTERN_WORDS, "AG", (), 2),
    Destination("RU", 0.2, STUDENT_MIX, (
        _city("Moscow", None, 55.756, 37.617, 1),
    ), generic_address, WESTERN_WORDS, "OOO", (), 2),
)  # fmt: skip
