"""Reference data of the synthetic corpus, as plain constants: countries and cities,
institutions, fields and topics, the planted research fronts and researcher flows, collaboration
shares, name pools, title words and patent assignees.

List order is part of the data: positions become indices in the generated corpus (country index,
topic index, an institution's or assignee's size rank), so reordering a list changes the corpus
for every seed. Calibration knobs of the random model (shares, power-law exponents) live beside
the code that draws with them.
"""

from __future__ import annotations

from dataclasses import dataclass

UPDATED_DATE = "2025-06-01T00:00:00.000000"  # updated_date of every author and institution

# ---------------------------------------------------------------------------------------------
# Countries and cities
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    name_culture: str  # key of NAMES: the name pool of its authors
    other_weight: float  # weight among the countries without a planted share (CN and US: 0.0)


COUNTRIES = [
    Country("CN", "China", "cn", 0.0),
    Country("US", "United States", "west", 0.0),
    Country("GB", "United Kingdom", "west", 9.0),
    Country("DE", "Germany", "west", 8.0),
    Country("JP", "Japan", "jp", 8.0),
    Country("FR", "France", "west", 6.0),
    Country("KR", "South Korea", "kr", 6.0),
    Country("CA", "Canada", "west", 6.0),
    Country("AU", "Australia", "west", 5.0),
    Country("IN", "India", "in", 8.0),
    Country("IT", "Italy", "west", 5.0),
    Country("SG", "Singapore", "cn", 3.0),
    Country("ES", "Spain", "west", 4.0),
    Country("NL", "Netherlands", "west", 3.0),
    Country("CH", "Switzerland", "west", 3.0),
    Country("BR", "Brazil", "west", 3.0),
]
COUNTRY_CODES = [country.code for country in COUNTRIES]
COUNTRY_INDEX = {code: k for k, code in enumerate(COUNTRY_CODES)}


@dataclass(frozen=True)
class City:
    name: str
    region: str  # province, state or region (China's provinces are reported)
    latitude: float
    longitude: float


# Country code -> its cities; China's ten focus cities first.
CITIES = {
    "CN": [
        City("Beijing", "Beijing", 39.9042, 116.4074),
        City("Shanghai", "Shanghai", 31.2304, 121.4737),
        City("Shenzhen", "Guangdong", 22.5431, 114.0579),
        City("Hangzhou", "Zhejiang", 30.2741, 120.1551),
        City("Nanjing", "Jiangsu", 32.0603, 118.7969),
        City("Wuhan", "Hubei", 30.5928, 114.3055),
        City("Guangzhou", "Guangdong", 23.1291, 113.2644),
        City("Chengdu", "Sichuan", 30.5728, 104.0668),
        City("Xi'an", "Shaanxi", 34.3416, 108.9398),
        City("Hong Kong", "Hong Kong", 22.3193, 114.1694),
        City("Hefei", "Anhui", 31.8206, 117.2272),
        City("Harbin", "Heilongjiang", 45.8038, 126.5349),
        City("Tianjin", "Tianjin", 39.3434, 117.3616),
        City("Changsha", "Hunan", 28.2282, 112.9388),
    ],
    "US": [
        City("Cambridge", "Massachusetts", 42.3736, -71.1097),
        City("Stanford", "California", 37.4275, -122.1697),
        City("Berkeley", "California", 37.8715, -122.2730),
        City("Los Angeles", "California", 34.0522, -118.2437),
        City("San Diego", "California", 32.7157, -117.1611),
        City("Pittsburgh", "Pennsylvania", 40.4406, -79.9959),
        City("Seattle", "Washington", 47.6062, -122.3321),
        City("New York", "New York", 40.7128, -74.0060),
        City("Mountain View", "California", 37.3861, -122.0839),
        City("Redmond", "Washington", 47.6740, -122.1215),
        City("Chicago", "Illinois", 41.8781, -87.6298),
        City("Atlanta", "Georgia", 33.7490, -84.3880),
        City("Austin", "Texas", 30.2672, -97.7431),
        City("Ann Arbor", "Michigan", 42.2808, -83.7430),
        City("Gaithersburg", "Maryland", 39.1434, -77.2014),
    ],
    "GB": [
        City("London", "England", 51.5074, -0.1278),
        City("Oxford", "England", 51.7520, -1.2577),
        City("Cambridge", "England", 52.2053, 0.1218),
        City("Edinburgh", "Scotland", 55.9533, -3.1883),
        City("Manchester", "England", 53.4808, -2.2426),
    ],
    "DE": [
        City("Munich", "Bavaria", 48.1351, 11.5820),
        City("Berlin", "Berlin", 52.5200, 13.4050),
        City("Tübingen", "Baden-Württemberg", 48.5216, 9.0576),
        City("Aachen", "North Rhine-Westphalia", 50.7753, 6.0839),
        City("Saarbrücken", "Saarland", 49.2402, 6.9969),
    ],
    "JP": [
        City("Tokyo", "Tokyo", 35.6762, 139.6503),
        City("Kyoto", "Kyoto", 35.0116, 135.7681),
        City("Osaka", "Osaka", 34.6937, 135.5023),
    ],
    "FR": [
        City("Paris", "Île-de-France", 48.8566, 2.3522),
        City("Grenoble", "Auvergne-Rhône-Alpes", 45.1885, 5.7245),
        City("Toulouse", "Occitanie", 43.6047, 1.4442),
    ],
    "KR": [
        City("Seoul", "Seoul", 37.5665, 126.9780),
        City("Daejeon", "Daejeon", 36.3504, 127.3845),
        City("Pohang", "North Gyeongsang", 36.0190, 129.3435),
    ],
    "CA": [
        City("Toronto", "Ontario", 43.6532, -79.3832),
        City("Montreal", "Quebec", 45.5017, -73.5673),
        City("Vancouver", "British Columbia", 49.2827, -123.1207),
        City("Edmonton", "Alberta", 53.5461, -113.4938),
    ],
    "AU": [
        City("Sydney", "New South Wales", -33.8688, 151.2093),
        City("Melbourne", "Victoria", -37.8136, 144.9631),
        City("Brisbane", "Queensland", -27.4698, 153.0251),
    ],
    "IN": [
        City("Bangalore", "Karnataka", 12.9716, 77.5946),
        City("Delhi", "Delhi", 28.7041, 77.1025),
        City("Mumbai", "Maharashtra", 19.0760, 72.8777),
        City("Chennai", "Tamil Nadu", 13.0827, 80.2707),
    ],
    "IT": [
        City("Milan", "Lombardy", 45.4642, 9.1900),
        City("Rome", "Lazio", 41.9028, 12.4964),
        City("Turin", "Piedmont", 45.0703, 7.6869),
    ],
    "SG": [City("Singapore", "Singapore", 1.3521, 103.8198)],
    "ES": [
        City("Madrid", "Community of Madrid", 40.4168, -3.7038),
        City("Barcelona", "Catalonia", 41.3851, 2.1734),
    ],
    "NL": [
        City("Amsterdam", "North Holland", 52.3676, 4.9041),
        City("Delft", "South Holland", 52.0116, 4.3571),
    ],
    "CH": [
        City("Zurich", "Zurich", 47.3769, 8.5417),
        City("Lausanne", "Vaud", 46.5197, 6.6323),
    ],
    "BR": [
        City("São Paulo", "São Paulo", -23.5505, -46.6333),
        City("Rio de Janeiro", "Rio de Janeiro", -22.9068, -43.1729),
    ],
}

