"""Synthetic corpus in the raw formats scintel ingests: OpenAlex works, authors, institutions
(JSON Lines, gzip) and patents (the JSON Lines layout of schemas/raw.py).

Everything is built by Spark from `spark.range` with Spark SQL functions: no Python UDF, no
loop over rows, nothing large on the driver. The driver only computes a *design*: a few hundred
numbers (papers per year, country shares, author groups, front core positions) that become
literal arrays or small broadcast tables.

How the shape is planted (PLANTED.md has the facts and the exact ids):
- Papers are numbered p = 0..N-1 in contiguous year blocks; inside a year block the local index
  i is also the paper's popularity rank (i < H: the "hot" ~1.5% that take the top-1% places;
  the last quarter is never drawn as a random reference). Ids are a bijective affine shuffle of
  p, so nothing of this leaks into the OpenAlex ids.
- Country, topic and international collaboration come from a 3-d low-discrepancy (R_d) sequence
  over i, so shares per (year, country, field, hot) cell hold almost exactly at any size and the
  planted crossings do not depend on sampling luck.
- Every other random choice is a uniform number derived from xxhash64(seed, salt, ids...):
  the same seed gives the same rows whatever the partitioning.
- References: each paper draws references by age (years back) and by popularity rank inside the
  cited year (a power law), so they always point to earlier-or-same-year works; research-front
  citers add references to the cores of one front. cited_by_count and counts_by_year are then
  aggregated from the edge list, never drawn, so they are consistent by construction.
- Authors belong to groups (country x career-start cohort, plus mover groups origin -> destination
  at a move year); an author slot of a paper picks a group eligible for its (country, year), then
  an author inside it by a power law (productive authors keep a low rank for their whole career).
  An author's institution is a hash of (author, career epoch), so movers change institution and
  country at their move year.

Skew: hub papers (fronts, hot papers) get tens of thousands of citations at 10M papers; their
counts come from a partially aggregated group-by on the cited id, so no task holds a hub's edge
list. Big authors and institutions are grouped the same way (collect of a few thousand numbers
at most per author).
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.window import Window

log = logging.getLogger(__name__)

OPENALEX = "https://openalex.org/"
WORK_ID_BASE = 4_000_000_000
AUTHOR_ID_BASE = 5_000_000_000
INSTITUTION_ID_BASE = 4_200_000_000
INST_KEY_STRIDE = 100_000  # inst_key = country_idx * stride + rank inside the country
ROWS_PER_FILE = 250_000

# ---------------------------------------------------------------------------------------------
# Reference tables (small Python lists)
# ---------------------------------------------------------------------------------------------

# code, name, name culture, weight among the "other" countries (CN and US have planted shares)
COUNTRIES = [
    ("CN", "China", "cn", 0.0),
    ("US", "United States", "west", 0.0),
    ("GB", "United Kingdom", "west", 9.0),
    ("DE", "Germany", "west", 8.0),
    ("JP", "Japan", "jp", 8.0),
    ("FR", "France", "west", 6.0),
    ("KR", "South Korea", "kr", 6.0),
    ("CA", "Canada", "west", 6.0),
    ("AU", "Australia", "west", 5.0),
    ("IN", "India", "in", 8.0),
    ("IT", "Italy", "west", 5.0),
    ("SG", "Singapore", "cn", 3.0),
    ("ES", "Spain", "west", 4.0),
    ("NL", "Netherlands", "west", 3.0),
    ("CH", "Switzerland", "west", 3.0),
    ("BR", "Brazil", "west", 3.0),
]
COUNTRY_CODES = [c[0] for c in COUNTRIES]
CIDX = {code: i for i, code in enumerate(COUNTRY_CODES)}

# country -> [(city, region, latitude, longitude)]; China's ten focus cities first.
CITIES = {
    "CN": [
        ("Beijing", "Beijing", 39.9042, 116.4074),
        ("Shanghai", "Shanghai", 31.2304, 121.4737),
        ("Shenzhen", "Guangdong", 22.5431, 114.0579),
        ("Hangzhou", "Zhejiang", 30.2741, 120.1551),
        ("Nanjing", "Jiangsu", 32.0603, 118.7969),
        ("Wuhan", "Hubei", 30.5928, 114.3055),
        ("Guangzhou", "Guangdong", 23.1291, 113.2644),
        ("Chengdu", "Sichuan", 30.5728, 104.0668),
        ("Xi'an", "Shaanxi", 34.3416, 108.9398),
        ("Hong Kong", "Hong Kong", 22.3193, 114.1694),
        ("Hefei", "Anhui", 31.8206, 117.2272),
        ("Harbin", "Heilongjiang", 45.8038, 126.5349),
        ("Tianjin", "Tianjin", 39.3434, 117.3616),
        ("Changsha", "Hunan", 28.2282, 112.9388),
    ],
    "US": [
        ("Cambridge", "Massachusetts", 42.3736, -71.1097),
        ("Stanford", "California", 37.4275, -122.1697),
        ("Berkeley", "California", 37.8715, -122.2730),
        ("Los Angeles", "California", 34.0522, -118.2437),
        ("San Diego", "California", 32.7157, -117.1611),
        ("Pittsburgh", "Pennsylvania", 40.4406, -79.9959),
        ("Seattle", "Washington", 47.6062, -122.3321),
        ("New York", "New York", 40.7128, -74.0060),
        ("Mountain View", "California", 37.3861, -122.0839),
        ("Redmond", "Washington", 47.6740, -122.1215),
        ("Chicago", "Illinois", 41.8781, -87.6298),
        ("Atlanta", "Georgia", 33.7490, -84.3880),
        ("Austin", "Texas", 30.2672, -97.7431),
        ("Ann Arbor", "Michigan", 42.2808, -83.7430),
        ("Gaithersburg", "Maryland", 39.1434, -77.2014),
    ],
    "GB": [
        ("London", "England", 51.5074, -0.1278),
        ("Oxford", "England", 51.7520, -1.2577),
        ("Cambridge", "England", 52.2053, 0.1218),
        ("Edinburgh", "Scotland", 55.9533, -3.1883),
        ("Manchester", "England", 53.4808, -2.2426),
    ],
    "DE": [
        ("Munich", "Bavaria", 48.1351, 11.5820),
        ("Berlin", "Berlin", 52.5200, 13.4050),
        ("Tübingen", "Baden-Württemberg", 48.5216, 9.0576),
        ("Aachen", "North Rhine-Westphalia", 50.7753, 6.0839),
        ("Saarbrücken", "Saarland", 49.2402, 6.9969),
    ],
    "JP": [
        ("Tokyo", "Tokyo", 35.6762, 139.6503),
        ("Kyoto", "Kyoto", 35.0116, 135.7681),
        ("Osaka", "Osaka", 34.6937, 135.5023),
    ],
    "FR": [
        ("Paris", "Île-de-France", 48.8566, 2.3522),
        ("Grenoble", "Auvergne-Rhône-Alpes", 45.1885, 5.7245),
        ("Toulouse", "Occitanie", 43.6047, 1.4442),
    ],
    "KR": [
        ("Seoul", "Seoul", 37.5665, 126.9780),
        ("Daejeon", "Daejeon", 36.3504, 127.3845),
        ("Pohang", "North Gyeongsang", 36.0190, 129.3435),
    ],
    "CA": [
        ("Toronto", "Ontario", 43.6532, -79.3832),
        ("Montreal", "Quebec", 45.5017, -73.5673),
        ("Vancouver", "British Columbia", 49.2827, -123.1207),
        ("Edmonton", "Alberta", 53.5461, -113.4938),
    ],
    "AU": [
        ("Sydney", "New South Wales", -33.8688, 151.2093),
        ("Melbourne", "Victoria", -37.8136, 144.9631),
        ("Brisbane", "Queensland", -27.4698, 153.0251),
    ],
    "IN": [
        ("Bangalore", "Karnataka", 12.9716, 77.5946),
        ("Delhi", "Delhi", 28.7041, 77.1025),
        ("Mumbai", "Maharashtra", 19.0760, 72.8777),
        ("Chennai", "Tamil Nadu", 13.0827, 80.2707),
    ],
    "IT": [
        ("Milan", "Lombardy", 45.4642, 9.1900),
        ("Rome", "Lazio", 41.9028, 12.4964),
        ("Turin", "Piedmont", 45.0703, 7.6869),
    ],
    "SG": [("Singapore", "Singapore", 1.3521, 103.8198)],
    "ES": [
        ("Madrid", "Community of Madrid", 40.4168, -3.7038),
        ("Barcelona", "Catalonia", 41.3851, 2.1734),
    ],
    "NL": [
        ("Amsterdam", "North Holland", 52.3676, 4.9041),
        ("Delft", "South Holland", 52.0116, 4.3571),
    ],
    "CH": [
        ("Zurich", "Zurich", 47.3769, 8.5417),
        ("Lausanne", "Vaud", 46.5197, 6.6323),
    ],
    "BR": [
        ("São Paulo", "São Paulo", -23.5505, -46.6333),
        ("Rio de Janeiro", "Rio de Janeiro", -22.9068, -43.1729),
    ],
}

CAS_ID = "I19820366"  # the default config (jobs/defaults.yaml) rolls CAS institutes up to this id
UC_SYSTEM_ID = "I2803209242"  # ... and UC campuses to this one

# country, display name, city, type, explicit OpenAlex id (None: generated), lineage parent id.
# Listed first = biggest in its country (authors pick institutions by a power law on this order).
NAMED_INSTITUTIONS = [
    ("CN", "Tsinghua University", "Beijing", "education", None, None),
    ("CN", "Shanghai Jiao Tong University", "Shanghai", "education", None, None),
    ("CN", "Zhejiang University", "Hangzhou", "education", None, None),
    ("CN", "Peking University", "Beijing", "education", None, None),
    ("CN", "Chinese Academy of Sciences", "Beijing", "government", CAS_ID, None),
    ("CN", "Institute of Automation, Chinese Academy of Sciences", "Beijing", "facility", None, CAS_ID),
    ("CN", "Institute of Computing Technology, Chinese Academy of Sciences", "Beijing", "facility", None, CAS_ID),
    ("CN", "Shanghai Institute of Microsystem and Information Technology, Chinese Academy of Sciences",
     "Shanghai", "facility", None, CAS_ID),
    ("CN", "Fudan University", "Shanghai", "education", None, None),
    ("CN", "Huazhong University of Science and Technology", "Wuhan", "education", None, None),
    ("CN", "Nanjing University", "Nanjing", "education", None, None),
    ("CN", "Wuhan University", "Wuhan", "education", None, None),
    ("CN", "Sun Yat-sen University", "Guangzhou", "education", None, None),
    ("CN", "University of Electronic Science and Technology of China", "Chengdu", "education", None, None),
    ("CN", "Xi'an Jiaotong University", "Xi'an", "education", None, None),
    ("CN", "Shenzhen University", "Shenzhen", "education", None, None),
    ("CN", "University of Hong Kong", "Hong Kong", "education", None, None),
    ("CN", "Chinese University of Hong Kong", "Hong Kong", "education", None, None),
    ("CN", "Huawei Technologies (China)", "Shenzhen", "company", None, None),
    ("CN", "Tencent (China)", "Shenzhen", "company", None, None),
    ("CN", "Alibaba Group (China)", "Hangzhou", "company", None, None),
    ("CN", "Baidu (China)", "Beijing", "company", None, None),
    ("CN", "Shanghai Artificial Intelligence Laboratory", "Shanghai", "facility", None, None),
    ("CN", "South China University of Technology", "Guangzhou", "education", None, None),
    ("CN", "Sichuan University", "Chengdu", "education", None, None),
    ("CN", "Xidian University", "Xi'an", "education", None, None),
    ("CN", "Southeast University", "Nanjing", "education", None, None),
    ("CN", "Hong Kong University of Science and Technology", "Hong Kong", "education", None, None),
    ("CN", "University of Science and Technology of China", "Hefei", "education", None, None),
    ("CN", "Harbin Institute of Technology", "Harbin", "education", None, None),
    ("US", "Massachusetts Institute of Technology", "Cambridge", "education", None, None),
    ("US", "Stanford University", "Stanford", "education", None, None),
    ("US", "University of California, Berkeley", "Berkeley", "education", None, UC_SYSTEM_ID),
    ("US", "Carnegie Mellon University", "Pittsburgh", "education", None, None),
    ("US", "University of California, Los Angeles", "Los Angeles", "education", None, UC_SYSTEM_ID),
    ("US", "Google (United States)", "Mountain View", "company", None, None),
    ("US", "Microsoft Research (United States)", "Redmond", "company", None, None),
    ("US", "University of Washington", "Seattle", "education", None, None),
    ("US", "University of California, San Diego", "San Diego", "education", None, UC_SYSTEM_ID),
    ("US", "Harvard University", "Cambridge", "education", None, None),
    ("US", "New York University", "New York", "education", None, None),
    ("US", "Georgia Institute of Technology", "Atlanta", "education", None, None),
    ("US", "University of Texas at Austin", "Austin", "education", None, None),
    ("US", "University of Michigan", "Ann Arbor", "education", None, None),
    ("US", "University of Chicago", "Chicago", "education", None, None),
    ("US", "University of California System", "Berkeley", "education", UC_SYSTEM_ID, None),
    ("US", "National Institute of Standards and Technology", "Gaithersburg", "government", None, None),
    ("GB", "University of Oxford", "Oxford", "education", None, None),
    ("GB", "University of Cambridge", "Cambridge", "education", None, None),
    ("GB", "University College London", "London", "education", None, None),
    ("GB", "Imperial College London", "London", "education", None, None),
    ("GB", "University of Edinburgh", "Edinburgh", "education", None, None),
    ("GB", "DeepMind (United Kingdom)", "London", "company", None, None),
    ("DE", "Technical University of Munich", "Munich", "education", None, None),
    ("DE", "Max Planck Institute for Intelligent Systems", "Tübingen", "facility", None, None),
    ("DE", "RWTH Aachen University", "Aachen", "education", None, None),
    ("DE", "Humboldt-Universität zu Berlin", "Berlin", "education", None, None),
    ("DE", "German Research Centre for Artificial Intelligence", "Saarbrücken", "facility", None, None),
    ("DE", "Siemens (Germany)", "Munich", "company", None, None),
    ("JP", "University of Tokyo", "Tokyo", "education", None, None),
    ("JP", "Kyoto University", "Kyoto", "education", None, None),
    ("JP", "Osaka University", "Osaka", "education", None, None),
    ("JP", "RIKEN", "Tokyo", "facility", None, None),
    ("JP", "NTT (Japan)", "Tokyo", "company", None, None),
    ("FR", "Sorbonne Université", "Paris", "education", None, None),
    ("FR", "Institut national de recherche en informatique et en automatique", "Paris", "government", None, None),
    ("FR", "Centre National de la Recherche Scientifique", "Paris", "government", None, None),
    ("FR", "Université Grenoble Alpes", "Grenoble", "education", None, None),
    ("KR", "Seoul National University", "Seoul", "education", None, None),
    ("KR", "Korea Advanced Institute of Science and Technology", "Daejeon", "education", None, None),
    ("KR", "Pohang University of Science and Technology", "Pohang", "education", None, None),
    ("KR", "Samsung (South Korea)", "Seoul", "company", None, None),
    ("CA", "University of Toronto", "Toronto", "education", None, None),
    ("CA", "McGill University", "Montreal", "education", None, None),
    ("CA", "Université de Montréal", "Montreal", "education", None, None),
    ("CA", "University of British Columbia", "Vancouver", "education", None, None),
    ("CA", "Vector Institute", "Toronto", "nonprofit", None, None),
    ("AU", "University of Sydney", "Sydney", "education", None, None),
    ("AU", "University of Melbourne", "Melbourne", "education", None, None),
    ("AU", "Commonwealth Scientific and Industrial Research Organisation", "Sydney", "government", None, None),
    ("IN", "Indian Institute of Science Bangalore", "Bangalore", "education", None, None),
    ("IN", "Indian Institute of Technology Delhi", "Delhi", "education", None, None),
    ("IN", "Indian Institute of Technology Bombay", "Mumbai", "education", None, None),
    ("IT", "Politecnico di Milano", "Milan", "education", None, None),
    ("IT", "Sapienza University of Rome", "Rome", "education", None, None),
    ("SG", "National University of Singapore", "Singapore", "education", None, None),
    ("SG", "Nanyang Technological University", "Singapore", "education", None, None),
    ("SG", "Agency for Science, Technology and Research", "Singapore", "government", None, None),
    ("ES", "Universidad Politécnica de Madrid", "Madrid", "education", None, None),
    ("NL", "Delft University of Technology", "Delft", "education", None, None),
    ("NL", "University of Amsterdam", "Amsterdam", "education", None, None),
    ("CH", "ETH Zurich", "Zurich", "education", None, None),
    ("CH", "École Polytechnique Fédérale de Lausanne", "Lausanne", "education", None, None),
    ("BR", "Universidade de São Paulo", "São Paulo", "education", None, None),
]

# Generated institutions: "<city> <template>", one name per (city, template) pair.
FILLER_TEMPLATES = [
    ("University", "education"),
    ("University of Technology", "education"),
    ("Institute of Science and Technology", "education"),
    ("Normal University", "education"),
    ("Medical University", "education"),
    ("Research Center for Intelligent Computing", "facility"),
    ("General Hospital", "healthcare"),
    ("Intelligent Systems Co., Ltd.", "company"),
    ("Institute of Advanced Studies", "facility"),
    ("National Laboratory", "government"),
    ("Polytechnic University", "education"),
    ("Data Technologies Inc.", "company"),
]

_FIELDS = {
    "cs": ("17", "Computer Science", "3", "Physical Sciences"),
    "eng": ("22", "Engineering", "3", "Physical Sciences"),
    "med": ("27", "Medicine", "4", "Health Sciences"),
    "phys": ("31", "Physics and Astronomy", "3", "Physical Sciences"),
    "mat": ("25", "Materials Science", "3", "Physical Sciences"),
    "math": ("26", "Mathematics", "3", "Physical Sciences"),
    "bio": ("13", "Biochemistry, Genetics and Molecular Biology", "1", "Life Sciences"),
}
FIELD_KEYS = list(_FIELDS)


@dataclass(frozen=True)
class Topic:
    name: str
    subfield: tuple[str, str]
    field: str
    weight: float  # share of ordinary papers; 0: only front cores carry it
    concepts: tuple[str, ...]
    keywords: tuple[str, ...]
    patent_terms: tuple[str, ...]
    cpc: tuple[str, ...]
    patent_weight: float


TOPICS = [
    Topic("Machine Learning and Deep Neural Networks", ("1702", "Artificial Intelligence"), "cs", 12,
          ("Machine learning", "Deep learning", "Artificial neural network"),
          ("machine learning", "deep learning", "neural network"),
          ("machine learning", "neural network"), ("G06N3/08", "G06N20/00", "G06N3/04"), 14),
    Topic("Computer Vision and Object Detection", ("1707", "Computer Vision and Pattern Recognition"), "cs", 10,
          ("Computer vision", "Object detection", "Image segmentation"),
          ("computer vision", "object detection", "image recognition"),
          ("computer vision", "image recognition"), ("G06V10/82", "G06T7/00", "G06V20/56"), 10),
    Topic("Natural Language Processing and Machine Translation", ("1702", "Artificial Intelligence"), "cs", 7,
          ("Natural language processing", "Machine translation", "Text mining"),
          ("natural language processing", "machine translation", "text mining"),
          ("natural language processing",), ("G06F40/30", "G06F40/58"), 6),
    Topic("Data Mining and Anomaly Detection", ("1710", "Information Systems"), "cs", 5,
          ("Data mining", "Anomaly detection", "Cluster analysis"),
          ("data mining", "anomaly detection", "knowledge discovery"),
          ("data mining",), ("G06F16/2465", "G06F18/23"), 4),
    Topic("Information Retrieval and Recommender Systems", ("1710", "Information Systems"), "cs", 4,
          ("Information retrieval", "Recommender system", "Search engine"),
          ("information retrieval", "recommender system", "search engine"),
          ("information retrieval", "recommender system"), ("G06F16/35", "G06F16/9535"), 4),
    Topic("Human-Computer Interaction and Usability", ("1709", "Human-Computer Interaction"), "cs", 3,
          ("Human-computer interaction", "User interface", "Usability"),
          ("human-computer interaction", "user interface", "usability"),
          ("human-computer interaction", "user interface"), ("G06F3/01", "G06F3/0481"), 2),
    Topic("Multimedia Retrieval and Video Processing", ("2214", "Media Technology"), "eng", 3,
          ("Multimedia", "Video processing", "Image compression"),
          ("multimedia", "video processing", "image compression"),
          ("multimedia", "video processing"), ("H04N19/00", "H04N21/234"), 3),
    Topic("Robotics and Autonomous Vehicles", ("2207", "Control and Systems Engineering"), "eng", 5,
          ("Robotics", "Robot", "Autonomous vehicle"),
          ("robotics", "robot", "autonomous vehicle"),
          ("robotics", "autonomous vehicle"), ("B25J9/16", "G05D1/02", "B60W60/00"), 6),
    Topic("Knowledge Graph and Ontology Engineering", ("1702", "Artificial Intelligence"), "cs", 2,
          ("Knowledge graph", "Ontology", "Knowledge representation"),
          ("knowledge graph", "ontology", "knowledge representation"),
          ("knowledge graph",), ("G06N5/02", "G06F16/36"), 2),
    Topic("Speech Recognition and Synthesis", ("1711", "Signal Processing"), "cs", 3,
          ("Speech recognition", "Speech synthesis", "Speaker recognition"),
          ("speech recognition", "speech synthesis", "speaker recognition"),
          ("speech recognition",), ("G10L15/16", "G10L13/00"), 4),
    Topic("Wireless Networks and Communication Protocols", ("1705", "Computer Networks and Communications"), "cs", 6,
          ("Computer network", "Wireless network", "Telecommunications"),
          ("wireless network", "5G", "communication protocol"),
          ("wireless network", "communication protocol"), ("H04L5/00", "H04W72/04", "H04L1/00"), 10),
    Topic("Cloud Computing and Distributed Systems", ("1705", "Computer Networks and Communications"), "cs", 5,
          ("Cloud computing", "Distributed computing", "Edge computing"),
          ("cloud computing", "edge computing", "distributed system"),
          ("cloud computing", "edge computing"), ("G06F9/50", "H04L67/10"), 8),
    Topic("Quantum Computing Algorithms and Hardware", ("3107", "Atomic and Molecular Physics, and Optics"), "phys", 4,
          ("Quantum computer", "Qubit", "Quantum algorithm"),
          ("quantum computing", "qubit", "quantum algorithm"),
          ("quantum computing",), ("G06N10/00", "H04L9/08"), 3),
    Topic("Battery Materials and Energy Storage", ("2505", "Materials Chemistry"), "mat", 5,
          ("Lithium-ion battery", "Electrode", "Electrochemistry"),
          ("lithium-ion battery", "electrode", "energy storage"),
          ("energy storage", "battery"), ("H01M10/0525", "H01M4/13"), 7),
    Topic("Cancer Immunotherapy and Tumor Biology", ("2730", "Oncology"), "med", 6,
          ("Cancer", "Immunotherapy", "Tumor microenvironment"),
          ("cancer", "immunotherapy", "tumor"),
          ("immunotherapy",), ("A61K39/395", "A61P35/00"), 3),
    Topic("Medical Image Analysis", ("2741", "Radiology, Nuclear Medicine and Imaging"), "med", 4,
          ("Medical imaging", "Deep learning", "Image segmentation"),
          ("medical imaging", "image segmentation", "deep learning"),
          ("medical imaging", "machine learning"), ("G16H30/40", "G06T7/00"), 4),
    Topic("Control Systems and Optimization", ("2207", "Control and Systems Engineering"), "eng", 4,
          ("Control theory", "Mathematical optimization", "Robust control"),
          ("control system", "optimization", "robust control"),
          ("control system",), ("G05B13/02", "G05B17/02"), 4),
    Topic("Graph Theory and Combinatorial Optimization", ("2607", "Discrete Mathematics and Combinatorics"), "math", 3,
          ("Graph theory", "Combinatorics", "Combinatorial optimization"),
          ("graph theory", "combinatorics", "optimization"),
          ("optimization",), ("G06F17/11",), 1),
    Topic("Gene Expression and Genomics", ("1312", "Molecular Biology"), "bio", 5,
          ("Gene expression", "Genomics", "Gene"),
          ("gene expression", "genomics", "sequencing"),
          ("genomics",), ("C12Q1/6869", "G16B20/00"), 2),
    Topic("Semiconductor Devices and Integrated Circuits", ("2208", "Electrical and Electronic Engineering"), "eng", 4,
          ("Transistor", "Integrated circuit", "Semiconductor"),
          ("transistor", "integrated circuit", "semiconductor"),
          ("semiconductor", "integrated circuit"), ("H01L29/78", "H01L21/02"), 8),
    # Topics carried only by research-front cores.
    Topic("Large Language Models and Transformers", ("1702", "Artificial Intelligence"), "cs", 0,
          ("Language model", "Natural language processing", "Transformer (machine learning model)"),
          ("large language model", "transformer", "natural language processing"),
          ("large language model", "natural language processing"), ("G06F40/40", "G06N3/0455"), 0),
    Topic("Diffusion Models and Generative Image Synthesis", ("1707", "Computer Vision and Pattern Recognition"), "cs", 0,
          ("Generative model", "Computer vision", "Diffusion model"),
          ("diffusion model", "image generation", "computer vision"),
          ("diffusion model", "image generation"), ("G06T11/00", "G06N3/047"), 0),
    Topic("Graph Neural Networks and Representation Learning", ("1702", "Artificial Intelligence"), "cs", 0,
          ("Graph neural network", "Machine learning", "Knowledge graph"),
          ("graph neural network", "representation learning", "machine learning"),
          ("graph neural network", "machine learning"), ("G06N3/042", "G06N5/02"), 0),
    Topic("Quantum Error Correction and Fault-Tolerant Computing", ("1703", "Computational Theory and Mathematics"),
          "cs", 0,
          ("Quantum error correction", "Qubit", "Quantum computer"),
          ("quantum error correction", "fault tolerance", "qubit"),
          ("quantum error correction", "quantum computing"), ("G06N10/70", "G06N10/40"), 0),
    Topic("Capsule Networks and Dynamic Routing", ("1707", "Computer Vision and Pattern Recognition"), "cs", 0,
          ("Capsule network", "Deep learning", "Computer vision"),
          ("capsule network", "dynamic routing", "deep learning"),
          ("capsule network", "computer vision"), ("G06N3/04", "G06V10/82"), 0),
]
TOPIC_INDEX = {t.name: i for i, t in enumerate(TOPICS)}


@dataclass(frozen=True)
class Front:
    name: str
    topic: str
    trend: str  # "rising" or "declining"
    core_offsets: tuple[int, ...]  # core publication years, as offsets back from year_end
    citer_share: tuple[float, ...]  # share of eligible papers citing it, years year_end-4 .. year_end
    citing_fields: tuple[str, ...]
    terms: tuple[str, ...]


FRONTS = [
    Front("large language models", "Large Language Models and Transformers", "rising",
          (4, 3, 3, 2, 2, 1, 1, 1, 0, 0), (0.009, 0.0144, 0.023, 0.037, 0.059),
          ("cs", "eng"), ("large language model", "natural language processing")),
    Front("diffusion models", "Diffusion Models and Generative Image Synthesis", "rising",
          (2, 2, 1, 1, 1, 0, 0, 0), (0.0, 0.0, 0.017, 0.031, 0.056),
          ("cs", "eng"), ("diffusion model", "image generation")),
    Front("graph neural networks", "Graph Neural Networks and Representation Learning", "rising",
          (4, 4, 3, 3, 2, 2, 1, 0), (0.0176, 0.0238, 0.032, 0.043, 0.0585),
          ("cs", "eng"), ("graph neural network", "machine learning")),
    Front("quantum error correction", "Quantum Error Correction and Fault-Tolerant Computing", "rising",
          (4, 3, 2, 1, 0, 0), (0.012, 0.0168, 0.0235, 0.033, 0.046),
          ("phys", "cs", "eng", "mat"), ("quantum error correction", "quantum computing")),
    Front("capsule networks", "Capsule Networks and Dynamic Routing", "declining",
          (4, 4, 4, 3, 3), (0.045, 0.068, 0.036, 0.018, 0.009),
          ("cs", "eng"), ("capsule network", "computer vision")),
]
FRONT_CORE_SHARE = 0.6  # a front citer cites each available core with this probability (at least 2)

# Researcher moves origin -> destination: relative yearly rates (mover groups get these sizes).
FLOWS = [
    ("CN", "US", 40), ("CN", "GB", 7), ("CN", "SG", 6), ("CN", "CA", 6), ("CN", "AU", 6),
    ("CN", "DE", 4), ("CN", "JP", 4), ("US", "CN", 14), ("US", "GB", 5), ("US", "CA", 5),
    ("US", "DE", 3), ("US", "SG", 2), ("GB", "US", 8), ("DE", "US", 7), ("IN", "US", 12),
    ("CA", "US", 6), ("KR", "US", 4), ("FR", "US", 3), ("JP", "US", 2), ("IT", "GB", 3),
    ("FR", "GB", 2), ("IN", "GB", 3), ("GB", "DE", 2), ("DE", "CH", 2), ("FR", "CH", 2),
    ("ES", "GB", 2), ("BR", "US", 3), ("AU", "US", 2),
]

# Collaborator country of international papers, by lead country (rest spread by COUNTRIES weight).
COLLAB_OVERRIDES = {
    "CN": {"US": 0.40, "GB": 0.10, "AU": 0.08, "SG": 0.07, "CA": 0.06, "JP": 0.06, "DE": 0.05},
    "US": {"CN": 0.30, "GB": 0.12, "CA": 0.10, "DE": 0.08},
    None: {"US": 0.30, "CN": 0.18},
}
INTL_SHARE = 0.22  # international papers among ordinary papers
INTL_SHARE_HOT = 0.25  # ... among hot papers and front cores

NAMES = {
    "cn": (("Wei", "Jing", "Min", "Lei", "Yang", "Jun", "Hui", "Tao", "Chao", "Xin", "Yan", "Jie", "Hao",
            "Peng", "Yu", "Ming", "Qiang", "Lin", "Fang", "Xiaoming", "Zhiwei", "Yifan", "Zihan", "Haoran"),
           ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
            "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Tang")),
    "west": (("James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
              "Elizabeth", "Thomas", "Sarah", "Daniel", "Laura", "Matthew", "Anna", "Lukas", "Sophie",
              "Pierre", "Marie", "Marco", "Giulia", "Carlos", "Lucia"),
             ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
              "Taylor", "Moore", "Martin", "Müller", "Schmidt", "Schneider", "Dubois", "Laurent", "Rossi",
              "Russo", "García", "Fernández", "Silva", "de Vries", "Clarke")),
    "jp": (("Hiroshi", "Takashi", "Yuki", "Kenji", "Akira", "Naoko", "Satoshi", "Yumi", "Daisuke", "Aiko"),
           ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
            "Kato")),
    "kr": (("Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Jae-won", "Soo-jin", "Dong-hyun", "Eun-ji"),
           ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim")),
    "in": (("Rahul", "Priya", "Amit", "Anjali", "Vikram", "Sneha", "Arjun", "Kavya", "Sanjay", "Deepa"),
           ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Das", "Rao")),
}
CULTURES = list(NAMES)

TITLE_OPENERS = ("A Novel", "Scalable", "Robust", "Efficient", "Towards", "Rethinking", "Adaptive",
                 "Explainable", "Federated", "Self-Supervised", "Lightweight", "Unified")
TITLE_TARGETS = ("Large-Scale Data", "Real-World Applications", "Medical Diagnosis", "Smart Cities",
                 "Autonomous Systems", "Edge Devices", "Scientific Discovery", "Industrial Inspection",
                 "Remote Sensing", "Financial Forecasting", "Education", "Low-Resource Settings")

# Patents: assignees per country (name, type), biggest first; grant-country shares by year.
ASSIGNEES = {
    "US": [("International Business Machines Corporation", "company"), ("Google LLC", "company"),
           ("Microsoft Technology Licensing, LLC", "company"), ("Apple Inc.", "company"),
           ("Intel Corporation", "company"), ("Qualcomm Incorporated", "company"),
           ("DeepMind Technologies Limited", "company"), ("Amazon Technologies, Inc.", "company"),
           ("NVIDIA Corporation", "company"), ("Massachusetts Institute of Technology", "education"),
           ("The Regents of the University of California", "education"),
           ("United States Department of Energy", "government")],
    "CN": [("Huawei Technologies Co., Ltd.", "company"), ("Tencent Technology (Shenzhen) Co., Ltd.", "company"),
           ("Baidu Online Network Technology (Beijing) Co., Ltd.", "company"),
           ("Alibaba Group Holding Limited", "company"), ("State Grid Corporation of China", "company"),
           ("Tsinghua University", "education"), ("Zhejiang University", "education"),
           ("Ping An Technology (Shenzhen) Co., Ltd.", "company"),
           ("Beijing Bytedance Network Technology Co., Ltd.", "company"),
           ("Institute of Automation, Chinese Academy of Sciences", "government")],
    "JP": [("Sony Group Corporation", "company"), ("Canon Inc.", "company"), ("Toyota Motor Corporation", "company"),
           ("NEC Corporation", "company"), ("Fujitsu Limited", "company"), ("Hitachi, Ltd.", "company")],
    "KR": [("Samsung Electronics Co., Ltd.", "company"), ("LG Electronics Inc.", "company"),
           ("SK Hynix Inc.", "company"), ("Korea Advanced Institute of Science and Technology", "education")],
    "DE": [("Siemens Aktiengesellschaft", "company"), ("Robert Bosch GmbH", "company"), ("SAP SE", "company"),
           ("Fraunhofer-Gesellschaft", "government")],
    "GB": [("ARM Limited", "company"), ("DeepMind Technologies Limited", "company"), ("BAE Systems plc", "company")],
    "FR": [("Thales", "company"), ("Commissariat à l'énergie atomique", "government")],
    "NL": [("Koninklijke Philips N.V.", "company"), ("ASML Netherlands B.V.", "company")],
    "CA": [("Element AI Inc.", "company"), ("University of Toronto", "education")],
    "IN": [("Tata Consultancy Services Limited", "company"), ("Infosys Limited", "company")],
    "CH": [("ABB Schweiz AG", "company")],
    "SG": [("Agency for Science, Technology and Research", "government")],
}
PATENT_COUNTRIES = list(ASSIGNEES)
# KPSS-style value: median USD by assignee country (US highest); log-normal, sigma below.
PATENT_MEDIAN_USD = {"US": 1_400_000, "CH": 850_000, "GB": 850_000, "DE": 800_000, "JP": 650_000,
                     "NL": 700_000, "FR": 650_000, "KR": 550_000, "CA": 600_000, "SG": 500_000,
                     "IN": 250_000, "CN": 300_000}
PATENT_VALUE_SIGMA = 1.3
PATENT_NULL_VALUE_SHARE = 0.10
EUROPEAN = {"GB", "DE", "FR", "NL", "CH"}
PATENT_NUMBER_BASE = {"US": (10_000_000, "B2"), "CN": (110_000_000, "B"), "JP": (6_000_000, "B2"),
                      "KR": (10_2000_0000, "B1"), "EP": (3_000_000, "B1"), "WO": (2_019_000_000, "A1")}

# Citation model (see module docstring).
AGE_WEIGHTS = (0.5, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.28, 0.25, 0.22)
HOT_SHARE = 0.015  # hot papers per year block
CITABLE_SHARE = 0.75  # the rest is never drawn as a random reference
# Share of random references that go to hot papers, by age (citing year - cited year): early
# citations concentrate on the papers that will be highly cited, which keeps the young cells'
# top 1% above the Poisson noise of ordinary papers' few citations.
HOT_REF_SHARE_BY_AGE = (0.4, 0.25, 0.15) + (0.12,) * (len(AGE_WEIGHTS) - 3)
HOT_ALPHA = 1.5  # power law of rank inside the hot block
NORMAL_ALPHA = 3.0  # ... inside the ordinary block, with the head cut at NORMAL_HEAD
NORMAL_HEAD = 0.1

# PLANTED: the facts that do not depend on n_papers (generate_corpus returns the exact ids too).
PLANTED = {
    "papers_golden_cross": {
        "series": "yearly papers, full counting (a paper counts once per distinct author country)",
        "challenger": "CN", "leader": "US",
        "rule": "CN <= US every year before year_end-2, CN > US every year from year_end-2",
        "first_year_challenger_exceeds": 2019,
    },
    "top1_golden_cross": {
        "series": "yearly top-1% highly cited papers, ESI rule per (field, publication year), full counting",
        "challenger": "CN", "leader": "US",
        "rule": "CN <= US every year before year_end-1, CN > US every year from year_end-1",
        "first_year_challenger_exceeds": 2020,
    },
    "talent_flow": {
        "rule": "country of the primary affiliation (institution on most papers that year) changes "
                "between consecutive active years of an author",
        "largest_net_importer": "US",
        "largest_net_exporter": "CN",
        "relative_move_rates": {f"{a}->{b}": r for a, b, r in FLOWS},
    },
    "fronts": [
        {"name": f.name, "topic": f.topic, "trend": f.trend, "n_core": len(f.core_offsets),
         "core_years": sorted(2021 - o for o in f.core_offsets)}
        for f in FRONTS
    ],
}


# ---------------------------------------------------------------------------------------------
# Design: the few numbers the driver computes
# ---------------------------------------------------------------------------------------------


@dataclass
class Design:
    n_papers: int
    year_start: int
    year_end: int
    years: list[int]
    n_year: list[int]
    start: list[int]
    n_hot: list[int]
    n_citable: list[int]
    id_mult: int
    lead_cum: list[list[float]]  # [year][country] cumulative shares, ordinary papers
    lead_cum_hot: list[list[float]]  # ... hot papers and front cores
    collab_cum: list[list[float]]  # [lead][collaborator]
    expected_full: dict = field(default_factory=dict)
    fronts: list[dict] = field(default_factory=list)  # name, topic_idx, cores [(p, year_idx, review)]
    groups: list[tuple] = field(default_factory=list)  # g, c1, c2, move_year_idx, n, base, prod, cohort
    group_pick: dict = field(default_factory=dict)  # (country, year_idx) -> [(hi, g)]
    n_inst: list[int] = field(default_factory=list)
    n_patents: int = 0
    patent_n_year: list[int] = field(default_factory=list)
    patent_start: list[int] = field(default_factory=list)
    offsets: tuple = ()


def _cumulative(weights: list[float]) -> list[float]:
    total = float(sum(weights))
    out, acc = [], 0.0
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return out


def _split_counts(total: int, weights: list[float]) -> list[int]:
    """Integer counts proportional to weights summing exactly to total (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(math.floor(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda k: (counts[k] - raw[k], k))
    for k in order[: total - sum(counts)]:
        counts[k] += 1
    return counts


def _country_shares(cn: float, us: float) -> list[float]:
    rest = 1.0 - cn - us
    other_w = sum(c[3] for c in COUNTRIES)
    return [cn, us] + [rest * c[3] / other_w for c in COUNTRIES[2:]]


def _lead_shares(year: int, year_end: int, hot: bool) -> list[float]:
    """CN/US lead shares: the challenger jumps ahead at year_end-2 (papers) / year_end-1 (top 1%)."""
    if not hot:
        cross = year_end - 2
        if year < cross:
            cn, us = max(0.08, 0.24 - 0.015 * (cross - 1 - year)), 0.258 + 0.006 * (cross - 1 - year)
        else:
            cn, us = 0.295 + 0.02 * (year - cross), 0.240 - 0.008 * (year - cross)
    else:
        cross = year_end - 1
        if year < cross:
            cn, us = max(0.06, 0.20 - 0.015 * (cross - 1 - year)), 0.46 + 0.004 * (cross - 1 - year)
        else:
            cn, us = 0.50 + 0.02 * (year - cross), 0.20 - 0.01 * (year - cross)
    return _country_shares(cn, us)


def _collab_shares(lead: str) -> list[float]:
    fixed = COLLAB_OVERRIDES.get(lead, COLLAB_OVERRIDES[None])
    free = [c for c in COUNTRIES if c[0] != lead and c[0] not in fixed]
    rest = 1.0 - sum(v for k, v in fixed.items() if k != lead)
    free_w = sum(c[3] for c in free)
    shares = []
    for code, _, _, w in COUNTRIES:
        if code == lead:
            shares.append(0.0)
        elif code in fixed:
            shares.append(fixed[code])
        else:
            shares.append(rest * w / free_w)
    return shares


def _expected_full_counts(lead: list[float], intl: float) -> list[float]:
    collab = [_collab_shares(code) for code in COUNTRY_CODES]
    return [
        lead[c] + intl * sum(lead[l] * collab[l][c] for l in range(len(COUNTRIES)) if l != c)
        for c in range(len(COUNTRIES))
    ]


def _coprime_multiplier(n: int) -> int:
    a = max(1, int(n * 0.6180339887)) | 1
    while math.gcd(a, n) != 1:
        a += 1
    return a


def make_design(n_papers: int, seed: int, year_start: int, year_end: int) -> Design:
    n_years = year_end - year_start + 1
    if n_years < 6:
        raise ValueError("the planted design needs a window of at least 6 years")
    if n_papers < 1000:
        raise ValueError("n_papers must be >= 1000 for the planted design to fit")
    years = list(range(year_start, year_end + 1))
    n_year = _split_counts(n_papers, [1.08**t for t in range(n_years)])
    start = [sum(n_year[:t]) for t in range(n_years)]
    n_hot = [max(1, round(HOT_SHARE * n)) for n in n_year]
    n_citable = [int(CITABLE_SHARE * n) for n in n_year]

    lead = [_lead_shares(y, year_end, hot=False) for y in years]
    lead_hot = [_lead_shares(y, year_end, hot=True) for y in years]
    design = Design(
        n_papers=n_papers, year_start=year_start, year_end=year_end, years=years, n_year=n_year,
        start=start, n_hot=n_hot, n_citable=n_citable, id_mult=_coprime_multiplier(n_papers),
        lead_cum=[_cumulative(s) for s in lead], lead_cum_hot=[_cumulative(s) for s in lead_hot],
        collab_cum=[_cumulative([max(w, 0.0) for w in _collab_shares(c)]) for c in COUNTRY_CODES],
    )
    _check_crossings(design, lead, lead_hot)
    _place_front_cores(design)
    _author_groups(design)
    n_inst_total = max(150, int(n_papers**0.6))
    pool = _country_pool_shares(design)
    design.n_inst = [
        max(sum(1 for n in NAMED_INSTITUTIONS if n[0] == code) + 3, round(n_inst_total * pool[c]))
        for c, code in enumerate(COUNTRY_CODES)
    ]
    design.n_patents = max(1, n_papers // 10)
    design.patent_n_year = _split_counts(design.n_patents, [1.12**t for t in range(n_years)])
    design.patent_start = [sum(design.patent_n_year[:t]) for t in range(n_years)]
    rng = random.Random(f"scintel-corpus-{seed}")
    design.offsets = tuple(rng.random() for _ in range(3))
    return design


def _check_crossings(design: Design, lead: list, lead_hot: list) -> None:
    """Guard the planted margins: expected full counts must cross where PLANTED says, with room."""
    cn, us = CIDX["CN"], CIDX["US"]
    for t, y in enumerate(design.years):
        full = _expected_full_counts(lead[t], INTL_SHARE)
        full_hot = _expected_full_counts(lead_hot[t], INTL_SHARE_HOT)
        design.expected_full[y] = {"papers_cn_over_us": full[cn] / full[us],
                                   "top1_cn_over_us": full_hot[cn] / full_hot[us]}
        ratio, ratio_hot = full[cn] / full[us], full_hot[cn] / full_hot[us]
        if (y < design.year_end - 2 and ratio > 0.93) or (y >= design.year_end - 2 and ratio < 1.07):
            raise AssertionError(f"paper crossing margin too thin in {y}: {ratio:.3f}")
        if (y < design.year_end - 1 and ratio_hot > 0.8) or (y >= design.year_end - 1 and ratio_hot < 1.25):
            raise AssertionError(f"top-1% crossing margin too thin in {y}: {ratio_hot:.3f}")


def _place_front_cores(design: Design) -> None:
    """Front cores sit at the end of their year block (never drawn as random references), so
    their citations are exactly the front citers' references."""
    used = [0] * len(design.years)
    for f in FRONTS:
        cores = []
        for k, off in enumerate(f.core_offsets):
            t = len(design.years) - 1 - off
            i = design.n_year[t] - 1 - used[t]
            used[t] += 1
            if i < design.n_citable[t]:
                raise ValueError("too few papers per year for the front cores")
            cores.append((design.start[t] + i, t, k == 2))  # the third core of each front is a review
        design.fronts.append({"name": f.name, "topic_idx": TOPIC_INDEX[f.topic], "cores": cores})


def _country_pool_shares(design: Design) -> list[float]:
    """Average share of author slots per country over the window (weighted by papers)."""
    acc = [0.0] * len(COUNTRIES)
    for t in range(len(design.years)):
        lead = [b - a for a, b in zip([0.0] + design.lead_cum[t][:-1], design.lead_cum[t])]
        full = _expected_full_counts(lead, INTL_SHARE)
        for c in range(len(COUNTRIES)):
            acc[c] += full[c] * design.n_year[t]
    total = sum(acc)
    return [a / total for a in acc]


def _author_groups(design: Design) -> None:
    """Stayer groups (country x cohort) and mover groups (origin -> destination at a move year).

    Group g holds authors base_g .. base_g + n_g - 1. A slot of country c in year t picks among
    the groups whose authors are in c in year t (cohort started, before/after the move), with
    probability proportional to n_g * productivity."""
    n_years = len(design.years)
    nominal_authors = 0.5 * design.n_papers
    pool = _country_pool_shares(design)
    growth = {"CN": 1.18, "US": 0.97}
    groups = []  # g, c1, c2, move_t (99: never), n, base, productivity, cohort_t
    base = 0
    movers_share = 0.05
    cohorts = list(range(-6, n_years))
    for c, code in enumerate(COUNTRY_CODES):
        weights = [growth.get(code, 1.04) ** s for s in cohorts]
        sizes = _split_counts(max(len(cohorts), round(nominal_authors * (1 - movers_share) * pool[c])), weights)
        for s, n in zip(cohorts, sizes):
            n = max(1, n)
            groups.append((len(groups), c, c, 99, n, base, 1.0, s))
            base += n
    rate_total = sum(r for _, _, r in FLOWS)
    scale = movers_share * nominal_authors / (rate_total * (n_years - 1))
    for origin, dest, rate in FLOWS:
        for m in range(1, n_years):
            n = round(rate * scale)
            if n < 1:
                continue
            groups.append((len(groups), CIDX[origin], CIDX[dest], m, n, base, 2.0, m - 4))
            base += n
    design.groups = groups
    for c in range(len(COUNTRIES)):
        for t in range(n_years):
            eligible = [
                (g[4] * g[6], g[0]) for g in groups
                if g[7] <= t and (g[1] if t < g[3] else g[2]) == c
            ]
            cum = _cumulative([w for w, _ in eligible])
            design.group_pick[(c, t)] = [(hi, g) for hi, (_, g) in zip(cum, eligible)]


# ---------------------------------------------------------------------------------------------
# Column functions
# ---------------------------------------------------------------------------------------------
# Row-level work stays in codegen-friendly expressions (comparisons, element_at on literal
# arrays, hashes); higher-order functions (interpreted, a lambda call per element) only touch
# short arrays.

_MASK53 = (1 << 53) - 1


def unif(seed: int, salt: str, *cols) -> Column:
    """Uniform double in [0, 1) from xxhash64(seed, salt, cols): same inputs, same number."""
    return F.xxhash64(F.lit(seed), F.lit(salt), *cols).bitwiseAND(F.lit(_MASK53)) / float(1 << 53)


def std_normal(seed: int, salt: str, *cols) -> Column:
    """Box-Muller from two hashed uniforms."""
    u1 = F.lit(1.0) - unif(seed, salt + "/1", *cols)
    u2 = unif(seed, salt + "/2", *cols)
    return F.sqrt(F.lit(-2.0) * F.log(u1)) * F.cos(F.lit(2 * math.pi) * u2)


def bin_index(bounds, n_bins: int, u: Column) -> Column:
    """Bin of u given cumulative upper bounds (a Python list or an array column; last = 1.0):
    the number of bounds <= u, as a sum of comparisons. Pass u and bounds as plain column
    references: the expression repeats them n_bins times."""
    def bound(k: int) -> Column:
        return F.lit(bounds[k]) if isinstance(bounds, list) else F.element_at(bounds, k + 1)
    return reduce(lambda acc, k: acc + (u >= bound(k)).cast("int"), range(n_bins - 1), F.lit(0))


LOOKUP_BUCKETS = 2048


def lookup(cums: list[list[float]], row: Column, u: Column) -> Column:
    """Bin of u in the cumulative distribution cums[row], read from a flat literal table of
    LOOKUP_BUCKETS entries per distribution (bucket midpoints; shares exact to 1/2048). One
    element_at instead of a search keeps the generated code small."""
    table = [
        sum(1 for bound in cum[:-1] if (k + 0.5) / LOOKUP_BUCKETS >= bound)
        for cum in cums
        for k in range(LOOKUP_BUCKETS)
    ]
    bucket = F.least(F.floor(u * LOOKUP_BUCKETS), F.lit(LOOKUP_BUCKETS - 1)).cast("int")
    return F.element_at(lit_array(table), row * LOOKUP_BUCKETS + bucket + 1)


def json_literal(value, ddl_type: str) -> Column:
    """A literal of any shape from one JSON string: folded to a constant by the optimizer, and
    one call into the JVM instead of one per element (big tables would take minutes)."""
    return F.from_json(F.lit(json.dumps(value)), ddl_type)


def lit_array(values, cast: str | None = None) -> Column:
    values = list(values)
    if cast is None:
        if all(isinstance(v, str) for v in values):
            cast = "string"
        elif all(isinstance(v, bool) for v in values):
            cast = "boolean"
        elif all(isinstance(v, int) for v in values):
            cast = "int"
        else:
            cast = "double"
    return json_literal(values, f"array<{cast}>")


def lit_array2(rows, cast: str) -> Column:
    return json_literal([list(r) for r in rows], f"array<array<{cast}>>")


def at(arr: Column, idx0: Column) -> Column:
    """0-based element of an array column."""
    return F.element_at(arr, idx0 + 1)


def year_block(p: Column, starts: list[int]) -> Column:
    """Index of the year block holding p (blocks are contiguous ranges starting at `starts`)."""
    return reduce(lambda acc, s: acc + (p >= F.lit(s)).cast("int"), starts[1:], F.lit(0))


def low_discrepancy(i: Column, dim: int, offset: float) -> Column:
    """R_3 sequence (Roberts): coordinate dim of point i; evenly spread on any run of i."""
    g = 1.2207440846057596  # root of x^4 = x + 1
    alpha = (1.0 / g ** (dim + 1)) % 1.0
    x = F.lit(offset) + i.cast("double") * F.lit(alpha)
    return x - F.floor(x)


def openalex_id(prefix: str, num: Column) -> Column:
    return F.concat(F.lit(OPENALEX + prefix), num.cast("string"))


def work_num(design: Design, p: Column) -> Column:
    """Bijective shuffle of the paper number, so ids do not reveal year or popularity."""
    return F.lit(WORK_ID_BASE) + F.pmod(p * F.lit(design.id_mult), F.lit(design.n_papers))


def local_table(spark: SparkSession, rows: list[tuple], schema: str) -> DataFrame:
    """A small DataFrame from driver-side rows, built from one JSON literal (createDataFrame on
    a list would ship pickled rows through Python workers). schema: "name type, name type"."""
    fields = [part.strip().split(" ", 1) for part in _split_top_level(schema)]
    row_type = "struct<" + ",".join(f"{name}:{typ}" for name, typ in fields) + ">"
    records = [{name: value for (name, _), value in zip(fields, row)} for row in rows]
    return spark.range(1).select(F.inline(json_literal(records, f"array<{row_type}>")))


def _split_top_level(schema: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in schema:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch in "<("
        depth -= ch in ">)"
        cur += ch
    return parts + [cur]


# ---------------------------------------------------------------------------------------------
# Dimensions
# ---------------------------------------------------------------------------------------------


_TAXON_DDL = "struct<id:string,display_name:string>"


def _taxon(prefix: str, key: str, name: str) -> dict:
    return {"id": f"{OPENALEX}{prefix}/{key}", "display_name": name}


def topic_struct_array() -> Column:
    """All topics as OpenAlex topic structs (score filled in per paper)."""
    structs = []
    for k, t in enumerate(TOPICS):
        fid, fname, did, dname = _FIELDS[t.field]
        structs.append({
            "id": f"{OPENALEX}T{12000 + k}", "display_name": t.name,
            "subfield": _taxon("subfields", *t.subfield), "field": _taxon("fields", fid, fname),
            "domain": _taxon("domains", did, dname),
        })
    ddl = f"array<struct<id:string,display_name:string,subfield:{_TAXON_DDL},field:{_TAXON_DDL},domain:{_TAXON_DDL}>>"
    return json_literal(structs, ddl)


def _concept_ids() -> dict[str, int]:
    names = sorted({c for t in TOPICS for c in t.concepts} | {_FIELDS[k][1] for k in _FIELDS})
    return {n: 40_000_000 + k for k, n in enumerate(names)}


def concept_array() -> Column:
    """Per topic: its field concept (level 0) and its own concepts (levels 1-2)."""
    ids = _concept_ids()
    per_topic = []
    for t in TOPICS:
        items = [(_FIELDS[t.field][1], 0)] + [(c, 1 if k == 0 else 2) for k, c in enumerate(t.concepts)]
        per_topic.append([{"id": f"{OPENALEX}C{ids[n]}", "display_name": n, "level": lvl} for n, lvl in items])
    return json_literal(per_topic, "array<array<struct<id:string,display_name:string,level:int>>>")


def build_institutions(spark: SparkSession, design: Design, seed: int) -> DataFrame:
    """One row per institution: inst_key plus the RAW_INSTITUTION columns (stats added later)."""
    countries_df = local_table(
        spark,
        [(c, code, name, design.n_inst[c]) for c, (code, name, _, _) in enumerate(COUNTRIES)],
        "c int, code string, country string, n_inst int",
    )
    named_rows = []
    rank = {code: 0 for code in COUNTRY_CODES}
    for code, name, city, typ, explicit, parent in NAMED_INSTITUTIONS:
        named_rows.append((CIDX[code], rank[code], name, city, typ, explicit, parent))
        rank[code] += 1
    named_df = local_table(
        spark, named_rows, "c int, k int, named string, named_city string, named_type string, explicit string, parent string"
    )
    city_rows = [
        (CIDX[code], j, city, region, lat, lon)
        for code, cities in CITIES.items()
        for j, (city, region, lat, lon) in enumerate(cities)
    ]
    cities_df = local_table(spark, city_rows, "c int, city_k int, city string, region string, lat double, lon double")
    n_cities = lit_array([len(CITIES[code]) for code in COUNTRY_CODES])
    n_named = lit_array([rank[code] for code in COUNTRY_CODES])
    tmpl_names = lit_array([t[0] for t in FILLER_TEMPLATES])
    tmpl_types = lit_array([t[1] for t in FILLER_TEMPLATES])

    inst_df = (
        countries_df
        .select("c", "code", "country", F.explode(F.sequence(F.lit(0), F.col("n_inst") - 1)).alias("k"))
        .join(F.broadcast(named_df), on=["c", "k"], how="left")
        .withColumn("filler", F.col("k") - at(n_named, F.col("c")))
        .withColumn("n_city", at(n_cities, F.col("c")))
        .withColumn("city_k", F.pmod(F.col("filler"), F.col("n_city")).cast("int"))
        .withColumn("tmpl", F.pmod(F.floor(F.col("filler") / F.col("n_city")), F.lit(len(FILLER_TEMPLATES))).cast("int"))
        .withColumn("campus", F.floor(F.col("filler") / (F.col("n_city") * len(FILLER_TEMPLATES))))
        .join(F.broadcast(cities_df), on=["c", "city_k"], how="left")
    )
    named_city = cities_df.select(F.col("c").alias("nc"), F.col("city").alias("ncity"),
                                  F.col("region").alias("nregion"), F.col("lat").alias("nlat"),
                                  F.col("lon").alias("nlon"))
    inst_df = inst_df.join(F.broadcast(named_city),
                           on=[F.col("c") == F.col("nc"), F.col("named_city") == F.col("ncity")], how="left")
    is_named = F.col("named").isNotNull()
    filler_name = F.concat(F.col("city"), F.lit(" "), at(tmpl_names, F.col("tmpl")),
                           F.when(F.col("campus") > 0, F.concat(F.lit(" ("), (F.col("campus") + 1).cast("string"),
                                                               F.lit(")"))).otherwise(F.lit("")))
    inst_key = F.col("c").cast("long") * INST_KEY_STRIDE + F.col("k")
    id_short = F.coalesce(F.col("explicit"), F.concat(F.lit("I"), (F.lit(INSTITUTION_ID_BASE) + inst_key).cast("string")))
    full_id = F.concat(F.lit(OPENALEX), id_short)
    h = F.xxhash64(F.lit(seed), F.lit("ror"), inst_key)
    ror = F.concat(F.lit("https://ror.org/0"), F.lower(F.substring(F.conv(F.abs(h).cast("string"), 10, 36), 1, 6)),
                   F.lpad(F.pmod(h, F.lit(100)).cast("string"), 2, "0"))
    lineage = F.when(F.col("parent").isNotNull(),
                     F.array(full_id, F.concat(F.lit(OPENALEX), F.col("parent")))).otherwise(F.array(full_id))
    return inst_df.select(
        inst_key.alias("inst_key"),
        F.col("c"),
        full_id.alias("id"),
        ror.alias("ror"),
        F.when(is_named, F.col("named")).otherwise(filler_name).alias("display_name"),
        F.col("code").alias("country_code"),
        F.when(is_named, F.col("named_type")).otherwise(at(tmpl_types, F.col("tmpl"))).alias("type"),
        F.struct(
            F.when(is_named, F.col("ncity")).otherwise(F.col("city")).alias("city"),
            F.when(is_named, F.col("nregion")).otherwise(F.col("region")).alias("region"),
            F.col("code").alias("country_code"),
            F.col("country").alias("country"),
            F.when(is_named, F.col("nlat")).otherwise(F.col("lat")).alias("latitude"),
            F.when(is_named, F.col("nlon")).otherwise(F.col("lon")).alias("longitude"),
        ).alias("geo"),
        lineage.alias("lineage"),
    )


def institution_ref(inst_df: DataFrame) -> DataFrame:
    """inst_key -> the RAW_INSTITUTION_REF struct works and authors embed."""
    return inst_df.select(
        "inst_key",
        F.struct("id", "display_name", "ror", "country_code", "type", "lineage").alias("inst"),
    )


# ---------------------------------------------------------------------------------------------
# Papers and references
# ---------------------------------------------------------------------------------------------


def build_papers(spark: SparkSession, design: Design, seed: int, n_parts: int) -> DataFrame:
    """Grain: paper p (0..N-1): everything decided at paper level. Hash-partitioned on p, so
    every later per-paper aggregation (references, authorships) needs no further shuffle."""
    d = design
    p, t, i = F.col("p"), F.col("t"), F.col("i")
    n_years = len(d.years)
    core_rows = [(c[0], fi, c[2]) for fi, f in enumerate(d.fronts) for c in f["cores"]]
    core_ps = lit_array([r[0] for r in core_rows], "bigint")
    core_front = F.map_from_arrays(core_ps, lit_array([r[1] for r in core_rows]))
    core_review = F.map_from_arrays(core_ps, lit_array([r[2] for r in core_rows], "boolean"))
    topic_cum = _cumulative([tp.weight for tp in TOPICS])
    hot = F.col("is_hotlike")
    intl_share = F.when(hot, F.lit(INTL_SHARE_HOT)).otherwise(F.lit(INTL_SHARE))
    collab = lookup(d.collab_cum, F.col("lead_c"), F.col("v3") / intl_share)
    team = F.least(F.lit(20), F.lit(1) + F.floor(F.lit(-3.2) * F.log(F.lit(1.0) - unif(seed, "team", p)))).cast("int")
    draws = (F.lit(4) + F.floor(F.lit(32.0) * F.pow(unif(seed, "n_refs", p), F.lit(1.8)))).cast("int")

    base_df = (
        spark.range(d.n_papers).withColumnRenamed("id", "p")
        .repartition(n_parts, "p")
        .withColumn("t", year_block(p, d.start))
        .withColumn("i", p - at(lit_array(d.start, "bigint"), t))
        .withColumn("core_front", F.try_element_at(core_front, p))
        .withColumn("is_core", F.col("core_front").isNotNull())
        .withColumn("is_hotlike", (i < at(lit_array(d.n_hot, "bigint"), t)) | F.col("is_core"))
        .withColumn("v1", low_discrepancy(i, 0, d.offsets[0]))
        .withColumn("v2", low_discrepancy(i, 1, d.offsets[1]))
        .withColumn("v3", low_discrepancy(i, 2, d.offsets[2]))
        .withColumn("lead_c", lookup(d.lead_cum + d.lead_cum_hot, t + F.when(hot, n_years).otherwise(0), F.col("v1")))
        .withColumn("is_intl", F.col("v3") < intl_share)
        .withColumn("collab_c", F.when(F.col("is_intl"), collab))
        .withColumn("topic", F.when(F.col("is_core"), at(lit_array([f["topic_idx"] for f in d.fronts]), F.col("core_front")))
                    .otherwise(lookup([topic_cum], F.lit(0), F.col("v2"))))
        .withColumn("field_k", at(lit_array([FIELD_KEYS.index(tp.field) for tp in TOPICS]), F.col("topic")))
        .withColumn("team", F.when(F.col("is_intl"), F.greatest(team, F.lit(2))).otherwise(team))
        .withColumn("is_review", F.coalesce(F.try_element_at(core_review, p), unif(seed, "review", p) < 0.05))
        .withColumn("n_draws", F.when(F.col("is_review"), draws * 3).otherwise(draws))
    )
    # Front citers: one uniform per paper against the fronts' stacked yearly shares.
    share_cols = []
    for fi, f in enumerate(FRONTS):
        shares = [0.0] * (n_years - len(f.citer_share)) + list(f.citer_share)
        eligible = F.col("field_k").isin(*[FIELD_KEYS.index(k) for k in f.citing_fields])
        share_cols.append(F.when(eligible, at(lit_array(shares, "double"), t)).otherwise(F.lit(0.0)).alias(f"fs{fi}"))
    u = F.col("u_front")
    chosen, lo = F.lit(None).cast("int"), F.lit(0.0)
    for fi in reversed(range(len(FRONTS))):
        lo = reduce(lambda acc, k: acc + F.col(f"fs{k}"), range(fi), F.lit(0.0))
        chosen = F.when((u >= lo) & (u < lo + F.col(f"fs{fi}")), F.lit(fi)).otherwise(chosen)
    return (
        base_df.select("*", *share_cols, unif(seed, "front", p).alias("u_front"))
        .withColumn("front", F.when(F.col("is_core"), F.col("core_front")).otherwise(chosen))
        .drop(*[f"fs{fi}" for fi in range(len(FRONTS))], "v1", "v2", "v3", "u_front")
    )


def random_edges(design: Design, seed: int, papers_df: DataFrame) -> DataFrame:
    """Grain: (citing p, cited): each draw picks an age (years back; beyond the window = a
    reference outside the corpus, dropped), then a popularity rank inside the cited year:
    HOT_REF_SHARE of draws go to the hot block by a power law, the rest to the ordinary
    citable block by a head-capped power law. The uncitable tail (and the front cores in it)
    is never drawn."""
    d = design
    p, j = F.col("p"), F.col("j")
    age_cum = _cumulative(list(AGE_WEIGHTS))
    head = NORMAL_HEAD ** (1.0 / NORMAL_ALPHA)
    u = unif(seed, "rank", p, j)
    x = (F.pow(F.lit(head) + F.lit(1.0 - head) * u, F.lit(NORMAL_ALPHA)) - F.lit(NORMAL_HEAD)) / F.lit(1.0 - NORMAL_HEAD)
    ct = F.col("cited_t")
    hot_n, cit_n = at(lit_array(d.n_hot, "bigint"), ct), at(lit_array(d.n_citable, "bigint"), ct)
    hot_share = at(lit_array(HOT_REF_SHARE_BY_AGE, "double"), F.col("t") - ct)
    rank = F.when(unif(seed, "hot", p, j) < hot_share, F.floor(hot_n * F.pow(u, F.lit(HOT_ALPHA)))).otherwise(
        hot_n + F.floor((cit_n - hot_n) * x))
    return (
        papers_df
        .select("p", "t", F.explode(F.sequence(F.lit(0), F.col("n_draws") - 1)).alias("j"))
        .withColumn("cited_t", F.col("t") - lookup([age_cum], F.lit(0), unif(seed, "age", p, j)))
        .filter(F.col("cited_t") >= 0)
        .select("p", "t", (at(lit_array(d.start, "bigint"), ct) + rank.cast("bigint")).alias("cited"))
        .filter(F.col("cited") != p)
        .distinct()  # two draws of one paper may hit the same work; partitioned on p: no shuffle
    )


def front_edges(spark: SparkSession, design: Design, seed: int, papers_df: DataFrame) -> DataFrame:
    """Grain: (citing p, cited core): a front citer cites each core of its front published by its
    year with probability FRONT_CORE_SHARE, and at least two of them; cores cite their own
    front's other cores (same rule). Disjoint from random_edges: cores are never drawn there."""
    cores_df = local_table(
        spark,
        [(fi, c[0], c[1]) for fi, f in enumerate(design.fronts) for c in f["cores"]],
        "front int, core_p bigint, core_t int",
    )
    by_hash = Window.partitionBy("p").orderBy("h", "core_p").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    return (
        papers_df.filter(F.col("front").isNotNull())
        .select("p", "t", "front")
        .join(F.broadcast(cores_df), on="front", how="inner")
        .filter((F.col("core_t") <= F.col("t")) & (F.col("core_p") != F.col("p")))
        .withColumn("h", unif(seed, "core", F.col("p"), F.col("core_p")))
        .withColumn("pick", F.row_number().over(by_hash))
        .filter((F.col("h") < FRONT_CORE_SHARE) | (F.col("pick") <= 2))
        .select("p", "t", F.col("core_p").alias("cited"))
    )


def references_per_paper(design: Design, edges_df: DataFrame) -> DataFrame:
    """Grain: citing paper: referenced_works as sorted OpenAlex URLs."""
    return edges_df.groupBy("p").agg(
        F.sort_array(F.collect_list(openalex_id("W", work_num(design, F.col("cited"))))).alias("referenced_works"))


def citation_counts(design: Design, edges_df: DataFrame) -> DataFrame:
    """Grain: cited paper p with at least one citation: cited_by_count and counts_by_year
    (citing years with zero citations omitted, newest first, as OpenAlex lists them).

    One group-by on the cited id with per-year conditional sums; partial aggregation keeps hub
    papers (tens of thousands of citations at 10M papers) from landing whole on one task."""
    per_year = [F.sum(F.when(F.col("t") == k, 1).otherwise(0)).alias(f"y{k}") for k in range(len(design.years))]
    by_year = F.array(*[
        F.struct(F.lit(y).alias("year"), F.col(f"y{k}").cast("bigint").alias("cited_by_count"))
        for k, y in reversed(list(enumerate(design.years)))
    ])
    return (
        edges_df.groupBy("cited").agg(F.count(F.lit(1)).alias("cited_by_count"), *per_year)
        .select(
            F.col("cited").alias("p"),
            F.col("cited_by_count"),
            F.filter(by_year, lambda x: x["cited_by_count"] > 0).alias("counts_by_year"),
        )
    )


# ---------------------------------------------------------------------------------------------
# Authorships
# ---------------------------------------------------------------------------------------------

INST_ALPHA = 1.8  # power law over an author's country's institutions (named ones are biggest)
AUTHOR_ALPHA = 1.8  # power law over authors inside a group (rank 0 = most productive)
AUTHOR_ALPHA_HOT = 3.0  # hot papers lean on productive authors (stars write the cited papers)


def authorship_rows(spark: SparkSession, design: Design, seed: int, papers_df: DataFrame,
                    inst_ref_df: DataFrame) -> DataFrame:
    """Grain: (paper, distinct author), in byline order: p, t, rank, a, c1 (home country),
    inst_keys and `authorship`, the RAW_AUTHORSHIP struct.

    Slot j of a paper has the lead country, or the collaborator country on international
    papers; it picks an author group eligible for (country, year), then an author inside it."""
    d = design
    # Per (country, year): cumulative pick bounds of the eligible groups and, aligned with them,
    # the groups' attributes (origin, destination, move year, size, first author number).
    width = max(len(v) for v in d.group_pick.values())
    attrs = ("c1", "c2", "move_t", "n", "base")
    pick_rows = []
    for (c, t_), picks in sorted(d.group_pick.items()):
        padded = picks + [picks[-1]] * (width - len(picks))
        row = [c * 100 + t_, [hi for hi, _ in picks] + [1.0] * (width - len(picks))]
        for k in range(len(attrs)):
            row.append([d.groups[g][1 + k] for _, g in padded])
        pick_rows.append(tuple(row))
    pick_df = local_table(
        spark, pick_rows,
        "cy int, bounds array<double>, " + ", ".join(f"g_{name} array<bigint>" for name in attrs),
    )
    p, j, t, a = F.col("p"), F.col("j"), F.col("t"), F.col("a")
    is_collab = F.col("is_intl") & ((j == F.col("team") - 1) | ((j > 0) & (unif(seed, "collab_slot", p, j) < 0.3)))
    alpha = F.when(F.col("is_hotlike"), F.lit(AUTHOR_ALPHA_HOT)).otherwise(F.lit(AUTHOR_ALPHA))
    # An author's career is a pure function of the author (and group): every paper agrees on it.
    local_move = (unif(seed, "local_move", a) < 0.15) & (
        t >= F.lit(1) + F.floor(unif(seed, "local_move_year", a) * (len(d.years) - 1)))
    epoch = F.when(F.col("move_t") < 99, (t >= F.col("move_t")).cast("int")).otherwise(local_move.cast("int"))
    n_inst = at(lit_array(d.n_inst, "bigint"), F.col("c"))

    def inst_in(salt: str) -> Column:
        rank = F.floor(n_inst * F.pow(unif(seed, salt, a, F.col("epoch")), F.lit(INST_ALPHA)))
        return F.col("c").cast("bigint") * INST_KEY_STRIDE + rank

    has_second = (unif(seed, "has_second", a) < 0.12) & (unif(seed, "second_on_paper", p, j) < 0.3)
    first_slot = Window.partitionBy("p", "a").orderBy("j").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    byline = Window.partitionBy("p").orderBy("j").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    whole_paper = Window.partitionBy("p").rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    slots_df = (
        papers_df
        .select("p", "t", "team", "lead_c", "collab_c", "is_intl", "is_hotlike",
                F.explode(F.sequence(F.lit(0), F.col("team") - 1)).alias("j"))
        .withColumn("cy", F.when(is_collab, F.col("collab_c")).otherwise(F.col("lead_c")) * 100 + t)
        .join(F.broadcast(pick_df), on="cy", how="inner")
        .withColumn("u_group", unif(seed, "group", p, j))
        .withColumn("gi", bin_index(F.col("bounds"), width, F.col("u_group")))
        .select("p", "t", "j", "is_hotlike",
                *[at(F.col(f"g_{name}"), F.col("gi")).cast("bigint" if name in ("n", "base") else "int").alias(name)
                  for name in attrs])
        .withColumn("a", F.col("base") + F.floor(F.col("n") * F.pow(unif(seed, "author", p, j), alpha)).cast("bigint"))
        .withColumn("epoch", epoch)
        .withColumn("c", F.when(t >= F.col("move_t"), F.col("c2")).otherwise(F.col("c1")))
        .withColumn("inst_key", inst_in("inst"))
        .withColumn("sec_key", F.when(has_second & (inst_in("second_inst") != F.col("inst_key")), inst_in("second_inst")))
        # An author drawn twice for one paper keeps the first slot (same author, same country).
        .withColumn("dup", F.row_number().over(first_slot))
        .filter(F.col("dup") == 1)
        .withColumn("rank", F.row_number().over(byline))
        .withColumn("n_authors", F.count(F.lit(1)).over(whole_paper))
    )
    primary = inst_ref_df.select("inst_key", "inst")
    secondary = inst_ref_df.select(F.col("inst_key").alias("sec_key"), F.col("inst").alias("sec_inst"))
    has_sec = F.col("sec_key").isNotNull()
    position = F.when(F.col("rank") == 1, "first").when(F.col("rank") == F.col("n_authors"), "last").otherwise("middle")
    authorship = F.struct(
        position.alias("author_position"),
        F.struct(openalex_id("A", F.lit(AUTHOR_ID_BASE) + a).alias("id"),
                 author_name(seed, a, F.col("c1")).alias("display_name"),
                 author_orcid(seed, a).alias("orcid")).alias("author"),
        F.when(has_sec, F.array("inst", "sec_inst")).otherwise(F.array("inst")).alias("institutions"),
        F.array(at(lit_array(COUNTRY_CODES), F.col("c"))).alias("countries"),
        (F.col("rank") == 1).alias("is_corresponding"),
    )
    return (
        slots_df
        .join(F.broadcast(primary), on="inst_key", how="inner")
        .join(F.broadcast(secondary), on="sec_key", how="left")
        .select(
            "p", "t", "rank", "a", "c1", "c",
            F.when(has_sec, F.array("inst_key", "sec_key")).otherwise(F.array("inst_key")).alias("inst_keys"),
            authorship.alias("authorship"),
        )
    )


def paper_authorships(rows_df: DataFrame) -> DataFrame:
    """Grain: paper: authorships array in byline order (rows are partitioned on p: no shuffle)."""
    return rows_df.groupBy("p").agg(
        F.transform(F.sort_array(F.collect_list(F.struct("rank", "authorship"))), lambda x: x["authorship"])
        .alias("authorships"))


def author_name(seed: int, a: Column, c1: Column) -> Column:
    culture = at(lit_array([CULTURES.index(c[2]) for c in COUNTRIES]), c1)
    given = lit_array2([list(NAMES[k][0]) for k in CULTURES], "string")
    family = lit_array2([list(NAMES[k][1]) for k in CULTURES], "string")
    n_given = at(lit_array([len(NAMES[k][0]) for k in CULTURES]), culture)
    n_family = at(lit_array([len(NAMES[k][1]) for k in CULTURES]), culture)
    g = F.floor(unif(seed, "given", a) * n_given).cast("int")
    f = F.floor(unif(seed, "family", a) * n_family).cast("int")
    return F.concat(at(at(given, culture), g), F.lit(" "), at(at(family, culture), f))


def author_orcid(seed: int, a: Column) -> Column:
    h = F.xxhash64(F.lit(seed), F.lit("orcid"), a)
    digits = F.lpad(F.pmod(h, F.lit(10**15)).cast("string"), 15, "0")
    check = F.when(F.pmod(h, F.lit(11)) == 10, F.lit("X")).otherwise(F.pmod(h, F.lit(11)).cast("string"))
    orcid = F.concat(F.lit("https://orcid.org/0000-000"), F.substring(digits, 1, 1), F.lit("-"),
                     F.substring(digits, 2, 4), F.lit("-"), F.substring(digits, 6, 4), F.lit("-"),
                     F.substring(digits, 10, 3), check)
    return F.when(unif(seed, "has_orcid", a) < 0.6, orcid)


# ---------------------------------------------------------------------------------------------
# Works, authors, institutions
# ---------------------------------------------------------------------------------------------


def _related_topics() -> list[list[int]]:
    """Same-field ordinary topics of each topic (secondary topics come from these)."""
    out = []
    for k, t in enumerate(TOPICS):
        same = [m for m, o in enumerate(TOPICS) if o.field == t.field and o.weight > 0 and m != k]
        out.append(same or [k])
    return out


def build_works(design: Design, seed: int, papers_df: DataFrame, authorships_df: DataFrame,
                refs_df: DataFrame, cites_df: DataFrame) -> DataFrame:
    """Works in the RAW_WORK layout, plus the numeric key p for partitioning and sorting."""
    d = design
    p, t, topic = F.col("p"), F.col("t"), F.col("topic")
    year = (F.lit(d.year_start) + t).cast("int")
    topics = topic_struct_array()
    related = _related_topics()
    rel_len = at(lit_array([len(r) for r in related]), topic)

    def topic_at(k: Column, score: Column) -> Column:
        s = at(topics, k)
        return F.struct(s["id"].alias("id"), s["display_name"].alias("display_name"),
                        F.round(score, 4).alias("score"), s["subfield"].alias("subfield"),
                        s["field"].alias("field"), s["domain"].alias("domain"))

    sec = [at(at(lit_array2(related, "int"), topic), F.floor(unif(seed, f"topic{k}", p) * rel_len).cast("int"))
           for k in (2, 3)]
    topic_list = F.slice(F.array_compact(F.array(
        topic_at(topic, F.lit(0.9) + F.lit(0.1) * unif(seed, "tscore", p)),
        F.when(sec[0] != topic, topic_at(sec[0], F.lit(0.4) + F.lit(0.4) * unif(seed, "tscore2", p))),
        F.when((sec[1] != topic) & (sec[1] != sec[0]), topic_at(sec[1], F.lit(0.3) + F.lit(0.3) * unif(seed, "tscore3", p))),
    )), F.lit(1), (F.lit(1) + F.floor(unif(seed, "n_topics", p) * 3)).cast("int"))
    concepts_of = at(concept_array(), topic)
    concepts = F.array(*[
        F.struct(at(concepts_of, F.lit(k))["id"].alias("id"), at(concepts_of, F.lit(k))["display_name"].alias("display_name"),
                 at(concepts_of, F.lit(k))["level"].alias("level"),
                 F.round(F.lit(0.3) + F.lit(0.65) * unif(seed, f"cscore{k}", p), 4).alias("score"))
        for k in range(4)
    ])
    kw_of = at(lit_array2([list(tp.keywords) for tp in TOPICS], "string"), topic)
    keywords = F.array(*[
        F.struct(F.concat(F.lit(OPENALEX + "keywords/"), F.regexp_replace(F.lower(at(kw_of, F.lit(k))), "[^a-z0-9]+", "-"))
                 .alias("id"),
                 at(kw_of, F.lit(k)).alias("display_name"),
                 F.round(F.lit(0.3) + F.lit(0.65) * unif(seed, f"kscore{k}", p), 4).alias("score"))
        for k in range(3)
    ])
    title_terms = lit_array2([[kw.title() if kw[0].islower() else kw for kw in tp.keywords] for tp in TOPICS], "string")
    title = F.concat_ws(
        " ",
        at(lit_array(TITLE_OPENERS), F.floor(unif(seed, "title1", p) * len(TITLE_OPENERS)).cast("int")),
        at(at(title_terms, topic), F.floor(unif(seed, "title2", p) * 3).cast("int")),
        F.lit("for"),
        at(lit_array(TITLE_TARGETS), F.floor(unif(seed, "title3", p) * len(TITLE_TARGETS)).cast("int")),
    )
    num = work_num(d, p)
    month = F.lpad((F.lit(1) + F.floor(unif(seed, "month", p) * 12)).cast("string"), 2, "0")
    day = F.lpad((F.lit(1) + F.floor(unif(seed, "day", p) * 28)).cast("string"), 2, "0")
    doi = F.concat(F.lit("https://doi.org/10."),
                   (F.lit(1000) + F.pmod(F.xxhash64(F.lit(seed), F.lit("doi"), p), F.lit(9000))).cast("string"),
                   F.lit("/scintel."), num.cast("string"))
    return (
        papers_df
        .join(authorships_df, on="p", how="inner")
        .join(refs_df, on="p", how="left")
        .join(cites_df, on="p", how="left")
        .select(
            p.alias("key"),
            openalex_id("W", num).alias("id"),
            F.when(unif(seed, "has_doi", p) < 0.92, doi).alias("doi"),
            title.alias("title"),
            year.alias("publication_year"),
            F.concat(year.cast("string"), F.lit("-"), month, F.lit("-"), day).alias("publication_date"),
            F.when(F.col("is_review"), "review").otherwise("article").alias("type"),
            F.lit("en").alias("language"),
            F.coalesce(F.col("cited_by_count"), F.lit(0)).cast("bigint").alias("cited_by_count"),
            F.coalesce(F.col("counts_by_year"), F.array().cast("array<struct<year:int,cited_by_count:bigint>>"))
            .alias("counts_by_year"),
            F.coalesce(F.col("referenced_works"), F.array().cast("array<string>")).alias("referenced_works"),
            F.col("authorships"),
            topic_at(topic, F.lit(0.9) + F.lit(0.1) * unif(seed, "tscore", p)).alias("primary_topic"),
            topic_list.alias("topics"),
            concepts.alias("concepts"),
            keywords.alias("keywords"),
            (unif(seed, "retracted", p) < 0.001).alias("is_retracted"),
            F.concat(F.lit("2025-"), month, F.lit("-"), day, F.lit("T00:00:00.000000")).alias("updated_date"),
        )
    )


def author_works(rows_df: DataFrame, cites_df: DataFrame) -> DataFrame:
    """Grain: (author, paper): a, c1, p, t, inst_keys, cites."""
    return (
        rows_df.select("p", "t", "a", "c1", "inst_keys")
        .join(cites_df.select("p", "cited_by_count"), on="p", how="left")
        .withColumn("cites", F.coalesce(F.col("cited_by_count"), F.lit(0)))
        .drop("cited_by_count")
    )


def build_authors(design: Design, seed: int, author_works_df: DataFrame, inst_ref_df: DataFrame) -> DataFrame:
    """Authors in the RAW_AUTHOR layout (plus key a). h-index and i10 come from their works'
    cited_by_count; affiliations list every institution with the years it is on their papers.

    A prolific author (thousands of papers at 10M) is one window partition and one small array."""
    by_cites = Window.partitionBy("a").orderBy(F.desc("cites"), "p").rowsBetween(Window.unboundedPreceding,
                                                                                 Window.currentRow)
    stats_df = (
        author_works_df
        .withColumn("cite_rank", F.row_number().over(by_cites))
        .groupBy("a", "c1")
        .agg(F.count(F.lit(1)).alias("works_count"), F.sum("cites").alias("cited_by_count"),
             F.sum((F.col("cites") >= F.col("cite_rank")).cast("int")).alias("h_index"),
             F.sum((F.col("cites") >= 10).cast("int")).alias("i10_index"))
    )
    affiliations_df = (
        author_works_df
        .select("a", "t", F.explode("inst_keys").alias("inst_key"))
        .groupBy("a", "inst_key")
        .agg(F.sort_array(F.collect_set(F.col("t") + design.year_start), asc=False).alias("years"))
        .join(F.broadcast(inst_ref_df), on="inst_key", how="inner")
        .groupBy("a")
        .agg(F.sort_array(F.collect_list(F.struct(F.col("years")[0].alias("last"), F.col("inst.id").alias("iid"),
                                                   F.col("inst"), F.col("years"))), asc=False).alias("affs"))
    )
    return (
        stats_df.join(affiliations_df, on="a", how="inner")
        .select(
            F.col("a").alias("key"),
            openalex_id("A", F.lit(AUTHOR_ID_BASE) + F.col("a")).alias("id"),
            author_orcid(seed, F.col("a")).alias("orcid"),
            author_name(seed, F.col("a"), F.col("c1")).alias("display_name"),
            F.col("works_count").cast("bigint").alias("works_count"),
            F.col("cited_by_count").cast("bigint").alias("cited_by_count"),
            F.struct(F.col("h_index").cast("int").alias("h_index"),
                     F.col("i10_index").cast("int").alias("i10_index")).alias("summary_stats"),
            F.transform("affs", lambda x: F.struct(x["inst"].alias("institution"),
                                                   x["years"].cast("array<int>").alias("years"))).alias("affiliations"),
            F.transform(F.filter("affs", lambda x: x["last"] == F.col("affs")[0]["last"]),
                        lambda x: x["inst"]).alias("last_known_institutions"),
            F.lit("2025-06-01T00:00:00.000000").alias("updated_date"),
        )
    )


def build_institution_rows(inst_df: DataFrame, author_works_df: DataFrame) -> DataFrame:
    """Institutions in the RAW_INSTITUTION layout (plus key), works and citations counted from
    the generated works (an institution with no paper keeps zeros, as in OpenAlex)."""
    stats_df = (
        author_works_df.select("p", "cites", F.explode("inst_keys").alias("inst_key"))
        .distinct()  # one paper counts once per institution however many of its authors are there
        .groupBy("inst_key")
        .agg(F.count(F.lit(1)).alias("works_count"), F.sum("cites").alias("cited_by_count"))
    )
    return inst_df.join(F.broadcast(stats_df), on="inst_key", how="left").select(
        F.col("inst_key").alias("key"), "id", "ror", "display_name", "country_code", "type", "geo", "lineage",
        F.coalesce("works_count", F.lit(0)).cast("bigint").alias("works_count"),
        F.coalesce("cited_by_count", F.lit(0)).cast("bigint").alias("cited_by_count"),
        F.lit("2025-06-01T00:00:00.000000").alias("updated_date"),
    )


# ---------------------------------------------------------------------------------------------
# Patents
# ---------------------------------------------------------------------------------------------


def _patent_country_cum(design: Design) -> list[list[float]]:
    start = {"CN": 0.18, "US": 0.32, "JP": 0.17, "KR": 0.09, "DE": 0.07, "GB": 0.03, "FR": 0.025,
             "NL": 0.02, "CA": 0.015, "IN": 0.01, "CH": 0.01, "SG": 0.01}
    end = {**start, "CN": 0.42, "US": 0.22, "JP": 0.10, "DE": 0.05, "IN": 0.02}
    n = len(design.years)
    return [_cumulative([start[c] + (end[c] - start[c]) * t / (n - 1) for c in PATENT_COUNTRIES]) for t in range(n)]


def build_patents(spark: SparkSession, design: Design, seed: int) -> DataFrame:
    """Patents in the RAW_PATENT layout (plus key q). ~12% are front patents: the front's terms
    as topics and 1-2 of its cores (published by the grant year) in cited_works."""
    d = design
    q = F.col("q")
    t = F.col("t")
    country = lookup(_patent_country_cum(d), t, unif(seed, "pat_country", q))
    names = lit_array2([[a[0] for a in ASSIGNEES[c]] for c in PATENT_COUNTRIES], "string")
    types = lit_array2([[a[1] for a in ASSIGNEES[c]] for c in PATENT_COUNTRIES], "string")
    n_names = at(lit_array([len(ASSIGNEES[c]) for c in PATENT_COUNTRIES]), F.col("pc"))

    def assignee(salt: str) -> Column:
        k = F.floor(n_names * F.pow(unif(seed, salt, q), F.lit(1.6))).cast("int")
        return F.struct(at(at(names, F.col("pc")), k).alias("name"), at(lit_array(PATENT_COUNTRIES), F.col("pc")).alias("country"),
                        at(at(types, F.col("pc")), k).alias("type"))

    code = at(lit_array(PATENT_COUNTRIES), F.col("pc"))
    office = F.when(code.isin("US", "CN", "JP", "KR"), code).when(code.isin(*EUROPEAN), "EP").otherwise("WO")
    number = F.lit(0).cast("bigint")
    kind = F.lit("")
    for off, (base, knd) in PATENT_NUMBER_BASE.items():
        number = F.when(office == off, F.lit(base).cast("bigint") + q).otherwise(number)
        kind = F.when(office == off, F.lit(knd)).otherwise(kind)

    general = [k for k, tp in enumerate(TOPICS) if tp.patent_weight > 0]
    topic = at(lit_array(general), lookup([_cumulative([TOPICS[k].patent_weight for k in general])], F.lit(0),
                                          unif(seed, "pat_topic", q)))
    terms = lit_array2([list(tp.patent_terms) for tp in TOPICS], "string")
    cpcs = lit_array2([list(tp.cpc) for tp in TOPICS], "string")
    kws = lit_array2([list(tp.keywords) for tp in TOPICS], "string")

    n_years = len(d.years)
    first_t = [n_years - 1 - max(f.core_offsets) for f in FRONTS]
    started = lit_array2([[fi for fi in range(len(FRONTS)) if first_t[fi] <= tt] or [-1] for tt in range(n_years)], "int")
    started_t = at(started, t)
    front = F.when((unif(seed, "pat_front", q) < 0.12) & (at(started_t, F.lit(0)) >= 0),
                   at(started_t, F.floor(unif(seed, "pat_front_pick", q) * F.size(started_t)).cast("int")))
    front_topic = at(lit_array([TOPIC_INDEX[f.topic] for f in FRONTS]), F.coalesce(front, F.lit(0)))
    topic = F.when(front.isNotNull(), front_topic).otherwise(topic)
    front_terms = lit_array2([list(f.terms) for f in FRONTS], "string")
    cores = json_literal([[{"p": c[0], "t": c[1]} for c in f["cores"]] for f in d.fronts],
                         "array<array<struct<p:bigint,t:int>>>")
    front_cited = F.transform(
        F.slice(F.array_sort(F.transform(
            F.filter(at(cores, F.coalesce(front, F.lit(0))), lambda c: c["t"] <= t),
            lambda c: F.struct(unif(seed, "pat_core", q, c["p"]).alias("h"), c["p"].alias("p")))),
            F.lit(1), (F.lit(1) + F.floor(unif(seed, "pat_n_core", q) * 2)).cast("int")),
        lambda c: c["p"])

    starts = lit_array(d.start, "bigint")
    n_hot = lit_array(d.n_hot, "bigint")
    n_citable = lit_array(d.n_citable, "bigint")

    def random_paper(j: Column) -> Column:
        ct = F.floor(unif(seed, "pat_year", q, j) * (t + 1)).cast("int")
        u = unif(seed, "pat_rank", q, j)
        rank = F.when(unif(seed, "pat_hot", q, j) < 0.4, F.floor(at(n_hot, ct) * F.pow(u, F.lit(HOT_ALPHA)))).otherwise(
            F.floor(at(n_citable, ct) * u))
        return at(starts, ct) + rank.cast("bigint")

    n_random = F.when(unif(seed, "pat_cites", q) < 0.35, (F.lit(1) + F.floor(unif(seed, "pat_n", q) * 3)).cast("int")
                      ).otherwise(F.lit(0))
    random_cited = F.transform(F.sequence(F.lit(1), n_random), random_paper)
    random_cited = F.when(n_random > 0, random_cited).otherwise(F.array().cast("array<bigint>"))
    cited = F.array_sort(F.array_distinct(F.concat(
        random_cited, F.when(front.isNotNull(), front_cited).otherwise(F.array().cast("array<bigint>")))))

    median = at(lit_array([float(PATENT_MEDIAN_USD[c]) for c in PATENT_COUNTRIES], "double"), F.col("pc"))
    value = F.round(median * F.exp(F.lit(PATENT_VALUE_SIGMA) * std_normal(seed, "pat_value", q)), 2)
    value = F.when(unif(seed, "pat_null_value", q) < PATENT_NULL_VALUE_SHARE, F.lit(None).cast("double")).otherwise(value)

    topic_terms = F.when(front.isNotNull(), at(front_terms, F.coalesce(front, F.lit(0)))).otherwise(
        F.slice(at(terms, F.col("topic")), F.lit(1), (F.lit(1) + F.floor(unif(seed, "pat_nterms", q) * 2)).cast("int")))
    openers = ("Method and system for", "Apparatus and method for", "System for", "Device and method for")
    tails = ("in vehicles", "with reduced latency", "on mobile devices", "in data centers",
             "for industrial control", "using sensor data")
    title = F.concat_ws(" ", at(lit_array(openers), F.floor(unif(seed, "pat_t1", q) * len(openers)).cast("int")),
                        F.element_at(F.col("topics"), 1),
                        at(lit_array(tails), F.floor(unif(seed, "pat_t2", q) * len(tails)).cast("int")))
    n_cpc = (F.lit(1) + F.floor(unif(seed, "pat_ncpc", q) * 2)).cast("int")
    return (
        spark.range(d.n_patents).withColumnRenamed("id", "q")
        .withColumn("t", year_block(q, d.patent_start))
        .withColumn("pc", country)
        .withColumn("front", front)
        .withColumn("topic", topic)
        .withColumn("topics", topic_terms)
        .select(
            F.col("q").alias("key"),
            F.concat_ws("-", office, number.cast("string"), kind).alias("id"),
            F.concat(F.lit("F"), (F.lit(70_000_000) + q).cast("string")).alias("family_id"),
            (F.lit(d.year_start) + t).cast("int").alias("grant_year"),
            office.alias("office"),
            title.alias("title"),
            F.array_distinct(F.when(unif(seed, "pat_coassignee", q) < 0.15, F.array(assignee("pat_a1"), assignee("pat_a2")))
                             .otherwise(F.array(assignee("pat_a1")))).alias("assignees"),
            F.slice(at(cpcs, F.col("topic")), F.lit(1), n_cpc).alias("cpc"),
            F.col("topics"),
            F.slice(at(kws, F.col("topic")), F.lit(1), F.lit(2)).alias("keywords"),
            value.alias("market_value_usd"),
            F.transform(cited, lambda c: F.concat(F.lit("W"), work_num(d, c).cast("string"))).alias("cited_works"),
        )
    )
# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


@contextmanager
def _timed(step: str, timings: dict):
    start = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - start, 1)
    log.info("generate: %s in %.1f s", step, timings[step])


def write_json(df: DataFrame, path: str, n_files: int) -> None:
    """Deterministic files: rows hashed on the numeric key into a fixed number of partitions,
    sorted inside each; gzip JSON Lines. Same rows in, same bytes out."""
    (
        df.repartition(n_files, F.col("key"))
        .sortWithinPartitions("key")
        .drop("key")
        .write.mode("overwrite")
        .option("compression", "gzip")
        .json(path)
    )
    _stable_file_names(df.sparkSession, path)


def _stable_file_names(spark: SparkSession, path: str) -> None:
    """Rename Spark's part-NNNNN-<uuid>-c000.json.gz to part-NNNNN.json.gz, so the same seed gives
    the same file names as well as the same bytes. Goes through Hadoop's FileSystem, so it works
    on HDFS/S3 paths too; only file names travel to the driver."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    for status in fs.listStatus(hadoop_path):
        name = status.getPath().getName()
        match = re.fullmatch(r"(part-\d+)-.*?(\.json(?:\.gz)?)", name)
        if match:
            fs.rename(status.getPath(), jvm.org.apache.hadoop.fs.Path(hadoop_path, match.group(1) + match.group(2)))


def _n_files(rows: int) -> int:
    return max(1, math.ceil(rows / ROWS_PER_FILE))


def planted_facts(design: Design) -> dict:
    """PLANTED for this window and size, with the exact front core ids."""
    ye = design.year_end
    facts = {
        "papers_golden_cross": {**PLANTED["papers_golden_cross"], "first_year_challenger_exceeds": ye - 2},
        "top1_golden_cross": {**PLANTED["top1_golden_cross"], "first_year_challenger_exceeds": ye - 1},
        "talent_flow": dict(PLANTED["talent_flow"]),
        "expected_cn_over_us": {y: {k: round(v, 3) for k, v in r.items()} for y, r in design.expected_full.items()},
        "fronts": [],
    }
    for f, placed in zip(FRONTS, design.fronts):
        nums = [WORK_ID_BASE + (c[0] * design.id_mult) % design.n_papers for c in placed["cores"]]
        facts["fronts"].append({
            "name": f.name, "topic": f.topic, "trend": f.trend,
            "core_ids": [f"{OPENALEX}W{n}" for n in nums],
            "core_years": [design.years[c[1]] for c in placed["cores"]],
            "review_ids": [f"{OPENALEX}W{n}" for n, c in zip(nums, placed["cores"]) if c[2]],
            "terms": list(f.terms),
        })
    return facts


def generate_corpus(spark: SparkSession, out_dir: str, n_papers: int, seed: int,
                    year_start: int = 2012, year_end: int = 2021) -> dict:
    """Write works/, authors/, institutions/ and patents/ under out_dir (gzip JSON Lines in the
    raw layouts) and return {"counts": rows written per entity, "planted": facts to recover}."""
    design = make_design(n_papers, seed, year_start, year_end)
    out = out_dir.rstrip("/")
    n_parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    inst_df = build_institutions(spark, design, seed).persist()
    inst_ref_df = institution_ref(inst_df)
    papers_df = build_papers(spark, design, seed, n_parts).persist()
    edges_df = random_edges(design, seed, papers_df).unionByName(front_edges(spark, design, seed, papers_df)).persist()
    cites_df = citation_counts(design, edges_df).persist()
    rows_df = authorship_rows(spark, design, seed, papers_df, inst_ref_df).persist()
    author_works_df = author_works(rows_df, cites_df).persist()
    cached = [author_works_df, rows_df, cites_df, edges_df, papers_df, inst_df]
    timings: dict[str, float] = {}
    try:
        works_df = build_works(design, seed, papers_df, paper_authorships(rows_df),
                               references_per_paper(design, edges_df), cites_df)
        with _timed("works", timings):
            write_json(works_df, f"{out}/works", _n_files(n_papers))
        with _timed("authors", timings):
            authors_df = build_authors(design, seed, author_works_df, inst_ref_df).persist()
            cached.append(authors_df)
            n_authors = authors_df.count()
            write_json(authors_df, f"{out}/authors", _n_files(n_authors))
        with _timed("institutions", timings):
            write_json(build_institution_rows(inst_df, author_works_df), f"{out}/institutions", 1)
        with _timed("patents", timings):
            write_json(build_patents(spark, design, seed), f"{out}/patents", _n_files(design.n_patents))
        n_authorships = author_works_df.count()
        n_citations = edges_df.count()
    finally:
        for df in cached:
            df.unpersist()
    counts = {
        "works": n_papers,
        "authors": n_authors,
        "institutions": sum(design.n_inst),
        "patents": design.n_patents,
        "authorships": n_authorships,
        "citations": n_citations,
    }
    result = {"counts": counts, "planted": planted_facts(design), "out_dir": out, "seed": seed,
              "year_start": year_start, "year_end": year_end, "seconds": timings}
    _write_text(spark, f"{out}/PLANTED.json", json.dumps({k: v for k, v in result.items() if k != "seconds"}, indent=1, sort_keys=True))
    return result


def _write_text(spark: SparkSession, path: str, text: str) -> None:
    """A small driver-side file beside the corpus (any Hadoop file system: local, HDFS, S3)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(hadoop_path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()
