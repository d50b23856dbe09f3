"""The official sanctions list sources: publishers, files, download URLs and loaders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from caseworker.exceptions import ConfigurationError

_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"


@dataclass(frozen=True)
class ListFile:
    """One file of a list: its name in a snapshot, official URL, and flat-directory suffix."""

    name: str
    url: str
    flat: str  # a flat directory holds it as `<source>[_<tag>]_<flat>`, e.g. ofac_sdn_2021_sdn.csv
    required: bool = True


@dataclass(frozen=True)
class ListSource:
    """A published list: its files in the loader's argument order and the loader's dotted path."""

    id: str
    publisher: str
    files: tuple[ListFile, ...]
    loader: str  # "module:function", imported only when the list is loaded
    loader_kwargs: Mapping[str, str] = field(default_factory=dict)

    def flat_pattern(self, item: ListFile) -> re.Pattern[str]:
        source, suffix = re.escape(self.id), re.escape(item.flat)
        return re.compile(rf"{source}(?:_(?P<tag>[A-Za-z0-9-]+))?_{suffix}", re.IGNORECASE)


def _ofac(source: str, names: tuple[str, ...], flat: tuple[str, ...]) -> ListSource:
    """Describe an OFAC legacy CSV list: primary, alt, add (required), comments (optional)."""
    return ListSource(
        id=source,
        publisher="US Treasury OFAC",
        files=tuple(
            ListFile(name, _OFAC + name, suffix, required=i < 3)
            for i, (name, suffix) in enumerate(zip(names, flat, strict=True))
        ),
        loader="caseworker.checks.screening.loaders.ofac:load_ofac",
        loader_kwargs={"source": source},
    )


SOURCES: dict[str, ListSource] = {
    s.id: s
    for s in (
        _ofac(
            "ofac_sdn",
            ("SDN.CSV", "ALT.CSV", "ADD.CSV", "SDN_COMMENTS.CSV"),
            ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"),
        ),
        _ofac(
            "ofac_cons",
            ("CONS_PRIM.CSV", "CONS_ALT.CSV", "CONS_ADD.CSV", "CONS_COMMENTS.CSV"),
            ("prim.csv", "alt.csv", "add.csv", "comments.csv"),
        ),
        ListSource(
            "un",
            "UN Security Council",
            (
                ListFile(
                    "consolidated.xml",
                    "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
                    "consolidated.xml",
                ),
            ),
            "caseworker.checks.screening.loaders.un:load_un",
        ),
        ListSource(
            "eu",
            "European Commission, EU Financial Sanctions Files (FSF)",
            (
                ListFile(
                    "xmlFullSanctionsList_1_1.xml",
                    # The FSF's public download link; the token is the published public one.
                    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1"
                    "/content?token=dG9rZW4tMjAxNw",
                    "fsf.xml",
                ),
            ),
            "caseworker.checks.screening.loaders.eu:load_eu",
        ),
        ListSource(
            "uk",
            "UK Foreign, Commonwealth & Development Office (UK Sanctions List)",
            (
                ListFile(
                    "UK-Sanctions-List.csv",
                    "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",
                    "sanctions_list.csv",
                ),
            ),
            "caseworker.checks.screening.loaders.uk:load_uk",
        ),
        ListSource(
            "opensanctions",
            "OpenSanctions",
            (
                ListFile(
                    "entities.ftm.json",
                    "https://data.opensanctions.org/datasets/latest/default/entities.ftm.json",
                    "entities.ftm.json",
                ),
            ),
            "caseworker.checks.screening.loaders.opensanctions:load_opensanctions",
        ),
    )
}


def chosen(sources: Iterable[str] | None) -> list[ListSource]:
    """Return the named sources (all when None); unknown names are a configuration error."""
    names = list(SOURCES) if sources is None else list(sources)
    unknown = [s for s in names if s not in SOURCES]
    if unknown:
        raise ConfigurationError(f"unknown list sources {unknown}; known: {sorted(SOURCES)}")
    return [SOURCES[s] for s in names]