# ---------------------------------------------------------------------------------------------
# Institutions
# ---------------------------------------------------------------------------------------------

CAS_ID = "I19820366"  # the default config (jobs/defaults.yaml) rolls CAS institutes up to this id
UC_SYSTEM_ID = "I2803209242"  # ... and UC campuses to this one


@dataclass(frozen=True)
class NamedInstitution:
    country: str
    name: str
    city: str  # one of CITIES[country]
    type: str  # OpenAlex institution type
    openalex_id: str | None = None  # short OpenAlex id ("I..."); None: derived from its key
    parent_id: str | None = None  # short id of its lineage parent


# Listed first = biggest in its country: authors pick institutions by a power law on this order.
NAMED_INSTITUTIONS = [
    NamedInstitution("CN", "Tsinghua University", "Beijing", "education"),
    NamedInstitution("CN", "Shanghai Jiao Tong University", "Shanghai", "education"),
    NamedInstitution("CN", "Zhejiang University", "Hangzhou", "education"),
    NamedInstitution("CN", "Peking University", "Beijing", "education"),
    NamedInstitution("CN", "Chinese Academy of Sciences", "Beijing", "government", openalex_id=CAS_ID),
    NamedInstitution("CN", "Institute of Automation, Chinese Academy of Sciences", "Beijing", "facility", parent_id=CAS_ID),
    NamedInstitution(
        "CN", "Institute of Computing Technology, Chinese Academy of Sciences", "Beijing", "facility", parent_id=CAS_ID
    ),
    NamedInstitution(
        "CN",
        "Shanghai Institute of Microsystem and Information Technology, Chinese Academy of Sciences",
        "Shanghai",
        "facility",
        parent_id=CAS_ID,
    ),
    NamedInstitution("CN", "Fudan University", "Shanghai", "education"),
    NamedInstitution("CN", "Huazhong University of Science and Technology", "Wuhan", "education"),
    NamedInstitution("CN", "Nanjing University", "Nanjing", "education"),
    NamedInstitution("CN", "Wuhan University", "Wuhan", "education"),
    NamedInstitution("CN", "Sun Yat-sen University", "Guangzhou", "education"),
    NamedInstitution("CN", "University of Electronic Science and Technology of China", "Chengdu", "education"),
    NamedInstitution("CN", "Xi'an Jiaotong University", "Xi'an", "education"),
    NamedInstitution("CN", "Shenzhen University", "Shenzhen", "education"),
    NamedInstitution("CN", "University of Hong Kong", "Hong Kong", "education"),
    NamedInstitution("CN", "Chinese University of Hong Kong", "Hong Kong", "education"),
    NamedInstitution("CN", "Huawei Technologies (China)", "Shenzhen", "company"),
    NamedInstitution("CN", "Tencent (China)", "Shenzhen", "company"),
    NamedInstitution("CN", "Alibaba Group (China)", "Hangzhou", "company"),
    NamedInstitution("CN", "Baidu (China)", "Beijing", "company"),
    NamedInstitution("CN", "Shanghai Artificial Intelligence Laboratory", "Shanghai", "facility"),
    NamedInstitution("CN", "South China University of Technology", "Guangzhou", "education"),
    NamedInstitution("CN", "Sichuan University", "Chengdu", "education"),
    NamedInstitution("CN", "Xidian University", "Xi'an", "education"),
    NamedInstitution("CN", "Southeast University", "Nanjing", "education"),
    NamedInstitution("CN", "Hong Kong University of Science and Technology", "Hong Kong", "education"),
    NamedInstitution("CN", "University of Science and Technology of China", "Hefei", "education"),
    NamedInstitution("CN", "Harbin Institute of Technology", "Harbin", "education"),
    NamedInstitution("US", "Massachusetts Institute of Technology", "Cambridge", "education"),
    NamedInstitution("US", "Stanford University", "Stanford", "education"),
    NamedInstitution("US", "University of California, Berkeley", "Berkeley", "education", parent_id=UC_SYSTEM_ID),
    NamedInstitution("US", "Carnegie Mellon University", "Pittsburgh", "education"),
    NamedInstitution("US", "University of California, Los Angeles", "Los Angeles", "education", parent_id=UC_SYSTEM_ID),
    NamedInstitution("US", "Google (United States)", "Mountain View", "company"),
    NamedInstitution("US", "Microsoft Research (United States)", "Redmond", "company"),
    NamedInstitution("US", "University of Washington", "Seattle", "education"),
    NamedInstitution("US", "University of California, San Diego", "San Diego", "education", parent_id=UC_SYSTEM_ID),
    NamedInstitution("US", "Harvard University", "Cambridge", "education"),
    NamedInstitution("US", "New York University", "New York", "education"),
    NamedInstitution("US", "Georgia Institute of Technology", "Atlanta", "education"),
    NamedInstitution("US", "University of Texas at Austin", "Austin", "education"),
    NamedInstitution("US", "University of Michigan", "Ann Arbor", "education"),
    NamedInstitution("US", "University of Chicago", "Chicago", "education"),
    NamedInstitution("US", "University of California System", "Berkeley", "education", openalex_id=UC_SYSTEM_ID),
    NamedInstitution("US", "National Institute of Standards and Technology", "Gaithersburg", "government"),
    NamedInstitution("GB", "University of Oxford", "Oxford", "education"),
    NamedInstitution("GB", "University of Cambridge", "Cambridge", "education"),
    NamedInstitution("GB", "University College London", "London", "education"),
    NamedInstitution("GB", "Imperial College London", "London", "education"),
    NamedInstitution("GB", "University of Edinburgh", "Edinburgh", "education"),
    NamedInstitution("GB", "DeepMind (United Kingdom)", "London", "company"),
    NamedInstitution("DE", "Technical University of Munich", "Munich", "education"),
    NamedInstitution("DE", "Max Planck Institute for Intelligent Systems", "Tübingen", "facility"),
    NamedInstitution("DE", "RWTH Aachen University", "Aachen", "education"),
    NamedInstitution("DE", "Humboldt-Universität zu Berlin", "Berlin", "education"),
    NamedInstitution("DE", "German Research Centre for Artificial Intelligence", "Saarbrücken", "facility"),
    NamedInstitution("DE", "Siemens (Germany)", "Munich", "company"),
    NamedInstitution("JP", "University of Tokyo", "Tokyo", "education"),
    NamedInstitution("JP", "Kyoto University", "Kyoto", "education"),
    NamedInstitution("JP", "Osaka University", "Osaka", "education"),
    NamedInstitution("JP", "RIKEN", "Tokyo", "facility"),
    NamedInstitution("JP", "NTT (Japan)", "Tokyo", "company"),
    NamedInstitution("FR", "Sorbonne Université", "Paris", "education"),
    NamedInstitution("FR", "Institut national de recherche en informatique et en automatique", "Paris", "government"),
    NamedInstitution("FR", "Centre National de la Recherche Scientifique", "Paris", "government"),
    NamedInstitution("FR", "Université Grenoble Alpes", "Grenoble", "education"),
    NamedInstitution("KR", "Seoul National University", "Seoul", "education"),
    NamedInstitution("KR", "Korea Advanced Institute of Science and Technology", "Daejeon", "education"),
    NamedInstitution("KR", "Pohang University of Science and Technology", "Pohang", "education"),
    NamedInstitution("KR", "Samsung (South Korea)", "Seoul", "company"),
    NamedInstitution("CA", "University of Toronto", "Toronto", "education"),
    NamedInstitution("CA", "McGill University", "Montreal", "education"),
    NamedInstitution("CA", "Université de Montréal", "Montreal", "education"),
    NamedInstitution("CA", "University of British Columbia", "Vancouver", "education"),
    NamedInstitution("CA", "Vector Institute", "Toronto", "nonprofit"),
    NamedInstitution("AU", "University of Sydney", "Sydney", "education"),
    NamedInstitution("AU", "University of Melbourne", "Melbourne", "education"),
    NamedInstitution("AU", "Commonwealth Scientific and Industrial Research Organisation", "Sydney", "government"),
    NamedInstitution("IN", "Indian Institute of Science Bangalore", "Bangalore", "education"),
    NamedInstitution("IN", "Indian Institute of Technology Delhi", "Delhi", "education"),
    NamedInstitution("IN", "Indian Institute of Technology Bombay", "Mumbai", "education"),
    NamedInstitution("IT", "Politecnico di Milano", "Milan", "education"),
    NamedInstitution("IT", "Sapienza University of Rome", "Rome", "education"),
    NamedInstitution("SG", "National University of Singapore", "Singapore", "education"),
    NamedInstitution("SG", "Nanyang Technological University", "Singapore", "education"),
    NamedInstitution("SG", "Agency for Science, Technology and Research", "Singapore", "government"),
    NamedInstitution("ES", "Universidad Politécnica de Madrid", "Madrid", "education"),
    NamedInstitution("NL", "Delft University of Technology", "Delft", "education"),
    NamedInstitution("NL", "University of Amsterdam", "Amsterdam", "education"),
    NamedInstitution("CH", "ETH Zurich", "Zurich", "education"),
    NamedInstitution("CH", "École Polytechnique Fédérale de Lausanne", "Lausanne", "education"),
    NamedInstitution("BR", "Universidade de São Paulo", "São Paulo", "education"),
]


