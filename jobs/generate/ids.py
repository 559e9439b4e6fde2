"""How the generated ids are formed, driver side and as Spark columns.

Works are numbered p = 0..n_papers-1 in year blocks by popularity (jobs/generate/design.py); the
work id shuffles p bijectively (p * id_multiplier mod n_papers, the multiplier coprime with
n_papers), so neither year nor popularity leaks into the OpenAlex ids. Authors and institutions
keep their numbers behind a fixed base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import Column
from pyspark.sql import functions as F

if TYPE_CHECKING:
    from jobs.generate.design import Design

OPENALEX = "https://openalex.org/"
WORK_ID_BASE = 4_000_000_000
AUTHOR_ID_BASE = 5_000_000_000
INSTITUTION_ID_BASE = 4_200_000_000
INST_KEY_STRIDE = 100_000  # inst_key = country index * INST_KEY_STRIDE + rank inside the country


def work_number(design: Design, paper: int) -> int:
    """The number in paper p's OpenAlex id (W<number>), on the driver."""
    return WORK_ID_BASE + (paper * design.id_multiplier) % design.n_papers


def work_number_col(design: Design, paper: Column) -> Column:
    """work_number as a column."""
    return F.lit(WORK_ID_BASE) + F.pmod(paper * F.lit(design.id_multiplier), F.lit(design.n_papers))


def openalex_id(prefix: str, number: Column) -> Column:
    """Full OpenAlex URL id, e.g. https://openalex.org/W4000012345."""
    return F.concat(F.lit(OPENALEX + prefix), number.cast("string"))
