"""Mandarin syllables: a Chinese name read in pinyin is a sequence of them, each a unit.

A Chinese name written in characters transliterates to one pinyin syllable per character
(anyascii reads 王志强 as wang zhi qiang). A listed name in pinyin ("WANG, Zhiqing") splits into
syllables too, so the two compare syllable by syllable: one character more, less or other is
another name (志强 zhiqiang is not 志清 zhiqing), however close the letters. A listed name
that is not pinyin throughout (Wade-Giles "Chih-chiang", Cantonese "Ping-keung", any other
language) is left to the letter comparison.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from caseworker.checks.screening.commonness import population_group

# Every syllable of standard Mandarin in toneless pinyin, ü written u (as anyascii does: 吕 lu,
# 略 lue) and v (lv, lve) as some registries do.
_TABLE = """
a ai an ang ao
ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua
chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo
da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo
e ei en eng er
fa fan fang fei fen feng fo fou fu
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lue
lun luo lv lve
ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nue
nuo nv nve
o ou
pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua
shuai shuan shuang shui shun shuo si song sou su suan sui sun suo
ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
wa wai wan wang wei wen weng wo wu
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun
za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou
zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
SYLLABLES = frozenset(_TABLE.split())
_LONGEST = max(len(s) for s in SYLLABLES)


@lru_cache(maxsize=65536)
def syllables(token: str) -> tuple[str, ...] | None:
    """Split a token into pinyin syllables, the fewest there are; None if it is not pinyin.

    Fewest, so that "xian" is one syllable and not "xi an" (a name writes the second with an
    apostrophe or a space, which the tokens already show).
    """
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - _LONGEST), end):
            head = best[start]
            if head is not None and token[start:end] in SYLLABLES:
                candidate = (*head, token[start:end])
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[n]


@lru_cache(maxsize=1)
def family_syllables() -> frozenset[str]:
    """Return the frequent Chinese family names that are one pinyin syllable.

    From the population table's East Asian family names: "zheng" and "zhang", "guo" and "gao"
    are other families, however alike they sound.
    """
    return population_group("east_asian_family") & SYLLABLES


def other_chinese_name(query: Sequence[str], listed: Sequence[str]) -> bool:
    """Tell whether a name read from characters (one syllable per token) is another pinyin name.

    True when every query token is one syllable, every listed token is pinyin, and the two
    names do not have the same syllables (in any order: family name first or last).
    """
    if not query or any(t not in SYLLABLES for t in query):
        return False
    split = [syllables(t) for t in listed]
    if not split or any(s is None for s in split):
        return False
    listed_syllables = Counter(s for parts in split if parts is not None for s in parts)
    return Counter(query) != listed_syllables