@dataclass(frozen=True)
class FillerTemplate:
    suffix: str  # the name is "<city> <suffix>"
    type: str


# Generated institutions fill each country up to its design count: one name per (city, template)
# pair, then "(2)", "(3)"... campuses.
FILLER_TEMPLATES = [
    FillerTemplate("University", "education"),
    FillerTemplate("University of Technology", "education"),
    FillerTemplate("Institute of Science and Technology", "education"),
    FillerTemplate("Normal University", "education"),
    FillerTemplate("Medical University", "education"),
    FillerTemplate("Research Center for Intelligent Computing", "facility"),
    FillerTemplate("General Hospital", "healthcare"),
    FillerTemplate("Intelligent Systems Co., Ltd.", "company"),
    FillerTemplate("Institute of Advanced Studies", "facility"),
    FillerTemplate("National Laboratory", "government"),
    FillerTemplate("Polytechnic University", "education"),
    FillerTemplate("Data Technologies Inc.", "company"),
]

# ---------------------------------------------------------------------------------------------
# Fields, topics and research fronts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    id: str  # OpenAlex field id
    name: str
    domain_id: str
    domain_name: str


FIELDS = {
    "cs": Field("17", "Computer Science", "3", "Physical Sciences"),
    "eng": Field("22", "Engineering", "3", "Physical Sciences"),
    "med": Field("27", "Medicine", "4", "Health Sciences"),
    "phys": Field("31", "Physics and Astronomy", "3", "Physical Sciences"),
    "mat": Field("25", "Materials Science", "3", "Physical Sciences"),
    "math": Field("26", "Mathematics", "3", "Physical Sciences"),
    "bio": Field("13", "Biochemistry, Genetics and Molecular Biology", "1", "Life Sciences"),
}
FIELD_KEYS = list(FIELDS)


