"""Name normalisation for screening: tokens, transliteration, noise removal and phonetic keys."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from caseworker.checks.screening.entity import EntityType

# Decisions (see matcher.py for how they are used):
# - Transliteration is anyascii, character by character, so it is deterministic and needs no
#   language guess. Han, Kana and Hangul characters become one token per syllable ("习近平" ->
#   "xi jin ping"); the matcher's joined comparison puts syllables back together ("xijinping").
# - Arabic and Hebrew are written without short vowels ("محمد" -> "mhmd"), so names from those
#   scripts are flagged `abjad` and compared on consonant skeletons as well (see `skeleton`).
# - Particles ("al", "el", "bin", "ibn", "abu", "de", "van", ...) stay as separate tokens with a
#   low fixed weight: dropping them would merge "Abu Ali" and "Ali", joining them would split
#   "al-Hassan" from "Hassan". "al-X" / "el-X" are split at the hyphen like every hyphen.
# - Honorifics are removed at the start of a person's name, plain titles (mr, dr, sheikh, haji)
#   anywhere; never the last token left. Legal forms
#   are removed for entities and untyped names (never for persons); a name that would become
#   empty keeps its tokens. Business words ("group", "trading") and name-like titles ("syed",
#   "amir") are kept with a low weight (GENERIC) so that a query with or without them matches.
# - Phonetic key: jellyfish's Metaphone per token. Double Metaphone is not in jellyfish, and
#   Metaphone already folds the variants that matter here (ph/f, c/k, ck, th, silent h, vowels).


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Titles removed at the start of a person's name.
HONORIFICS = _words(
    "mr mrs ms miss mx dr prof professor sir dame lord lady madam mme mlle herr frau sheikh "
    "shaikh sheik shaykh cheikh chaikh chaykh sheykh haji hajji hadji alhaj alhajj hajj mullah "
    "mulla maulana "
    "maulvi mawlawi mufti hon honourable honorable excellency gen general col colonel capt "
    "captain maj major lt lieutenant sgt cmdr commander adm admiral brig brigadier rev "
    "reverend fr father pastor bishop ayatollah hojatoleslam president minister senator judge"
)
# ... of which these are removed anywhere.
TITLES = _words(
    "mr mrs ms dr prof sheikh shaikh sheik shaykh cheikh chaikh chaykh sheykh haji hajji hadji "
    "alhaj alhajj mullah maulana maulvi mawlawi hojatoleslam ayatollah"
)
SUFFIXES = frozenset(["jr", "sr", "jnr", "snr", "ii", "iii", "iv"])
# Particles: kept, with a low weight.
PARTICLES = _words(
    "al el ul ad ar as ash at az bin ben ibn bint binti abu abou bou ould de da das do dos du "
    "del della der den di la le van von y"
)
# Words that are name parts or business words but weak evidence: kept, with a low weight.
GENERIC = _words(
    "syed sayed sayyid seyed imam emir amir prince king group holding holdings trading "
    "international industries industrial enterprise enterprises establishment est shipping "
    "services service investment investments general national bank company organization "
    "corporation"
)
# Legal forms removed from company and untyped names.
LEGAL_FORMS_SURE = _words(
    "ltd limited llc llp lp plc inc incorporated corp gmbh mbh kg ohg ug sarl sas sasu srl "
    "spa bv oy oyj asa aps pte pvt bhd sdn tbk ooo oao zao pao pjsc ojsc cjsc jsc tov cv slu "
    "lda ltda eirl kft zrt nyrt sro doo ead eood fze fzco fzc fzllc wll"
)
# Legal forms that are also name parts: removed for companies, and for untyped names with
# other tokens left.
LEGAL_FORMS_WEAK = _words("co company companies sa as ab ad ag nv se sl pt ao pp dd kk gk yk ood")
LEGAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("limited", "liability", "company"),
    ("limited", "liability", "partnership"),
    ("public", "joint", "stock", "company"),
    ("open", "joint", "stock", "company"),
    ("closed", "joint", "stock", "company"),
    ("joint", "stock", "company"),
    ("public", "limited", "company"),
    ("private", "limited"),
    ("sociedad", "anonima"),
    ("sa", "de", "cv"),
    ("societe", "anonyme"),
    ("co", "ltd"),
)

# Words of spelled-out legal forms ("open joint stock company", "limited liability company").
# A run of two or more of them holding a core word is a legal form in whatever order or
# abbreviation it is written ("company joint stock closed", "ltd liability co", "private ltd");
# words of five letters or more also match with one typo ("liabliity", "publik").
LEGAL_CORE = _words(
    "joint stock company co limited ltd liability partnership responsibility anonima anonyme "
    "corporation incorporated"
)
LEGAL_RUN = LEGAL_CORE | _words("open closed public private sa de cv societe sociedad")
_LEGAL_FUZZY = sorted(w for w in LEGAL_RUN if len(w) >= 5)

_ABJAD = re.compile(  # Hebrew, Arabic (with supplements and presentation forms)
    "[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"
)
_SYLLABIC = re.compile(  # Hangul, Kana, CJK ideographs: one token per character
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}(?:[^\W\d_]\b)?")
# A legal form written with dots anywhere ("s.rl.", "s.a", "s.r..l" once the dots are single).
_DOTTED_FORM = re.compile(r"\b[^\W\d_]{1,3}(?:\.[^\W\d_]{1,3})+\.?(?!\w)")
_REPEATED_DOTS = re.compile(r"\.{2,}")
_SPLIT = re.compile(r"[^a-z0-9]+")
_DIGRAPH_SOUND = {"sch": "x", "sh": "x", "ch": "x", "kh": "x", "gh": "G", "th": "t", "dh": "t"}
_DIGRAPH_SOUND["ph"] = "f"
_DIGRAPHS = re.compile("|".join(sorted(_DIGRAPH_SOUND, key=len, reverse=True)))
_SKELETON_FOLD = str.maketrans("gqcbdzv", "kkkptsf", "aeiouyw")


# ISO 15924 codes of the scripts names are told apart by ("Hani" covers kanji and hanzi).
SCRIPTS = ("Latn", "Arab", "Hebr", "Cyrl", "Grek", "Hani", "Hang", "Kana", "Deva", "Thai", "Other")
_SCRIPT_PREFIXES = (
    ("ARABIC", "Arab"),
    ("HEBREW", "Hebr"),
    ("CYRILLIC", "Cyrl"),
    ("GREEK", "Grek"),
    ("CJK", "Hani"),
    ("HANGUL", "Hang"),
    ("HIRAGANA", "Kana"),
    ("KATAKANA", "Kana"),
    ("DEVANAGARI", "Deva"),
    ("THAI", "Thai"),
)
# Romanisation variants folded for comparison. Arabic and Persian: ou/oo and u, ee and i, dh, d
# and z (dhal and zah are written all three ways). Cyrillic and other alphabets as passports
# and lists romanise them (ICAO, BGN/PCGN, German and French systems): y and i ("Iurii"/"Yuriy",
# "Ianukovych", "Sayed"/"Saied"), c, k and q outside "ch" ("Cimex"/"Kimex", "CJSC"/"KJSC"), w
# and v ("Wladimir"), x and ks ("Aleksei"/"Alexei"), ph and f. Doubled letters count once;
# "el" is "al".
_VARIANT_RULES = (("ou", "u"), ("oo", "u"), ("ee", "i"), ("dh", "d"), ("z", "d"),
                  ("ch", "\u0255"), ("ph", "f"), ("x", "ks"), ("c", "k"), ("q", "k"),
                  ("y", "i"), ("w", "v"))
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def variant_key(token: str) -> str:
    """Token with romanisation variants folded ("doori"/"duri", "yitu"/"iitu", "llc"/"llk")."""
    if token == "el":
        return "al"
    out = token
    for a, b in _VARIANT_RULES:
        out = out.replace(a, b)
    return _DOUBLE.sub(r"\1", out)


_VOWELLED_HONORIFICS = frozenset(h for h in HONORIFICS if set(h) & set("aeiou"))
_VOWELLED_TITLES = frozenset(t for t in TITLES if set(t) & set("aeiou"))
_HONORIFIC_VARIANTS = frozenset(variant_key(h) for h in HONORIFICS if len(h) >= 4)


# First letters romanisations swap: vowels with y/j, c/k/q/g, v/w, s/z, t/d, f/p.
_FIRST_CLASS = str.maketrans("eiouyjkqgwzdp", "aaaaaacccvstf")
# Initial digraphs of one sound: "chah"/"shah"/"tcha", "khin"/"hin", "djae"/"jae", "tsoi"/"soi".
_FIRST_DIGRAPHS = (("tch", "x"), ("sch", "x"), ("ch", "x"), ("sh", "x"), ("kh", "h"),
                   ("dj", "a"), ("ts", "s"), ("tz", "s"))


def first_class(token: str) -> str:
    """Return the class of a token's first letter (letters romanisations swap share one)."""
    return token[:1].translate(_FIRST_CLASS)


