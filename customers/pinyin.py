"""The pinyin of a customer's name, as Chinese staff search: `linxiaoyu` (full) and `lxy`
(initials) find 林小雨. One function computes both (`name_search_keys`); every door that
sets a name stores them through it (customer_prepare: forms, admin, importer, API;
bulk writers and the data migration call it directly).

Polyphonic surnames are read as surnames: 单 shàn, 曾 zēng, 解 xiè, 区 ōu, 仇 qiú… pypinyin
(0.55) has no surname mode (mozillazg/python-pinyin issue 297 is open), so the readings
of the family name come from the table below, for individuals only: in 单位 or 曾经 the
same characters keep pypinyin's phrase reading. The given name and organisation names
go through pypinyin's phrase dictionary. Letters and digits in a name are kept as typed
(lower case), so "ABC旅行社" is found by `abc` and by `abclxs`."""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from customers.models.choices import CustomerKind

PINYIN_MAX_LENGTH = 400
INITIALS_MAX_LENGTH = 200

# Family names of two characters whose reading differs from the characters' usual one.
COMPOUND_SURNAMES = {
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "乐正": ("yue", "zheng"),
    "仉督": ("zhang", "du"),
    "子车": ("zi", "ju"),
    "亓官": ("qi", "guan"),
    "令狐": ("ling", "hu"),
    "句龙": ("gou", "long"),
}

# Single-character family names read otherwise than pypinyin reads the character alone.
SURNAMES = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "瞿": "qu",
    "种": "chong",
    "重": "chong",
    "秘": "bi",
    "冼": "xian",
    "华": "hua",
    "过": "guo",
    "纪": "ji",
    "燕": "yan",
    "繁": "po",
    "折": "she",
    "那": "na",
    "佴": "nai",
    "难": "nan",
    "粘": "nian",
    "藏": "zang",
    "扎": "za",
    "都": "du",
    "六": "lu",
    "薄": "bo",
    "贾": "jia",
    "居": "ju",
    "盛": "sheng",
    "柏": "bai",
    "牟": "mou",
    "乐": "yue",
    "阚": "kan",
    "叶": "ye",
    "沈": "shen",
    "宿": "su",
    "卜": "bu",
    "员": "yun",
    "句": "gou",
    "能": "nai",
    "乜": "nie",
    "召": "shao",
    "尉": "wei",
    "殷": "yin",
    "隗": "wei",
    "蕃": "pi",
    "洗": "xian",
    "车": "che",
    "石": "shi",
    "曲": "qu",
    "角": "jue",
    "任": "ren",
    "便": "pian",
}

_HAN_CLASS = "\u3400-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{_HAN_CLASS}]")
_RUNS = re.compile(f"[{_HAN_CLASS}]+|[^{_HAN_CLASS}]+")
_NOT_KEY = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def _han_run(run: str) -> tuple[str, ...]:
    """pypinyin's reading of a run of Han characters (its phrase dictionary reads the run
    alone): pure, so kept for the runs met again (given names repeat; an import of
    100,000 customers meets a few thousand distinct ones)."""
    return tuple(lazy_pinyin(run, style=Style.NORMAL))


def _syllables(text: str) -> list[tuple[str, bool]]:
    """(syllable, is_han) for `text`: runs of Han characters through pypinyin's phrase
    dictionary, other runs kept whole (lower case, letters and digits only)."""
    pieces = []
    for run in _RUNS.findall(text):
        if _HAN.match(run):
            pieces += [(syllable, True) for syllable in _han_run(run)]
        else:
            pieces += [(word, False) for word in _NOT_KEY.split(run.lower()) if word]
    return [(key, han) for key, han in pieces if key.isascii() and key.isalnum()]


def _surname(name: str) -> tuple[list[str], str]:
    if name[:2] in COMPOUND_SURNAMES:
        return list(COMPOUND_SURNAMES[name[:2]]), name[2:]
    if name[:1] in SURNAMES:
        return [SURNAMES[name[0]]], name[1:]
    return [], name


def name_search_keys(name: str, *, kind: str) -> tuple[str, str]:
    """(full pinyin, initials) of a customer's name, lower case without spaces:
    ("linxiaoyu", "lxy") for 林小雨, ("shantianfang", "stf") for 单田芳. An individual's
    name starts with the family name (read as one); an organisation's does not."""
    name = (name or "").strip()
    pieces: list[tuple[str, bool]] = []
    if kind == CustomerKind.INDIVIDUAL:
        surname, name = _surname(name)
        pieces = [(syllable, True) for syllable in surname]
    pieces += _syllables(name)
    full = "".join(key for key, _han in pieces)
    initials = "".join(key[0] if han else key for key, han in pieces)
    return full[:PINYIN_MAX_LENGTH], initials[:INITIALS_MAX_LENGTH]


def search_key(text: str) -> str:
    """A typed search as it compares with the stored keys: lower case, letters and
    digits only ("Lin Xiaoyu" → "linxiaoyu")."""
    return _NOT_KEY.sub("", (text or "").lower())


READINGS_LIMIT = 16


def text_readings(text: str) -> list[str]:
    """Every pinyin a typed run of Han characters may stand for (each character's
    readings combined, 单 as dan, chan or shan), at most READINGS_LIMIT of them; empty
    when `text` is not all Han or a character has no known reading."""
    if not text or _RUNS.fullmatch(text) is None or not _HAN.fullmatch(text[0]):
        return []
    readings = [""]
    for options in pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda _chars: [[]]):
        options = [option for option in options if option.isascii() and option.isalpha()]
        if not options:
            return []
        readings = [done + option for done in readings for option in dict.fromkeys(options)]
        if len(readings) > READINGS_LIMIT:
            return []
    return readings