@dataclass(frozen=True)
class Topic:
    name: str
    subfield: tuple[str, str]  # OpenAlex subfield (id, name)
    field: str  # key of FIELDS
    weight: float  # share of ordinary papers; 0: only front cores carry it
    concepts: tuple[str, ...]
    keywords: tuple[str, ...]
    patent_terms: tuple[str, ...]
    cpc: tuple[str, ...]
    patent_weight: float  # share of ordinary patents


TOPICS = [
    Topic(
        "Machine Learning and Deep Neural Networks",
        ("1702", "Artificial Intelligence"),
        "cs",
        12,
        ("Machine learning", "Deep learning", "Artificial neural network"),
        ("machine learning", "deep learning", "neural network"),
        ("machine learning", "neural network"),
        ("G06N3/08", "G06N20/00", "G06N3/04"),
        14,
    ),
    Topic(
        "Computer Vision and Object Detection",
        ("1707", "Computer Vision and Pattern Recognition"),
        "cs",
        10,
        ("Computer vision", "Object detection", "Image segmentation"),
        ("computer vision", "object detection", "image recognition"),
        ("computer vision", "image recognition"),
        ("G06V10/82", "G06T7/00", "G06V20/56"),
        10,
    ),
    Topic(
        "Natural Language Processing and Machine Translation",
        ("1702", "Artificial Intelligence"),
        "cs",
        7,
        ("Natural language processing", "Machine translation", "Text mining"),
        ("natural language processing", "machine translation", "text mining"),
        ("natural language processing",),
        ("G06F40/30", "G06F40/58"),
        6,
    ),
    Topic(
        "Data Mining and Anomaly Detection",
        ("1710", "Information Systems"),
        "cs",
        5,
        ("Data mining", "Anomaly detection", "Cluster analysis"),
        ("data mining", "anomaly detection", "knowledge discovery"),
        ("data mining",),
        ("G06F16/2465", "G06F18/23"),
        4,
    ),
    Topic(
        "Information Retrieval and Recommender Systems",
        ("1710", "Information Systems"),
        "cs",
        4,
        ("Information retrieval", "Recommender system", "Search engine"),
        ("information retrieval", "recommender system", "search engine"),
        ("information retrieval", "recommender system"),
        ("G06F16/35", "G06F16/9535"),
        4,
    ),
    Topic(
        "Human-Computer Interaction and Usability",
        ("1709", "Human-Computer Interaction"),
        "cs",
        3,
        ("Human-computer interaction", "User interface", "Usability"),
        ("human-computer interaction", "user interface", "usability"),
        ("human-computer interaction", "user interface"),
        ("G06F3/01", "G06F3/0481"),
        2,
    ),
    Topic(
        "Multimedia Retrieval and Video Processing",
        ("2214", "Media Technology"),
        "eng",
        3,
        ("Multimedia", "Video processing", "Image compression"),
        ("multimedia", "video processing", "image compression"),
        ("multimedia", "video processing"),
        ("H04N19/00", "H04N21/234"),
        3,
    ),
    Topic(
        "Robotics and Autonomous Vehicles",
        ("2207", "Control and Systems Engineering"),
        "eng",
        5,
        ("Robotics", "Robot", "Autonomous vehicle"),
        ("robotics", "robot", "autonomous vehicle"),
        ("robotics", "autonomous vehicle"),
        ("B25J9/16", "G05D1/02", "B60W60/00"),
        6,
    ),
    Topic(
        "Knowledge Graph and Ontology Engineering",
        ("1702", "Artificial Intelligence"),
        "cs",
        2,
        ("Knowledge graph", "Ontology", "Knowledge representation"),
        ("knowledge graph", "ontology", "knowledge representation"),
        ("knowledge graph",),
        ("G06N5/02", "G06F16/36"),
        2,
    ),
    Topic(
        "Speech Recognition and Synthesis",
        ("1711", "Signal Processing"),
        "cs",
        3,
        ("Speech recognition", "Speech synthesis", "Speaker recognition"),
        ("speech recognition", "speech synthesis", "speaker recognition"),
        ("speech recognition",),
        ("G10L15/16", "G10L13/00"),
        4,
    ),
    Topic(
        "Wireless Networks and Communication Protocols",
        ("1705", "Computer Networks and Communications"),
        "cs",
        6,
        ("Computer network", "Wireless network", "Telecommunications"),
        ("wireless network", "5G", "communication protocol"),
        ("wireless network", "communication protocol"),
        ("H04L5/00", "H04W72/04", "H04L1/00"),
        10,
    ),
    Topic(
        "Cloud Computing and Distributed Systems",
        ("1705", "Computer Networks and Communications"),
        "cs",
        5,
        ("Cloud computing", "Distributed computing", "Edge computing"),
        ("cloud computing", "edge computing", "distributed system"),
        ("cloud computing", "edge computing"),
        ("G06F9/50", "H04L67/10"),
        8,
    ),
    Topic(
        "Quantum Computing Algorithms and Hardware",
        ("3107", "Atomic and Molecular Physics, and Optics"),
        "phys",
        4,
        ("Quantum computer", "Qubit", "Quantum algorithm"),
        ("quantum computing", "qubit", "quantum algorithm"),
        ("quantum computing",),
        ("G06N10/00", "H04L9/08"),
        3,
    ),
    Topic(
        "Battery Materials and Energy Storage",
        ("2505", "Materials Chemistry"),
        "mat",
        5,
        ("Lithium-ion battery", "Electrode", "Electrochemistry"),
        ("lithium-ion battery", "electrode", "energy storage"),
        ("energy storage", "battery"),
        ("H01M10/0525", "H01M4/13"),
        7,
    ),
    Topic(
        "Cancer Immunotherapy and Tumor Biology",
        ("2730", "Oncology"),
        "med",
        6,
        ("Cancer", "Immunotherapy", "Tumor microenvironment"),
        ("cancer", "immunotherapy", "tumor"),
        ("immunotherapy",),
        ("A61K39/395", "A61P35/00"),
        3,
    ),
    Topic(
        "Medical Image Analysis",
        ("2741", "Radiology, Nuclear Medicine and Imaging"),
        "med",
        4,
        ("Medical imaging", "Deep learning", "Image segmentation"),
        ("medical imaging", "image segmentation", "deep learning"),
        ("medical imaging", "machine learning"),
        ("G16H30/40", "G06T7/00"),
        4,
    ),
    Topic(
        "Control Systems and Optimization",
        ("2207", "Control and Systems Engineering"),
        "eng",
        4,
        ("Control theory", "Mathematical optimization", "Robust control"),
        ("control system", "optimization", "robust control"),
        ("control system",),
        ("G05B13/02", "G05B17/02"),
        4,
    ),
    Topic(
        "Graph Theory and Combinatorial Optimization",
        ("2607", "Discrete Mathematics and Combinatorics"),
        "math",
        3,
        ("Graph theory", "Combinatorics", "Combinatorial optimization"),
        ("graph theory", "combinatorics", "optimization"),
        ("optimization",),
        ("G06F17/11",),
        1,
    ),
    Topic(
        "Gene Expression and Genomics",
        ("1312", "Molecular Biology"),
        "bio",
        5,
        ("Gene expression", "Genomics", "Gene"),
        ("gene expression", "genomics", "sequencing"),
        ("genomics",),
        ("C12Q1/6869", "G16B20/00"),
        2,
    ),
    Topic(
        "Semiconductor Devices and Integrated Circuits",
        ("2208", "Electrical and Electronic Engineering"),
        "eng",
        4,
        ("Transistor", "Integrated circuit", "Semiconductor"),
        ("transistor", "integrated circuit", "semiconductor"),
        ("semiconductor", "integrated circuit"),
        ("H01L29/78", "H01L21/02"),
        8,
    ),
    # Topics carried only by research-front cores.
    Topic(
        "Large Language Models and Transformers",
        ("1702", "Artificial Intelligence"),
        "cs",
        0,
        ("Language model", "Natural language processing", "Transformer (machine learning model)"),
        ("large language model", "transformer", "natural language processing"),
        ("large language model", "natural language processing"),
        ("G06F40/40", "G06N3/0455"),
        0,
    ),
    Topic(
        "Diffusion Models and Generative Image Synthesis",
        ("1707", "Computer Vision and Pattern Recognition"),
        "cs",
        0,
        ("Generative model", "Computer vision", "Diffusion model"),
        ("diffusion model", "image generation", "computer vision"),
        ("diffusion model", "image generation"),
        ("G06T11/00", "G06N3/047"),
        0,
    ),
    Topic(
        "Graph Neural Networks and Representation Learning",
        ("1702", "Artificial Intelligence"),
        "cs",
        0,
        ("Graph neural network", "Machine learning", "Knowledge graph"),
        ("graph neural network", "representation learning", "machine learning"),
        ("graph neural network", "machine learning"),
        ("G06N3/042", "G06N5/02"),
        0,
    ),
    Topic(
        "Quantum Error Correction and Fault-Tolerant Computing",
        ("1703", "Computational Theory and Mathematics"),
        "cs",
        0,
        ("Quantum error correction", "Qubit", "Quantum computer"),
        ("quantum error correction", "fault tolerance", "qubit"),
        ("quantum error correction", "quantum computing"),
        ("G06N10/70", "G06N10/40"),
        0,
    ),
    Topic(
        "Capsule Networks and Dynamic Routing",
        ("1707", "Computer Vision and Pattern Recognition"),
        "cs",
        0,
        ("Capsule network", "Deep learning", "Computer vision"),
        ("capsule network", "dynamic routing", "deep learning"),
        ("capsule network", "computer vision"),
        ("G06N3/04", "G06V10/82"),
        0,
    ),
]
TOPIC_INDEX = {t.name: i for i, t in enumerate(TOPICS)}