def first_sound(token: str) -> str:
    """Return the class of a token's first sound, an initial digraph read as one sound."""
    for digraph, sound in _FIRST_DIGRAPHS:
        if token.startswith(digraph):
            return sound
    return first_class(token)


def script_of(text: str) -> str:
    """Return the script a name is written in: its first letter that is not Latin decides."""
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            name = unicodedata.name(ch, "")
            if name.startswith("LATIN"):
                continue
            return next((code for prefix, code in _SCRIPT_PREFIXES if name.startswith(prefix)),
                        "Other")
    return "Latn"


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name reduced to comparable tokens, in natural (first-name-first) order."""

    original: str
    tokens: tuple[str, ...]
    phonetic: tuple[str, ...]  # Metaphone key per token ("" for digits/initials)
    last_first: bool = False  # the input was written `LAST, First` and was reordered
    transliterated: bool = False  # the input had non-Latin letters
    abjad: bool = False  # ... from Arabic or Hebrew script (vowels mostly not written)
    removed: tuple[str, ...] = ()  # honorifics and legal forms that were dropped

    @property
    def joined(self) -> str:
        return "".join(self.tokens)


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """Consonant skeleton: vowels dropped, voiced/unvoiced pairs folded, repeats collapsed.

    Digraphs become one sound first: "sh", "ch", "kh", "sch" one hushing sound ("x"), "gh"
    another ("G", Arabic ghayn), "th"/"dh" are "t", "ph" is "f".
    """
    folded = _DIGRAPHS.sub(lambda m: _DIGRAPH_SOUND[m.group(0)], token).translate(_SKELETON_FOLD)
    out = [c for i, c in enumerate(folded) if i == 0 or c != folded[i - 1]]
    return "".join(out)


_CONSONANT_GLIDE = re.compile(r"^[yw](?=[aeiou])")


def skeleton_head(token: str) -> str:
    """Return the first consonant of a romanised token: its skeleton's, or a glide that opens it.

    A skeleton drops y and w, but an initial y or w before a vowel is a consonant ("yasser" is
    ياسر, "wasim" وسيم).
    """
    if _CONSONANT_GLIDE.match(token):
        return token[0]
    return skeleton(token)[:1]


_OPENING_CONSONANT = re.compile(r"[aeiouyw]*([a-z])(h?)")
_VOICING = {"t": "-", "s": "-", "p": "-", "d": "+", "z": "+", "b": "+"}


def opening_voicing(token: str) -> str:
    """Whether a token opens with a voiced ("+") or voiceless ("-") t/d, s/z or p/b; "" if not.

    The skeleton folds each pair into one; "th" and "dh" open either way (ث is "th", "s" or
    "t"; ذ is "dh", "z" or "d"), so they say nothing.
    """
    found = _OPENING_CONSONANT.match(token)
    if found is None or found.group(2):
        return ""
    return _VOICING.get(found.group(1), "")


def abjad_heads(token: str) -> tuple[str, str]:
    """Return the consonants an abjad token may open with: an initial y or w, and its skeleton's.

    An initial y or w may be a glide ("ysr" ياسر, yasser) or follow an alef the romanisation
    dropped ("ymn" أيمن, ayman); either head will do.
    """
    head = skeleton(token)[:1]
    return (token[0] if token[:1] in ("y", "w") else head), head


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """Metaphone key of one token ("" for tokens that are initials or contain digits)."""
    if len(token) < 2 or not token.isalpha():
        return ""
    return str(jellyfish.metaphone(token))


# The Arabic article written onto a word ("التميمي", "الشامي"): a token of its own, "al", as the
# Latin "al-tamimi" is split at its hyphen, so it weighs what a particle weighs instead of
# joining the name's skeleton. The rest must be three letters or more: "الله" (Allah) stays.
_ARABIC_ARTICLE = re.compile("(?<![\u0621-\u06ff])\u0627\u0644(?=[\u0621-\u06ff]{3})")


def _transliterate(text: str) -> tuple[str, bool, bool]:
    abjad = bool(_ABJAD.search(text))
    if abjad:
        text = _ARABIC_ARTICLE.sub("al ", text)
    translit = False
    parts: list[str] = []
    for ch in text:
        if ch.isascii():
            parts.append(ch)
            continue
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            translit = True
        latin = anyascii(ch)
        parts.append(f" {latin} " if _SYLLABIC.match(ch) else latin)
    return "".join(parts), translit, abjad


def _strip_phrases(tokens: list[str], removed: list[str]) -> list[str]:
    out = tokens
    for phrase in LEGAL_PHRASES:
        n = len(phrase)
        i = 0
        while i + n <= len(out) and len(out) > n:
            if tuple(out[i : i + n]) == phrase:
                removed.append(" ".join(phrase))
                out = out[:i] + out[i + n :]
            else:
                i += 1
    return out


@lru_cache(maxsize=16384)
def legal_word(token: str) -> str | None:
    """Return the legal-form word `token` is (one typo allowed in long words), or None."""
    if token in LEGAL_RUN:
        return token
    if len(token) >= 5:
        found = process.extractOne(
            token, _LEGAL_FUZZY, scorer=OSA.distance, score_cutoff=1, processor=None
        )
        if found is not None:
            return str(found[0])
    return None


# Legal forms no name part is one letter away from (unlike "corp"/"corn", "sarl"/"sara").
_LONG_FORMS = ("cjsc", "ojsc", "pjsc", "gmbh", "eood", "fzco", "fzllc", "limited", "incorporated")


def _misspelt_legal_form(token: str) -> bool:
    """Tell whether a token is a legal form misspelt or transliterated (at a name's end).

    One edit after the first letter of an unmistakable form ("ojsk", "gmbb"); one edit of a
    spelled-out form of five letters or more ("compani", "ciompany"); a form with its c written
    k, as romanisations of Cyrillic and Greek write it ("llk", "kjsc", "korp", "ink"); or a
    known romanisation of a short form ("uo" for "ooo", "eud" for "eood", "kv" for "cv").
    """
    if len(token) >= 4 and any(
        token[0] == form[0] and OSA.distance(token, form, score_cutoff=1) == 1
        for form in _LONG_FORMS
    ):
        return True
    if len(token) >= 5 and legal_word(token) in _SPELLED_FORMS:
        return True
    if len(token) >= 3 and "k" in token and token.replace("k", "c") in LEGAL_FORMS_SURE:
        return True
    return token in _SHORT_FORM_VARIANTS


_SPELLED_FORMS = frozenset({"company", "limited", "incorporated", "corporation"})
# Romanisations of short forms seen on forms and lists: ooo, eood, cv, cjsc; and the Estonian
# OÜ (osaühing), "ou" once folded to ASCII.
_SHORT_FORM_VARIANTS = frozenset({"uo", "oo", "ou", "eud", "eod", "kv", "csc", "cjs"})


def _strip_legal_runs(tokens: list[str], removed: list[str]) -> list[str]:
    words = [legal_word(t) for t in tokens]
    keep = [True] * len(tokens)
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and words[j] is not None:
            j += 1
        core = {w for w in words[i:j] if w in LEGAL_CORE}
        if j - i >= 2 and core:
            keep[i:j] = [False] * (j - i)
        i = max(j, i + 1)
    if all(keep) or not any(keep):
        return tokens
    removed.extend(t for t, k in zip(tokens, keep, strict=True) if not k)
    return [t for t, k in zip(tokens, keep, strict=True) if k]


def _strip_noise(
    tokens: list[str], kind: EntityType | None, removed: list[str], *, abjad: bool = False
) -> list[str]:
    # An abjad name's romanisation has no vowels: "mr" there is عمر (Omar), never "Mr".
    honorifics = _VOWELLED_HONORIFICS if abjad else HONORIFICS
    titles_ = _VOWELLED_TITLES if abjad else TITLES
    if kind != EntityType.entity:
        while len(tokens) > 1 and (
            tokens[0] in honorifics or variant_key(tokens[0]) in _HONORIFIC_VARIANTS
        ):
            removed.append(tokens.pop(0))
        while len(tokens) > 1 and tokens[-1] in SUFFIXES:
            removed.append(tokens.pop())
        titles = [t for t in tokens if t in titles_]
        if titles and len(titles) < len(tokens):
            removed.extend(titles)
            tokens = [t for t in tokens if t not in titles_]
    if kind == EntityType.person:
        return tokens
    tokens = _strip_legal_runs(tokens, removed)
    tokens = _strip_phrases(tokens, removed)
    kept = [t for t in tokens if t not in LEGAL_FORMS_SURE and t not in LEGAL_FORMS_WEAK]
    if len(kept) >= 2:  # a misspelt legal form at either end ("ojsk rn holding", "vtb djsc")
        for end in (0, -1):
            if len(kept) >= 2 and _misspelt_legal_form(kept[end]):
                removed.append(kept.pop(end))
    if not kept:
        return tokens
    removed.extend(t for t in tokens if t not in kept)
    return kept


def _dotted_form(match: re.Match[str]) -> str:
    """Write a dotted legal form as one word ("s.rl." -> "srl"); leave other dotted text."""
    word = match.group(0).replace(".", "")
    return word if word in LEGAL_FORMS_SURE or word in LEGAL_FORMS_WEAK else match.group(0)


def normalize_name(text: str, *, kind: EntityType | None = None) -> NormalizedName:
    """Normalise one name for matching; `kind` decides whether legal forms are removed."""
    raw = unicodedata.normalize("NFKC", text)
    latin, translit, abjad = _transliterate(raw)
    last_first = False
    if kind != EntityType.entity and latin.count(",") == 1:
        last, first = (p.strip() for p in latin.split(","))
        if last and first and len(last.split()) <= 3 and len(first.split()) <= 4:
            latin, last_first = f"{first} {last}", True
    latin = latin.casefold()
    latin = _REPEATED_DOTS.sub(".", latin)
    latin = _DOTTED_FORM.sub(_dotted_form, latin)
    latin = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), latin)
    latin = latin.replace("'", "").replace("`", "").replace("\u2019", "")
    tokens = [t for t in _SPLIT.split(latin) if t]
    removed: list[str] = []
    if tokens:
        tokens = _strip_noise(tokens, kind, removed, abjad=abjad)
    return NormalizedName(
        original=text,
        tokens=tuple(tokens),
        phonetic=tuple(phonetic_key(t) for t in tokens),
        last_first=last_first,
        transliterated=translit,
        abjad=abjad,
        removed=tuple(removed),
    )
