"""Demo directory: about 60 people in a real reporting tree (executives to junior staff), several
departments, sites, time zones and languages. Called once by the demo seeding; safe to call again
(people already there, matched by email, are kept as they are)."""

from __future__ import annotations

from datetime import date, timedelta

from organizations.models import Organization
from organizations.scope import tenant_scope
from participants import directory
from participants.models import Person

SITES = {
    "London": ("Europe/London", ["en"]),
    "Paris": ("Europe/Paris", ["fr", "en"]),
    "Berlin": ("Europe/Berlin", ["de", "en"]),
    "New York": ("America/New_York", ["en", "es"]),
    "São Paulo": ("America/Sao_Paulo", ["pt-br", "en"]),
    "Singapore": ("Asia/Singapore", ["en", "zh"]),
}

# (key, name, title, department, level, site, manager key)
_Entry = tuple[str, str, str, str, int, str, str | None]
_EXECUTIVES: list[_Entry] = [
    ("ceo", "Margaret Okafor", "Chief Executive Officer", "Executive", 10, "London", None),
    ("cfo", "Henrik Larsen", "Chief Financial Officer", "Finance", 10, "London", "ceo"),
    ("cto", "Priya Raman", "Chief Technology Officer", "Engineering", 10, "Berlin", "ceo"),
    ("cmo", "Daniel Moreau", "Chief Marketing Officer", "Marketing", 10, "Paris", "ceo"),
    ("coo", "Sofia Alvarez", "Chief Operating Officer", "Operations", 10, "New York", "ceo"),
    ("chro", "Kenji Watanabe", "Chief People Officer", "People", 10, "Singapore", "ceo"),
    ("vp-eng", "Laura Fischer", "VP Engineering", "Engineering", 9, "Berlin", "cto"),
    ("vp-sales", "Marcus Reid", "VP Sales", "Sales", 9, "New York", "coo"),
    ("vp-fin", "Amelia Hart", "VP Finance", "Finance", 9, "London", "cfo"),
    ("vp-brand", "Lucas Ferreira", "VP Brand", "Marketing", 9, "São Paulo", "cmo"),
]
_MANAGERS: list[_Entry] = [
    ("dir-platform", "Tomás Silva", "Director, Platform", "Engineering", 8, "Berlin", "vp-eng"),
    (
        "dir-product",
        "Hannah Becker",
        "Director, Product Engineering",
        "Engineering",
        8,
        "London",
        "vp-eng",
    ),
    ("dir-emea", "Olivier Dubois", "Sales Director EMEA", "Sales", 8, "Paris", "vp-sales"),
    ("dir-amer", "Jessica Turner", "Sales Director Americas", "Sales", 8, "New York", "vp-sales"),
    ("dir-fpa", "Raj Patel", "Director, FP&A", "Finance", 8, "London", "vp-fin"),
    (
        "dir-digital",
        "Camila Rocha",
        "Director, Digital Marketing",
        "Marketing",
        8,
        "São Paulo",
        "vp-brand",
    ),
    ("dir-people", "Mei Lin Tan", "Director, Talent", "People", 8, "Singapore", "chro"),
    (
        "mgr-infra",
        "Felix Wagner",
        "Engineering Manager, Infrastructure",
        "Engineering",
        6,
        "Berlin",
        "dir-platform",
    ),
    (
        "mgr-web",
        "Chloé Martin",
        "Engineering Manager, Web",
        "Engineering",
        6,
        "Paris",
        "dir-product",
    ),
    (
        "mgr-mobile",
        "Aisha Bello",
        "Engineering Manager, Mobile",
        "Engineering",
        6,
        "London",
        "dir-product",
    ),
    ("mgr-uk-sales", "Oliver Grant", "Sales Manager UK", "Sales", 6, "London", "dir-emea"),
    ("mgr-us-sales", "Tyler Brooks", "Sales Manager East", "Sales", 6, "New York", "dir-amer"),
    (
        "mgr-social",
        "Beatriz Costa",
        "Social Media Manager",
        "Marketing",
        6,
        "São Paulo",
        "dir-digital",
    ),
    ("mgr-ops", "Nathan Cole", "Operations Manager", "Operations", 6, "New York", "coo"),
]
_JUNIOR_NAMES = [
    "Amara Okafor",
    "Jonas Lindqvist",
    "Tomás Ferreira",
    "Zoe Campbell",
    "Ethan Nguyen",
    "Lina Haddad",
    "Noah Schmidt",
    "Maya Johnson",
    "Leo Rossi",
    "Chloe Wright",
    "Arjun Mehta",
    "Emma Schulz",
    "Yusuf Demir",
    "Isla Murphy",
    "Lucas Lefebvre",
    "Ava Thompson",
    "Kofi Mensah",
    "Sara Lindqvist",
    "Diego Herrera",
    "Nina Petrova",
    "Sam Carter",
    "Hana Suzuki",
    "Jonas Weber",
    "Grace Kim",
    "Mateo Santos",
    "Ella Novak",
    "Ravi Kumar",
    "Lea Girard",
    "Owen Hughes",
    "Ines Oliveira",
    "Theo Laurent",
    "Mia Andersen",
    "Jack O'Brien",
    "Aria Shah",
    "Ben Walker",
    "Freya Jensen",
    "Daniel Ito",
]
_JUNIOR_TEAMS = [
    ("mgr-infra", "Software Engineer", "Engineering", "Berlin"),
    ("mgr-web", "Front-end Developer", "Engineering", "Paris"),
    ("mgr-mobile", "Mobile Developer", "Engineering", "London"),
    ("mgr-uk-sales", "Account Executive", "Sales", "London"),
    ("mgr-us-sales", "Sales Development Rep", "Sales", "New York"),
    ("mgr-social", "Social Media Specialist", "Marketing", "São Paulo"),
    ("mgr-ops", "Operations Analyst", "Operations", "New York"),
    ("dir-fpa", "Financial Analyst", "Finance", "London"),
    ("dir-people", "People Partner", "People", "Singapore"),
]