@dataclass(frozen=True)
class Front:
    name: str
    topic: str  # name of the topic its cores carry
    trend: str  # "rising" or "declining"
    core_offsets: tuple[int, ...]  # core publication years, as offsets back from year_end
    citer_share: tuple[float, ...]  # share of eligible papers citing it, years year_end-4 .. year_end
    citing_fields: tuple[str, ...]  # keys of FIELDS whose papers may cite it
    terms: tuple[str, ...]  # topic terms of its patents


FRONTS = [
    Front(
        "large language models",
        "Large Language Models and Transformers",
        "rising",
        (4, 3, 3, 2, 2, 1, 1, 1, 0, 0),
        (0.009, 0.0144, 0.023, 0.037, 0.059),
        ("cs", "eng"),
        ("large language model", "natural language processing"),
    ),
    Front(
        "diffusion models",
        "Diffusion Models and Generative Image Synthesis",
        "rising",
        (2, 2, 1, 1, 1, 0, 0, 0),
        (0.0, 0.0, 0.017, 0.031, 0.056),
        ("cs", "eng"),
        ("diffusion model", "image generation"),
    ),
    Front(
        "graph neural networks",
        "Graph Neural Networks and Representation Learning",
        "rising",
        (4, 4, 3, 3, 2, 2, 1, 0),
        (0.0176, 0.0238, 0.032, 0.043, 0.0585),
        ("cs", "eng"),
        ("graph neural network", "machine learning"),
    ),
    Front(
        "quantum error correction",
        "Quantum Error Correction and Fault-Tolerant Computing",
        "rising",
        (4, 3, 2, 1, 0, 0),
        (0.012, 0.0168, 0.0235, 0.033, 0.046),
        ("phys", "cs", "eng", "mat"),
        ("quantum error correction", "quantum computing"),
    ),
    Front(
        "capsule networks",
        "Capsule Networks and Dynamic Routing",
        "declining",
        (4, 4, 4, 3, 3),
        (0.045, 0.068, 0.036, 0.018, 0.009),
        ("cs", "eng"),
        ("capsule network", "computer vision"),
    ),
]

