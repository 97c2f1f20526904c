"""Indonesian names with their real variety, for synthetic citizens.

Each home region has its naming traditions: Javanese single names (Sutrisno, Suharti),
Sundanese (Asep, Euis), Batak given name + marga, Minang, Bugis (Andi, Daeng), Balinese
birth-order names (I Wayan, Ni Made), Sasak (Lalu, Baiq), Chinese-Indonesian, Christian
names of the east, and the Muslim forms everywhere (Muhammad/Moh./M., Siti, bin/binti).
People born before the 1972 spelling reform often keep the old spelling (Soekarno, Djoko,
Jusuf). Faker's ``id_ID`` lists widen the Javanese pools; everything is drawn from
tuples built once, so a million names take seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faker.providers.person.id_ID import Provider as FakerNames

MUHAMMAD_FORMS = ("Muhammad", "Muhamad", "Mohammad", "Mohamad", "Moh.", "M.", "Mochamad", "Muh.")
MUHAMMAD_WEIGHTS = (40, 12, 10, 8, 12, 10, 5, 3)

ISLAMIC_MALE = (
    "Ahmad", "Abdul Rahman", "Abdullah", "Yusuf", "Ridwan", "Rizki", "Fauzi", "Hasan", "Husein",
    "Ibrahim", "Ismail", "Ilham", "Hidayat", "Arif", "Syaiful", "Imam", "Zainal", "Fajar",
    "Hamzah", "Farhan", "Fikri", "Hafiz", "Lukman", "Anwar", "Mahmud", "Iqbal", "Syamsul",
    "Khoirul", "Mustofa", "Sholeh", "Ali", "Umar", "Usman", "Sulaiman", "Zulkifli", "Rahmat",
    "Amin", "Aziz", "Kholil", "Rohman", "Rozak", "Idris", "Ansori", "Jamaludin", "Nasrullah",
    "Syarifuddin", "Ikhsan", "Habib", "Nur Cholis", "Abdul Ghofur",
)  # fmt: skip
ISLAMIC_FEMALE = (
    "Aminah", "Aisyah", "Fatimah", "Khadijah", "Maryam", "Zainab", "Nurhayati", "Nurul Hidayah",
    "Rohmah", "Khoiriyah", "Masruroh", "Munawaroh", "Umi Kalsum", "Halimah", "Sholihah",
    "Maisaroh", "Zulaikha", "Rahmawati", "Hasanah", "Jamilah", "Salamah", "Latifah", "Mardiyah",
    "Nadia", "Nabila", "Azizah", "Syarifah", "Annisa", "Ulfa", "Laila", "Nur Aini", "Maemunah",
)  # fmt: skip
JAVANESE_MALE = (
    "Sutrisno", "Sugiyono", "Slamet", "Paimin", "Suparman", "Sumarno", "Suyanto", "Bambang",
    "Joko", "Budi", "Agus", "Eko", "Dwi", "Tri", "Purwanto", "Mulyono", "Supriyadi", "Wahyu",
    "Heru", "Teguh", "Bagus", "Adi", "Rudi", "Hendro", "Yanto", "Widodo", "Sukirno", "Darmaji",
    "Wagimin", "Tukiman", "Sarno", "Ponijan", "Kasiyo", "Karyono", "Prayitno", "Setyo", "Yudi",
    "Sugeng", "Suroso", "Sujarwo", "Cahyo", "Sunarto", "Mujiono", "Warsito", "Sarwono",
)  # fmt: skip
JAVANESE_FEMALE = (
    "Suharti", "Sumarni", "Sri", "Sulastri", "Suyatmi", "Sumiyati", "Tukiyem", "Wagiyem", "Parmi",
    "Painem", "Sutarni", "Endang", "Rini", "Yuli", "Tutik", "Wulandari", "Kartini", "Ani",
    "Dwi", "Tri", "Eka", "Puji", "Wahyuni", "Suprapti", "Murniati", "Rukmini", "Sunarsih",
    "Surtini", "Tumini", "Darsih", "Ningsih", "Ratna", "Retno", "Wiji", "Sugiarti", "Indah",
    "Dewi", "Ayu", "Sri Wahyuni", "Siti Muyasaroh", "Juwariyah", "Yatmi", "Sukini", "Suryani",
)  # fmt: skip
JAVANESE_LAST_MALE = (
    "Santoso", "Susilo", "Prasetyo", "Setiawan", "Wibowo", "Nugroho", "Purnomo", "Handoko",
    "Hartono", "Kurniawan", "Saputra", "Widodo", "Utomo", "Wahyudi", "Suryono", "Haryanto",
    "Pratama", "Hidayat", "Sutrisno", "Riyanto", "Cahyono", "Firmansyah",
)  # fmt: skip
JAVANESE_LAST_FEMALE = (
    "Lestari", "Wahyuningsih", "Rahayu", "Purwanti", "Wulandari", "Susanti", "Handayani",
    "Astuti", "Ningsih", "Kusumawati", "Setyowati", "Sulistyowati", "Rahmawati", "Puspitasari",
)  # fmt: skip
SUNDANESE_MALE = (
    "Asep", "Ujang", "Cecep", "Dede", "Deden", "Dadang", "Tatang", "Ade", "Aan", "Iwan", "Yayan",
    "Engkos", "Entis", "Jajang", "Oman", "Encep", "Dadan", "Ayi", "Wawan", "Jaja", "Ajat",
    "Dudi", "Iip", "Odang", "Agus", "Ruhiyat", "Yaya", "Nanang",
)  # fmt: skip
SUNDANESE_FEMALE = (
    "Euis", "Neneng", "Iis", "Yayah", "Entin", "Enok", "Nining", "Cucu", "Eem", "Ipah", "Ai",
    "Imas", "Enung", "Titin", "Tuti", "Yeyen", "Lilis", "Nenden", "Rina", "Dewi", "Neng",
    "Popon", "Elis", "Ela", "Nani", "Lia", "Siti", "Cicih", "Oom",
)  # fmt: skip
SUNDANESE_LAST_MALE = (
    "Saepudin", "Sunarya", "Permana", "Hidayat", "Mulyana", "Suryana", "Supriatna", "Kusnadi",
    "Rohendi", "Sopyan", "Firmansyah", "Nugraha", "Gunawan", "Hermawan", "Setiadi", "Ruhimat",
)  # fmt: skip
SUNDANESE_LAST_FEMALE = (
    "Kurniasih", "Nurhayati", "Rahmawati", "Sopiah", "Komalasari", "Maryati", "Nurjanah",
    "Hasanah", "Rosita", "Sumiati", "Fitriani", "Mulyati", "Sukaesih", "Rohayati",
)  # fmt: skip
BATAK_MALE = (
    "Togar", "Horas", "Parulian", "Martua", "Poltak", "Binsar", "Jonggi", "Maruli", "Hotman",
    "Ronald", "Rudolf", "Jhonson", "Sahat", "Tumpal", "Bonar", "Freddy", "Lambok", "Manahan",
    "Saut", "Pardamean", "Ruben", "Daniel", "Hasiholan", "Tigor",
)  # fmt: skip
BATAK_FEMALE = (
    "Tiurma", "Rosmawati", "Sondang", "Lasma", "Duma", "Rosdiana", "Tiurlan", "Nurmala", "Erna",
    "Rotua", "Nova", "Lamria", "Hotnida", "Masniari", "Rumondang", "Friska", "Yolanda", "Debora",
)  # fmt: skip
BATAK_MARGA = (
    "Siregar", "Simanjuntak", "Nainggolan", "Hutapea", "Sitompul", "Panjaitan", "Sinaga",
    "Situmorang", "Simatupang", "Hutagalung", "Pardede", "Silalahi", "Manurung", "Sihombing",
    "Tambunan", "Ginting", "Sembiring", "Tarigan", "Napitupulu", "Siahaan", "Lumbantobing",
    "Pasaribu", "Hutabarat", "Samosir", "Sianturi", "Marpaung", "Gultom", "Purba", "Saragih",
)  # fmt: skip
MANDAILING_MARGA = ("Nasution", "Lubis", "Harahap", "Hasibuan", "Daulay", "Pulungan", "Rangkuti")
MINANG_MALE = (
    "Rahmat", "Yusrizal", "Syafrizal", "Afrizal", "Zulkifli", "Nofrizal", "Hendri", "Efendi",
    "Syafri", "Yendri", "Jufri", "Rusli", "Erizal", "Dasril", "Zulfadli", "Yulizar", "Asril",
    "Masrul", "Irwandi", "Budiman", "Rizal", "Hanif", "Fadli", "Ikhsan", "Ridho", "Sutan",
)  # fmt: skip
MINANG_FEMALE = (
    "Fitri", "Yeni", "Yelni", "Ermawati", "Desmaniar", "Yosmarni", "Elfira", "Rahmi", "Yulia",
    "Rini", "Nurhasni", "Asmaniar", "Yusnidar", "Mardiana", "Novita", "Reni", "Yusra", "Delvi",
    "Mega", "Silvia",
)  # fmt: skip
MINANG_SECOND_MALE = ("Putra", "Saputra", "Hidayat", "Syahputra", "Effendi", "Chaniago", "Piliang")
MINANG_SECOND_FEMALE = ("Putri", "Rahmi", "Yanti", "Wati", "Yulianti", "Sari", "Fitriani")
BUGIS_MALE = (
    "Syamsuddin", "Hasanuddin", "Nurdin", "Baso", "Sudirman", "Arifin", "Rusdi", "Jamaluddin",
    "Haeruddin", "Syahrir", "Mappiasse", "Ambo", "Muhlis", "Amiruddin", "Abdul Rahim",
    "Burhanuddin", "Alimuddin", "Sahabuddin", "Kamaruddin", "Mustari", "Rustam", "Tenri",
)  # fmt: skip
BUGIS_FEMALE = (
    "Jumriah", "Hasnah", "Sitti Rahma", "Becce", "Nurhaedah", "Hasmawati", "Nurmiati", "Nurlina",
    "Hadijah", "Sitti Aisyah", "Rahmatia", "Nurjannah", "Kasmawati", "Irmawati", "Sukmawati",
    "Hasniati", "Tenri Ajeng", "Sitti Nurbaya",
)  # fmt: skip
DAENG = ("Ngalle", "Tompo", "Sikki", "Bella", "Nai", "Ngawing", "Rannu", "Sila", "Lalang")
SASAK_MALE = (
    "Saharudin", "Munawir", "Sahnan", "Suparman", "Hamdani", "Zulkarnain", "Sahrul", "Mahrup",
    "Hairul", "Rusdi", "Junaidi", "Sapri", "Marzuki", "Zohri", "Lalu Agus", "Amrullah",
)  # fmt: skip
SASAK_FEMALE = (
    "Nurhasanah", "Hairunnisa", "Nurul Hidayah", "Sumiati", "Sahnun", "Rukmini", "Mahnun",
    "Hartini", "Saenab", "Marni", "Sri Wahyuni", "Rohani", "Mariani", "Rabiah", "Sahmini",
)  # fmt: skip
BALI_ORDER_MALE = (("Wayan", "Putu", "Gede"), ("Made", "Kadek", "Nengah"), ("Nyoman", "Komang"))
BALI_ORDER_FEMALE = (("Wayan", "Putu", "Luh"), ("Made", "Kadek"), ("Nyoman", "Komang"))
BALI_MALE = (
    "Sudarsana", "Suartika", "Artawan", "Budiasa", "Wirawan", "Sukadana", "Arsana", "Suarjana",
    "Mertayasa", "Darmawan", "Adnyana", "Sutama", "Widana", "Suparta", "Parwata", "Sukarta",
    "Astawa", "Yasa", "Wiguna", "Dharma Putra", "Eka Saputra",
)  # fmt: skip
BALI_FEMALE = (
    "Widiastuti", "Sri Ayu Lestari", "Kartika Dewi", "Ayu Puspitasari", "Sukerti", "Suartini",
    "Sariasih", "Mariani", "Wirastini", "Sudiani", "Arini", "Dewi Anggreni", "Ariani", "Sumerti",
)  # fmt: skip
CHINESE_MALE = (
    "Budi", "Hendra", "Kevin", "Steven", "Michael", "Andreas", "Hendrik", "Yohanes", "William",
    "Jonathan", "Felix", "Ricky", "Rudy", "Sugianto", "Jimmy", "Eddy", "Sutanto", "Suwandi",
    "Tjandra", "Djohan",
)  # fmt: skip
CHINESE_FEMALE = (
    "Lily", "Jessica", "Felicia", "Christine", "Jennifer", "Melinda", "Susanti", "Lanny", "Yenny",
    "Meiliana", "Stephanie", "Angela", "Veronica", "Linda", "Sherly", "Cindy", "Evelyn", "Fenny",
)  # fmt: skip
CHINESE_SURNAMES = (
    "Santoso", "Gunawan", "Wijaya", "Halim", "Tanoto", "Kurniawan", "Setiawan", "Salim",
    "Tanujaya", "Hartono", "Susanto", "Kusuma", "Tanuwijaya", "Sutanto", "Lim", "Tan", "Gozali",
    "Hadinata", "Wibisono", "Tjahjadi", "Widjaja", "Liem", "Kwee",
)  # fmt: skip
CHINESE_CLANS = ("Tan", "Lim", "Liem", "Oey", "Kwee", "Ong", "Go", "The", "Tjoa", "Lie", "Ang")
CHINESE_SYLLABLES = (
    "Siu", "Swie", "Hong", "Lian", "King", "Hok", "Djie", "Tjie", "Hoei", "Bing", "Kiat", "Mei",
    "Hwa", "Ling", "Lan", "Giok", "Tjoen", "Sian", "Kim", "Liang",
)  # fmt: skip
CHRISTIAN_MALE = (
    "Yohanes", "Yosef", "Fransiskus", "Agustinus", "Stefanus", "Petrus", "Paulus", "Antonius",
    "Mikael", "Kristoforus", "Yakobus", "Markus", "Lukas", "Matius", "Aloysius", "Hendrikus",
    "Bernardus", "Gregorius", "Siprianus", "Dominikus", "Yulius", "Marten", "Yunus", "Frans",
    "Herman", "Simon", "Yance", "Melki",
)  # fmt: skip
CHRISTIAN_FEMALE = (
    "Maria", "Veronika", "Yosefina", "Elisabeth", "Margaretha", "Theresia", "Agustina", "Yuliana",
    "Florentina", "Katarina", "Magdalena", "Anastasia", "Fransiska", "Sisilia", "Skolastika",
    "Regina", "Oktaviana", "Yohana", "Martha", "Debora", "Ester", "Mariana", "Selvi", "Meiske",
)  # fmt: skip
NTT_SURNAMES = (
    "Manek", "Seran", "Bria", "Nahak", "Tefa", "Lobo", "Fernandez", "da Costa", "Parera", "Wake",
    "Ndun", "Bani", "Nenobais", "Kolo", "Sogen", "Making", "Kelen", "Bataona", "Ndolu", "Riwu",
)  # fmt: skip
MINAHASA_SURNAMES = (
    "Lumintang", "Wowor", "Sumual", "Pangemanan", "Rumengan", "Tumbelaka", "Sondakh", "Pelealu",
    "Kalalo", "Mandagi", "Rondonuwu", "Runtuwene", "Lengkong",
)  # fmt: skip
MALUKU_SURNAMES = (
    "Pattiasina", "Tuhumury", "Sahetapy", "Leiwakabessy", "Matulessy", "Latupeirissa", "Soumokil",
)  # fmt: skip
PAPUA_SURNAMES = (
    "Wenda", "Kogoya", "Mandowen", "Rumbiak", "Yoku", "Wanggai", "Karubaba", "Kaisiepo",
    "Rumaropen", "Womsiwor",
)  # fmt: skip

FAKER_MALE = tuple(FakerNames.first_names_male)
FAKER_FEMALE = tuple(FakerNames.first_names_female)
FAKER_LAST_MALE = tuple(FakerNames.last_names_male)
FAKER_LAST_FEMALE = tuple(FakerNames.last_names_female)

NameMaker = Callable[[random.Random, str, int], str]
"""Makes a full name from a random source, the sex (M/F) and the year of birth."""


def old_spelling(word: str) -> str:
    """Write a word as before the 1972 reform: Yusuf → Joesoef, Cahyo → Tjahjo, Joko → Djoko."""
    for new, old in (("j", "dj"), ("y", "j"), ("c", "tj"), ("u", "oe")):
        word = word.replace(new, old).replace(new.upper(), old.capitalize())
    return word


def _old_spelling_chance(born: int) -> float:
    return 0.35 if born < 1975 else 0.12 if born < 1985 else 0.03


def _maybe_old(rng: random.Random, name: str, born: int) -> str:
    if rng.random() >= _old_spelling_chance(born):
        return name
    words = name.split(" ")
    index = rng.randrange(len(words))
    if not words[index].endswith("."):
        words[index] = old_spelling(words[index])
    return " ".join(words)


@dataclass(frozen=True)
class Style:
    """A naming tradition: given names, optional family names or marga, Islamic forms."""

    male: Sequence[str]
    female: Sequence[str]
    last_male: Sequence[str] = ()
    last_female: Sequence[str] = ()
    single_name: float = 0.0  # share of people with one name only
    islamic: float = 0.0  # share using Muhammad/Siti forms and bin/binti
    old_spelling: bool = False
    prefix_male: tuple[str, float] | None = None  # e.g. ("Andi", 0.15)
    prefix_female: tuple[str, float] | None = None

    def __call__(self, rng: random.Random, sex: str, born: int) -> str:
        female = sex == "F"
        parts = [rng.choice(self.female if female else self.male)]
        islamic = rng.random() < self.islamic
        if islamic:
            parts = _islamic_given(rng, female, parts)
        prefix = self.prefix_female if female else self.prefix_male
        if prefix and rng.random() < prefix[1]:
            parts.insert(0, prefix[0])
        family = self.last_female if female and self.last_female else self.last_male
        single = self.single_name + (0.25 if born < 1980 else 0.0)
        if family and rng.random() >= single:
            parts.append(rng.choice(family))
        if islamic and rng.random() < 0.07:
            parts += ["binti" if female else "bin", _father(rng)]
        name = " ".join(parts)
        return _maybe_old(rng, name, born) if self.old_spelling else name


def _islamic_given(rng: random.Random, female: bool, parts: list[str]) -> list[str]:
    if female:
        lead = rng.choices(("Siti", "Nur", ""), weights=(30, 10, 60))[0]
        given = rng.choice(ISLAMIC_FEMALE) if rng.random() < 0.6 else parts[0]
        return [lead, given] if lead and not given.startswith(("Nur", "Sit")) else [given]
    if rng.random() < 0.45:
        form = rng.choices(MUHAMMAD_FORMS, weights=MUHAMMAD_WEIGHTS)[0]
        return [form, rng.choice(ISLAMIC_MALE if rng.random() < 0.6 else (parts[0],))]
    return [rng.choice(ISLAMIC_MALE)] if rng.random() < 0.5 else parts


def _father(rng: random.Random) -> str:
    return rng.choice(ISLAMIC_MALE).split(" ")[-1]


def balinese(rng: random.Random, sex: str, born: int) -> str:
    """I Wayan Sudarsana, Ni Made Widiastuti, Ida Bagus …, I Gusti Ayu …"""
    female = sex == "F"
    caste = rng.random()
    if caste < 0.08:
        lead = "Ida Ayu" if female else "Ida Bagus"
    elif caste < 0.15:
        lead = "I Gusti Ayu" if female else "I Gusti Ngurah"
    else:
        order = rng.choice(BALI_ORDER_FEMALE if female else BALI_ORDER_MALE)
        title = "Ni" if female else "I"
        lead = f"{title} {rng.choice(order)}" if rng.random() < 0.85 else f"{title} Ketut"
    return f"{lead} {rng.choice(BALI_FEMALE if female else BALI_MALE)}"


def chinese_indonesian(rng: random.Random, sex: str, born: int) -> str:
    """Budi Santoso, Jessica Tanoto, or the older Tan Siu Lan / Liem Swie King."""
    if born < 1970 and rng.random() < 0.4:
        clan = rng.choice(CHINESE_CLANS)
        return f"{clan} {rng.choice(CHINESE_SYLLABLES)} {rng.choice(CHINESE_SYLLABLES)}"
    given = rng.choice(CHINESE_FEMALE if sex == "F" else CHINESE_MALE)
    return f"{given} {rng.choice(CHINESE_SURNAMES)}"


def christian(surnames: Sequence[str]) -> NameMaker:
    """Baptismal names with the family names of one region (NTT, Minahasa, Maluku, Papua)."""

    def make(rng: random.Random, sex: str, born: int) -> str:
        pool = CHRISTIAN_FEMALE if sex == "F" else CHRISTIAN_MALE
        given = rng.choice(pool)
        if rng.random() < 0.25:
            given = f"{given} {rng.choice(pool)}"
        return f"{given} {rng.choice(surnames)}"

    return make


def batak(rng: random.Random, sex: str, born: int) -> str:
    """Given name and marga: Togar Simanjuntak; Mandailing Muslims: Ahmad Nasution."""
    if rng.random() < 0.3:
        given = rng.choice(ISLAMIC_FEMALE if sex == "F" else ISLAMIC_MALE)
        return f"{given} {rng.choice(MANDAILING_MARGA)}"
    given = rng.choice(BATAK_FEMALE if sex == "F" else BATAK_MALE)
    return f"{given} {rng.choice(BATAK_MARGA)}"


def bugis(rng: random.Random, sex: str, born: int) -> str:
    """Andi for nobility, single names, Muh./Sitti forms, Daeng names for Makassar men."""
    name = MUSLIM(rng, sex, born) if rng.random() < 0.3 else BUGIS_STYLE(rng, sex, born)
    if sex == "M" and rng.random() < 0.1:
        name = f"{name} Daeng {rng.choice(DAENG)}"
    return name


JAVANESE = Style(
    male=JAVANESE_MALE + FAKER_MALE,
    female=JAVANESE_FEMALE + FAKER_FEMALE,
    last_male=JAVANESE_LAST_MALE + FAKER_LAST_MALE,
    last_female=JAVANESE_LAST_FEMALE + FAKER_LAST_FEMALE,
    single_name=0.2,
    islamic=0.25,
    old_spelling=True,
)
SUNDANESE = Style(
    male=SUNDANESE_MALE,
    female=SUNDANESE_FEMALE,
    last_male=SUNDANESE_LAST_MALE,
    last_female=SUNDANESE_LAST_FEMALE,
    single_name=0.1,
    islamic=0.3,
    old_spelling=True,
)
MUSLIM = Style(
    male=ISLAMIC_MALE,
    female=ISLAMIC_FEMALE,
    last_male=JAVANESE_LAST_MALE + SUNDANESE_LAST_MALE,
    last_female=JAVANESE_LAST_FEMALE,
    single_name=0.25,
    islamic=0.8,
    old_spelling=True,
)
ACEHNESE = Style(
    male=ISLAMIC_MALE,
    female=ISLAMIC_FEMALE,
    last_male=ISLAMIC_MALE,
    single_name=0.3,
    islamic=0.8,
    prefix_male=("Teuku", 0.08),
    prefix_female=("Cut", 0.08),
)
MINANG = Style(
    male=MINANG_MALE,
    female=MINANG_FEMALE,
    last_male=MINANG_SECOND_MALE,
    last_female=MINANG_SECOND_FEMALE,
    single_name=0.15,
    islamic=0.25,
)
BUGIS_STYLE = Style(
    male=BUGIS_MALE,
    female=BUGIS_FEMALE,
    last_male=BUGIS_MALE,
    last_female=BUGIS_FEMALE,
    single_name=0.45,
    prefix_male=("Andi", 0.15),
    prefix_female=("Andi", 0.12),
)
SASAK = Style(
    male=SASAK_MALE,
    female=SASAK_FEMALE,
    last_male=ISLAMIC_MALE,
    last_female=ISLAMIC_FEMALE,
    single_name=0.4,
    islamic=0.35,
    prefix_male=("Lalu", 0.1),
    prefix_female=("Baiq", 0.1),
)
