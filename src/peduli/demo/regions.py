"""Where synthetic citizens come from: provinces weighted like the migrant flows, their
regencies (Kemendagri codes, digits 3–4 of a NIK) and the names people there carry.

Java, Nusa Tenggara Barat, Lampung, Nusa Tenggara Timur and North Sumatra send most of the
migrant workers (BP2MI placement statistics); Jakarta and the big cities most students and
professionals. The province codes are checked against the country profile by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from peduli.demo import names
from peduli.demo.names import NameMaker


@dataclass(frozen=True)
class Region:
    """A province: its share of citizens abroad, regencies and naming traditions."""

    province: str
    weight: float
    regencies: tuple[tuple[int, str], ...]  # (regency code, name); 71+ are cities (kota)
    styles: tuple[tuple[NameMaker, float], ...]


JAVA_CENTRAL = ((names.JAVANESE, 75), (names.MUSLIM, 20), (names.chinese_indonesian, 3))
NTT = names.christian(names.NTT_SURNAMES)

REGIONS: tuple[Region, ...] = (
    Region("35", 17, (
        (1, "Pacitan"), (2, "Ponorogo"), (3, "Trenggalek"), (4, "Tulungagung"), (5, "Blitar"),
        (6, "Kediri"), (7, "Malang"), (9, "Jember"), (10, "Banyuwangi"), (18, "Nganjuk"),
        (19, "Madiun"), (20, "Magetan"), (22, "Bojonegoro"), (24, "Lamongan"), (26, "Bangkalan"),
        (28, "Pamekasan"), (29, "Sumenep"), (78, "Surabaya"), (73, "Malang"),
    ), ((names.JAVANESE, 65), (names.MUSLIM, 32), (names.chinese_indonesian, 3))),
    Region("33", 15, (
        (1, "Cilacap"), (2, "Banyumas"), (5, "Kebumen"), (6, "Purworejo"), (9, "Boyolali"),
        (12, "Wonogiri"), (14, "Sragen"), (15, "Grobogan"), (18, "Pati"), (20, "Jepara"),
        (24, "Kendal"), (28, "Tegal"), (29, "Brebes"), (72, "Surakarta"), (74, "Semarang"),
    ), JAVA_CENTRAL),
    Region("32", 14, (
        (1, "Bogor"), (2, "Sukabumi"), (3, "Cianjur"), (4, "Bandung"), (5, "Garut"),
        (6, "Tasikmalaya"), (9, "Cirebon"), (10, "Majalengka"), (12, "Indramayu"),
        (13, "Subang"), (15, "Karawang"), (73, "Bandung"), (76, "Depok"),
    ), ((names.SUNDANESE, 75), (names.MUSLIM, 22), (names.chinese_indonesian, 3))),
    Region("52", 9, (
        (1, "Lombok Barat"), (2, "Lombok Tengah"), (3, "Lombok Timur"), (4, "Sumbawa"),
        (6, "Bima"), (8, "Lombok Utara"), (71, "Mataram"),
    ), ((names.SASAK, 70), (names.MUSLIM, 30))),
    Region("31", 6, (
        (71, "Jakarta Selatan"), (72, "Jakarta Timur"), (73, "Jakarta Pusat"),
        (74, "Jakarta Barat"), (75, "Jakarta Utara"),
    ), (
        (names.JAVANESE, 30), (names.SUNDANESE, 12), (names.MUSLIM, 28),
        (names.chinese_indonesian, 15), (names.batak, 6), (NTT, 4), (names.MINANG, 5),
    )),
    Region("18", 5, (
        (1, "Lampung Barat"), (2, "Tanggamus"), (3, "Lampung Selatan"), (4, "Lampung Timur"),
        (5, "Lampung Tengah"), (71, "Bandar Lampung"), (72, "Metro"),
    ), ((names.JAVANESE, 50), (names.MUSLIM, 40), (names.SUNDANESE, 10))),
    Region("12", 5, (
        (5, "Tapanuli Utara"), (7, "Labuhanbatu"), (8, "Asahan"), (9, "Simalungun"),
        (11, "Karo"), (12, "Deli Serdang"), (13, "Langkat"), (73, "Pematangsiantar"),
        (75, "Medan"),
    ), ((names.batak, 60), (names.MUSLIM, 25), (names.chinese_indonesian, 10),
        (names.JAVANESE, 5))),
    Region("53", 4, (
        (3, "Kupang"), (4, "Timor Tengah Selatan"), (5, "Timor Tengah Utara"), (6, "Belu"),
        (9, "Flores Timur"), (10, "Sikka"), (11, "Ende"), (13, "Manggarai"), (71, "Kupang"),
    ), ((NTT, 85), (names.MUSLIM, 15))),
    Region("73", 4, (
        (2, "Bulukumba"), (4, "Jeneponto"), (6, "Gowa"), (8, "Bone"), (9, "Maros"),
        (12, "Soppeng"), (13, "Wajo"), (15, "Pinrang"), (71, "Makassar"), (72, "Parepare"),
    ), ((names.bugis, 90), (names.MUSLIM, 10))),
    Region("36", 3, (
        (1, "Pandeglang"), (2, "Lebak"), (3, "Tangerang"), (4, "Serang"), (71, "Tangerang"),
    ), ((names.SUNDANESE, 50), (names.MUSLIM, 40), (names.JAVANESE, 10))),
    Region("51", 3, (
        (1, "Jembrana"), (2, "Tabanan"), (3, "Badung"), (4, "Gianyar"), (7, "Karangasem"),
        (8, "Buleleng"), (71, "Denpasar"),
    ), ((names.balinese, 92), (names.MUSLIM, 4), (names.JAVANESE, 4))),
    Region("13", 2.5, (
        (2, "Pesisir Selatan"), (3, "Solok"), (5, "Tanah Datar"), (6, "Padang Pariaman"),
        (7, "Agam"), (8, "Lima Puluh Kota"), (71, "Padang"), (75, "Bukittinggi"),
    ), ((names.MINANG, 90), (names.MUSLIM, 10))),
    Region("34", 2, (
        (1, "Kulon Progo"), (2, "Bantul"), (3, "Gunungkidul"), (4, "Sleman"), (71, "Yogyakarta"),
    ), JAVA_CENTRAL),
    Region("61", 2, (
        (1, "Sambas"), (2, "Bengkayang"), (5, "Sanggau"), (71, "Pontianak"), (72, "Singkawang"),
    ), ((names.MUSLIM, 50), (names.chinese_indonesian, 30), (NTT, 20))),
    Region("11", 1.5, (
        (6, "Aceh Besar"), (11, "Aceh Utara"), (71, "Banda Aceh"), (73, "Lhokseumawe"),
    ), ((names.ACEHNESE, 100),)),
    Region("21", 1.5, (
        (1, "Karimun"), (71, "Batam"), (72, "Tanjungpinang"),
    ), ((names.MUSLIM, 45), (names.chinese_indonesian, 30), (names.JAVANESE, 25))),
    Region("16", 1, (
        (2, "Ogan Komering Ilir"), (3, "Muara Enim"), (71, "Palembang"),
    ), ((names.MUSLIM, 70), (names.JAVANESE, 20), (names.chinese_indonesian, 10))),
    Region("14", 1, ((6, "Kampar"), (71, "Pekanbaru"), (73, "Dumai")), ((names.MUSLIM, 80),
        (names.MINANG, 20))),
    Region("71", 1, (
        (2, "Minahasa"), (6, "Minahasa Utara"), (71, "Manado"), (72, "Bitung"),
    ), ((names.christian(names.MINAHASA_SURNAMES), 85), (names.MUSLIM, 15))),
    Region("64", 0.8, ((2, "Kutai Kartanegara"), (71, "Balikpapan"), (72, "Samarinda")), (
        (names.JAVANESE, 40), (names.bugis, 30), (names.MUSLIM, 30))),
    Region("65", 0.6, ((4, "Nunukan"), (71, "Tarakan")), ((names.bugis, 60),
        (names.MUSLIM, 40))),
    Region("63", 0.6, ((3, "Banjar"), (71, "Banjarmasin")), ((names.MUSLIM, 100),)),
    Region("19", 0.5, ((1, "Bangka"), (71, "Pangkalpinang")), ((names.MUSLIM, 55),
        (names.chinese_indonesian, 45))),
    Region("15", 0.5, ((5, "Muaro Jambi"), (71, "Jambi")), ((names.MUSLIM, 80),
        (names.JAVANESE, 20))),
    Region("72", 0.5, ((3, "Donggala"), (71, "Palu")), ((names.MUSLIM, 70),
        (names.bugis, 30))),
    Region("74", 0.5, ((2, "Konawe"), (3, "Muna"), (71, "Kendari")), ((names.MUSLIM, 60),
        (names.bugis, 40))),
    Region("81", 0.4, ((1, "Maluku Tengah"), (71, "Ambon")), (
        (names.christian(names.MALUKU_SURNAMES), 60), (names.MUSLIM, 40))),
    Region("76", 0.4, ((1, "Majene"), (2, "Polewali Mandar"), (4, "Mamuju")), (
        (names.bugis, 60), (names.MUSLIM, 40))),
    Region("17", 0.3, ((2, "Rejang Lebong"), (71, "Bengkulu")), ((names.MUSLIM, 100),)),
    Region("62", 0.3, ((2, "Kotawaringin Timur"), (71, "Palangka Raya")), (
        (names.MUSLIM, 60), (NTT, 40))),
    Region("75", 0.3, ((1, "Gorontalo"), (71, "Gorontalo")), ((names.MUSLIM, 100),)),
    Region("82", 0.2, ((71, "Ternate"), (72, "Tidore Kepulauan")), ((names.MUSLIM, 100),)),
    Region("91", 0.3, ((3, "Jayapura"), (71, "Jayapura")), (
        (names.christian(names.PAPUA_SURNAMES), 80), (names.MUSLIM, 20))),
    Region("92", 0.2, ((2, "Manokwari"), (71, "Sorong")), (
        (names.christian(names.PAPUA_SURNAMES), 70), (names.MUSLIM, 30))),
)  # fmt: skip