# ---------------------------------------------------------------------------------------------
# Researcher flows and international collaboration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    origin: str
    destination: str
    rate: int  # relative yearly rate: mover groups origin -> destination get sizes in proportion


FLOWS = [
    Flow("CN", "US", 40),
    Flow("CN", "GB", 7),
    Flow("CN", "SG", 6),
    Flow("CN", "CA", 6),
    Flow("CN", "AU", 6),
    Flow("CN", "DE", 4),
    Flow("CN", "JP", 4),
    Flow("US", "CN", 14),
    Flow("US", "GB", 5),
    Flow("US", "CA", 5),
    Flow("US", "DE", 3),
    Flow("US", "SG", 2),
    Flow("GB", "US", 8),
    Flow("DE", "US", 7),
    Flow("IN", "US", 12),
    Flow("CA", "US", 6),
    Flow("KR", "US", 4),
    Flow("FR", "US", 3),
    Flow("JP", "US", 2),
    Flow("IT", "GB", 3),
    Flow("FR", "GB", 2),
    Flow("IN", "GB", 3),
    Flow("GB", "DE", 2),
    Flow("DE", "CH", 2),
    Flow("FR", "CH", 2),
    Flow("ES", "GB", 2),
    Flow("BR", "US", 3),
    Flow("AU", "US", 2),
]