def _email(name: str, domain: str) -> str:
    local = name.lower().replace("'", "").replace(" ", ".")
    for accented, plain in (("é", "e"), ("á", "a"), ("ã", "a"), ("ó", "o"), ("ç", "c")):
        local = local.replace(accented, plain)
    return f"{local}@{domain}"


def _people(domain: str) -> list[tuple[str, dict[str, object], str | None]]:
    """(key, fields, manager key), managers before their reports."""
    entries: list[tuple[str, dict[str, object], str | None]] = []
    for index, (key, name, title, department, level, site, manager) in enumerate(
        _EXECUTIVES + _MANAGERS
    ):
        time_zone, languages = SITES[site]
        entries.append(
            (
                key,
                {
                    "full_name": name,
                    "email": _email(name, domain),
                    "employee_id": f"D{index + 1:03d}",
                    "job_title": title,
                    "department": department,
                    "level": level,
                    "location": site,
                    "time_zone": time_zone,
                    "languages": languages,
                    "start_date": date(2004, 3, 1) + timedelta(days=211 * index),
                },
                manager,
            )
        )
    offset = len(entries)
    for index, name in enumerate(_JUNIOR_NAMES):
        manager, title, department, site = _JUNIOR_TEAMS[index % len(_JUNIOR_TEAMS)]
        time_zone, languages = SITES[site]
        level = 1 + index % 4  # 1-4: the juniors who mentor executives
        entries.append(
            (
                f"junior-{index}",
                {
                    "full_name": name,
                    "email": _email(name, domain),
                    "employee_id": f"D{offset + index + 1:03d}",
                    "job_title": ("Junior " if level == 1 else "") + title,
                    "department": department,
                    "level": level,
                    "location": site,
                    "time_zone": time_zone,
                    "languages": languages,
                    "start_date": date(2019, 9, 1) + timedelta(days=53 * index),
                },
                manager,
            )
        )
    return entries


def load_demo_people(organization: Organization) -> list[Person]:
    """Create the demo directory in ``organization`` (through the directory services)."""
    domain = f"{organization.slug}.example"
    created: dict[str, Person] = {}
    with tenant_scope(organization):
        existing = {person.email: person for person in Person.objects.all()}
        for key, fields, manager_key in _people(domain):
            person = existing.get(str(fields["email"]))
            if person is None:
                person = directory.person_create(
                    organization=organization,
                    actor=None,
                    manager=created.get(manager_key) if manager_key else None,
                    **fields,  # type: ignore[arg-type]
                )
            created[key] = person
    return list(created.values())