# Collaborator country of international papers, by lead country: these shares, the rest spread by
# Country.other_weight. The None entry serves every other lead country.
COLLAB_OVERRIDES = {
    "CN": {"US": 0.40, "GB": 0.10, "AU": 0.08, "SG": 0.07, "CA": 0.06, "JP": 0.06, "DE": 0.05},
    "US": {"CN": 0.30, "GB": 0.12, "CA": 0.10, "DE": 0.08},
    None: {"US": 0.30, "CN": 0.18},
}

# ---------------------------------------------------------------------------------------------
# Names and titles
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamePool:
    given: tuple[str, ...]
    family: tuple[str, ...]


NAMES = {
    "cn": NamePool(
        given=(
            "Wei",
            "Jing",
            "Min",
            "Lei",
            "Yang",
            "Jun",
            "Hui",
            "Tao",
            "Chao",
            "Xin",
            "Yan",
            "Jie",
            "Hao",
            "Peng",
            "Yu",
            "Ming",
            "Qiang",
            "Lin",
            "Fang",
            "Xiaoming",
            "Zhiwei",
            "Yifan",
            "Zihan",
            "Haoran",
        ),
        family=(
            "Wang",
            "Li",
            "Zhang",
            "Liu",
            "Chen",
            "Yang",
            "Huang",
            "Zhao",
            "Wu",
            "Zhou",
            "Xu",
            "Sun",
            "Ma",
            "Zhu",
            "Hu",
            "Guo",
            "He",
            "Lin",
            "Gao",
            "Luo",
            "Zheng",
            "Liang",
            "Xie",
            "Tang",
        ),
    ),
    "west": NamePool(
        given=(
            "James",
            "Mary",
            "John",
            "Patricia",
            "Robert",
            "Jennifer",
            "Michael",
            "Linda",
            "David",
            "Elizabeth",
            "Thomas",
            "Sarah",
            "Daniel",
            "Laura",
            "Matthew",
            "Anna",
            "Lukas",
            "Sophie",
            "Pierre",
            "Marie",
            "Marco",
            "Giulia",
            "Carlos",
            "Lucia",
        ),
        family=(
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Moore",
            "Martin",
            "Müller",
            "Schmidt",
            "Schneider",
            "Dubois",
            "Laurent",
            "Rossi",
            "Russo",
            "García",
            "Fernández",
            "Silva",
            "de Vries",
            "Clarke",
        ),
    ),
    "jp": NamePool(
        given=("Hiroshi", "Takashi", "Yuki", "Kenji", "Akira", "Naoko", "Satoshi", "Yumi", "Daisuke", "Aiko"),
        family=("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato"),
    ),
    "kr": NamePool(
        given=("Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Jae-won", "Soo-jin", "Dong-hyun", "Eun-ji"),
        family=("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"),
    ),
    "in": NamePool(
        given=("Rahul", "Priya", "Amit", "Anjali", "Vikram", "Sneha", "Arjun", "Kavya", "Sanjay", "Deepa"),
        family=("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Das", "Rao"),
    ),
}
CULTURES = list(NAMES)

# Work titles: "<opener> <topic keyword> for <target>".
TITLE_OPENERS = (
    "A Novel",
    "Scalable",
    "Robust",
    "Efficient",
    "Towards",
    "Rethinking",
    "Adaptive",
    "Explainable",
    "Federated",
    "Self-Supervised",
    "Lightweight",
    "Unified",
)
TITLE_TARGETS = (
    "Large-Scale Data",
    "Real-World Applications",
    "Medical Diagnosis",
    "Smart Cities",
    "Autonomous Systems",
    "Edge Devices",
    "Scientific Discovery",
    "Industrial Inspection",
    "Remote Sensing",
    "Financial Forecasting",
    "Education",
    "Low-Resource Settings",
)

# ---------------------------------------------------------------------------------------------
# Patents
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignee:
    name: str
    type: str


# Assignees per country, biggest first (a patent picks one by a power law on this order).
ASSIGNEES = {
    "US": [
        Assignee("International Business Machines Corporation", "company"),
        Assignee("Google LLC", "company"),
        Assignee("Microsoft Technology Licensing, LLC", "company"),
        Assignee("Apple Inc.", "company"),
        Assignee("Intel Corporation", "company"),
        Assignee("Qualcomm Incorporated", "company"),
        Assignee("DeepMind Technologies Limited", "company"),
        Assignee("Amazon Technologies, Inc.", "company"),
        Assignee("NVIDIA Corporation", "company"),
        Assignee("Massachusetts Institute of Technology", "education"),
        Assignee("The Regents of the University of California", "education"),
        Assignee("United States Department of Energy", "government"),
    ],
    "CN": [
        Assignee("Huawei Technologies Co., Ltd.", "company"),
        Assignee("Tencent Technology (Shenzhen) Co., Ltd.", "company"),
        Assignee("Baidu Online Network Technology (Beijing) Co., Ltd.", "company"),
        Assignee("Alibaba Group Holding Limited", "company"),
        Assignee("State Grid Corporation of China", "company"),
        Assignee("Tsinghua University", "education"),
        Assignee("Zhejiang University", "education"),
        Assignee("Ping An Technology (Shenzhen) Co., Ltd.", "company"),
        Assignee("Beijing Bytedance Network Technology Co., Ltd.", "company"),
        Assignee("Institute of Automation, Chinese Academy of Sciences", "government"),
    ],
    "JP": [
        Assignee("Sony Group Corporation", "company"),
        Assignee("Canon Inc.", "company"),
        Assignee("Toyota Motor Corporation", "company"),
        Assignee("NEC Corporation", "company"),
        Assignee("Fujitsu Limited", "company"),
        Assignee("Hitachi, Ltd.", "company"),
    ],
    "KR": [
        Assignee("Samsung Electronics Co., Ltd.", "company"),
        Assignee("LG Electronics Inc.", "company"),
        Assignee("SK Hynix Inc.", "company"),
        Assignee("Korea Advanced Institute of Science and Technology", "education"),
    ],
    "DE": [
        Assignee("Siemens Aktiengesellschaft", "company"),
        Assignee("Robert Bosch GmbH", "company"),
        Assignee("SAP SE", "company"),
        Assignee("Fraunhofer-Gesellschaft", "government"),
    ],
    "GB": [
        Assignee("ARM Limited", "company"),
        Assignee("DeepMind Technologies Limited", "company"),
        Assignee("BAE Systems plc", "company"),
    ],
    "FR": [
        Assignee("Thales", "company"),
        Assignee("Commissariat à l'énergie atomique", "government"),
    ],
    "NL": [
        Assignee("Koninklijke Philips N.V.", "company"),
        Assignee("ASML Netherlands B.V.", "company"),
    ],
    "CA": [
        Assignee("Element AI Inc.", "company"),
        Assignee("University of Toronto", "education"),
    ],
    "IN": [
        Assignee("Tata Consultancy Services Limited", "company"),
        Assignee("Infosys Limited", "company"),
    ],
    "CH": [
        Assignee("ABB Schweiz AG", "company"),
    ],
    "SG": [
        Assignee("Agency for Science, Technology and Research", "government"),
    ],
}
PATENT_COUNTRIES = list(ASSIGNEES)

# Assignee-country shares of the grants in the first and the last year of the window (linear in
# between): CN overtakes the US.
PATENT_COUNTRY_SHARES_FIRST_YEAR = {
    "CN": 0.18,
    "US": 0.32,
    "JP": 0.17,
    "KR": 0.09,
    "DE": 0.07,
    "GB": 0.03,
    "FR": 0.025,
    "NL": 0.02,
    "CA": 0.015,
    "IN": 0.01,
    "CH": 0.01,
    "SG": 0.01,
}
PATENT_COUNTRY_SHARES_LAST_YEAR = {
    **PATENT_COUNTRY_SHARES_FIRST_YEAR,
    "CN": 0.42,
    "US": 0.22,
    "JP": 0.10,
    "DE": 0.05,
    "IN": 0.02,
}

# KPSS-style value: median USD by assignee country (US highest); log-normal around it.
PATENT_MEDIAN_USD = {
    "US": 1_400_000,
    "CH": 850_000,
    "GB": 850_000,
    "DE": 800_000,
    "JP": 650_000,
    "NL": 700_000,
    "FR": 650_000,
    "KR": 550_000,
    "CA": 600_000,
    "SG": 500_000,
    "IN": 250_000,
    "CN": 300_000,
}

# Countries whose patents are granted by the European Patent Office (the other countries without
# a national office of their own: WIPO).
EUROPEAN = ("GB", "DE", "FR", "NL", "CH")


@dataclass(frozen=True)
class PatentNumbering:
    first_number: int  # publication number of patent 0 at this office
    kind: str  # kind code


PATENT_NUMBERING = {
    "US": PatentNumbering(10_000_000, "B2"),
    "CN": PatentNumbering(110_000_000, "B"),
    "JP": PatentNumbering(6_000_000, "B2"),
    "KR": PatentNumbering(10_2000_0000, "B1"),
    "EP": PatentNumbering(3_000_000, "B1"),
    "WO": PatentNumbering(2_019_000_000, "A1"),
}

# Patent titles: "<opener> <first topic term> <tail>".
PATENT_TITLE_OPENERS = ("Method and system for", "Apparatus and method for", "System for", "Device and method for")
PATENT_TITLE_TAILS = (
    "in vehicles",
    "with reduced latency",
    "on mobile devices",
    "in data centers",
    "for industrial control",
    "using sensor data",
)
