"""Names, decided once: LB3 model names become plurals, foreign keys, Python modules, class names and
identifiers here and nowhere else.

Plurals and camel-cased keys must be exactly LB3's, because they become URLs (`/api/CoffeeShops`) and
column names (`coffeeShopId`). LB3 gets them from the npm `inflection` package (1.13.4 in loopback 3.28),
whose rules differ from the Rails inflector that the Python `inflection` package ports (Campus ->
Campuses, not Campus; Tooth -> teeth, lower case). So `plural` and `camelize` below are ports of the npm
functions, rule for rule; Python's `inflection` is used only for Python-side names.
"""

from __future__ import annotations

import keyword
import re

import inflection

# npm inflection 1.13.4 `uncountable_words` (the entries it comments out are left out here too).
_UNCOUNTABLE_WORDS = """
    accommodation adulthood advertising advice aggression aid air aircraft alcohol anger applause
    arithmetic assistance athletics bacon baggage beef biology blood botany bread butter carbon
    cardboard cash chalk chaos chess crossroads countryside dancing deer dignity dirt dust economics
    education electricity engineering enjoyment envy equipment ethics evidence evolution fame fiction
    flour flu food fuel fun furniture gallows garbage garlic genetics gold golf gossip gratitude grief
    guilt gymnastics happiness hardware harm hate hatred health heat help homework honesty honey
    hospitality housework humour hunger hydrogen ice importance inflation information innocence iron
    irony jam jewelry judo karate knowledge lack laughter lava leather leisure lightning linguine
    linguini linguistics literature litter livestock logic loneliness luck luggage macaroni machinery
    magic management mankind marble mathematics mayonnaise measles methane milk minus money mud music
    mumps nature news nitrogen nonsense nurture nutrition obedience obesity oxygen pasta patience
    physics poetry pollution poverty pride psychology publicity punctuation quartz racism relaxation
    reliability research respect revenge rice rubbish rum safety scenery seafood seaside series shame
    sheep shopping sleep smoke smoking snow soap software soil spaghetti species steam stuff stupidity
    sunshine symmetry tennis thirst thunder timber traffic transportation trust underwear unemployment
    unity validity veal vegetation vegetarianism vengeance violence vitality warmth wealth weather
    welfare wheat wildlife wisdom yoga zinc zoology
"""
_UNCOUNTABLE = frozenset(_UNCOUNTABLE_WORDS.split())

# npm inflection `plural_rules`, in order: the first pattern that matches decides. A rule without a
# replacement means "already plural, leave it". Patterns are case-insensitive, as the npm ones (`gi`).
_PLURAL_RULES: tuple[tuple[str, str | None], ...] = (
    (r"^(m|wom)en$", None),
    (r"(pe)ople$", None),
    (r"(child)ren$", None),
    (r"([ti])a$", None),
    (r"((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)ses$", None),
    (r"(database)s$", None),
    (r"(drive)s$", None),
    (r"(hi|ti)ves$", None),
    (r"(curve)s$", None),
    (r"([lr])ves$", None),
    (r"([^fo])ves$", None),
    (r"([^aeiouy]|qu)ies$", None),
    (r"(s)eries$", None),
    (r"(m)ovies$", None),
    (r"(x|ch|ss|sh)es$", None),
    (r"([m|l])ice$", None),
    (r"(bus)es$", None),
    (r"(o)es$", None),
    (r"(shoe)s$", None),
    (r"(cris|ax|test)es$", None),
    (r"(octop|vir)uses$", None),
    (r"(alias|canvas|status|campus)es$", None),
    (r"^(summons|bonus)es$", None),
    (r"^(ox)en", None),
    (r"(matr)ices$", None),
    (r"^feet$", None),
    (r"^teeth$", None),
    (r"^geese$", None),
    (r"(quiz)zes$", None),
    (r"^(whereas)es$", None),
    (r"^(criteri)a$", None),
    (r"^genera$", None),
    (r"^(m|wom)an$", r"\1en"),
    (r"(pe)rson$", r"\1ople"),
    (r"(child)$", r"\1ren"),
    (r"(drive)$", r"\1s"),
    (r"^(ox)$", r"\1en"),
    (r"(ax|test)is$", r"\1es"),
    (r"(octop|vir)us$", r"\1uses"),
    (r"(alias|status|canvas|campus)$", r"\1es"),
    (r"^(summons|bonus)$", r"\1es"),
    (r"(bu)s$", r"\1ses"),
    (r"(buffal|tomat|potat)o$", r"\1oes"),
    (r"([ti])um$", r"\1a"),
    (r"sis$", "ses"),
    (r"(?:([^f])fe|([lr])f)$", r"\1\2ves"),
    (r"(hi|ti)ve$", r"\1ves"),
    (r"([^aeiouy]|qu)y$", r"\1ies"),
    (r"(matr)ix$", r"\1ices"),
    (r"(vert|ind)ex$", r"\1ices"),
    (r"(x|ch|ss|sh)$", r"\1es"),
    (r"([m|l])ouse$", r"\1ice"),
    (r"^foot$", "feet"),
    (r"^tooth$", "teeth"),
    (r"^goose$", "geese"),
    (r"(quiz)$", r"\1zes"),
    (r"^(whereas)$", r"\1es"),
    (r"^(criteri)on$", r"\1a"),
    (r"^genus$", "genera"),
    (r"s$", "s"),
    (r"$", "s"),
)
_COMPILED_PLURAL_RULES = tuple((re.compile(p, re.IGNORECASE), r) for p, r in _PLURAL_RULES)


def plural(model_name: str) -> str:
    """LB3's default plural (juggler: `inflection.pluralize(className)`): Person -> People,
    CoffeeShop -> CoffeeShops, Campus -> Campuses, Sheep -> Sheep."""
    if model_name.lower() in _UNCOUNTABLE:
        return model_name
    for pattern, replacement in _COMPILED_PLURAL_RULES:
        if pattern.search(model_name):
            # the npm patterns are all anchored at the end, so one substitution is the global one
            return model_name if replacement is None else pattern.sub(replacement, model_name, 1)
    return model_name  # unreachable: the last rule matches every string


def camelize(name: str, low_first_letter: bool = False) -> str:
    """npm inflection's `camelize`: split on `_`, lower-case every part after the first, capitalise
    each part's first letter (`/` becomes `::`, as there)."""
    segments = []
    for i, segment in enumerate(name.split("/")):
        parts = segment.split("_")
        out = []
        for k, part in enumerate(parts):
            if k:
                part = part.lower()
            first = part[:1].lower() if low_first_letter and i == 0 and k == 0 else part[:1].upper()
            out.append(first + part[1:])
        segments.append("".join(out))
    return "::".join(segments)


def foreign_key(model_name: str, suffix: str = "_id") -> str:
    """LB3's default key named after a model: CoffeeShop -> coffeeShopId (hasMany/hasOne keys and
    hasManyThrough's keyThrough); with suffix `_ids`, Tag -> tagIds (referencesMany)."""
    return camelize(model_name + suffix, low_first_letter=True)


# lodash's ASCII word splitter: an upper-case run before a capitalised word, a capitalised or lower-case
# word, an upper-case run, or digits (`XMLHttp-request` -> XML, Http, request).
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def model_name_from_file(stem: str) -> str:
    """loopback-boot names a model JSON without `name` after its file: `_.upperFirst(_.camelCase(stem))`,
    coffee-shop -> CoffeeShop, ACL -> Acl."""
    words = _WORDS.findall(stem)
    return "".join(w[:1].upper() + w[1:].lower() for w in words)


def module_name(model_name: str) -> str:
    """CoffeeShop -> coffee_shop; order-item -> order_item; class -> class_."""
    snake = re.sub(r"[^0-9a-zA-Z]+", "_", inflection.underscore(model_name)).strip("_").lower()
    if not snake or snake[0].isdigit():
        snake = f"m_{snake}"
    if keyword.iskeyword(snake):
        snake += "_"
    return snake


def package_name(app_dir_name: str) -> str:
    """coffee-shop -> coffee_shop."""
    return module_name(app_dir_name)


def lb3_file_stem(model_name: str) -> str:
    """CoffeeShop -> coffee-shop: LB3's file naming for models/<stem>.json."""
    return inflection.dasherize(inflection.underscore(model_name))


_VERB_SUFFIX = re.compile(r"^(?P<method>[^.]+)__(?P<verb>get|head|post|put|patch|delete)_.*$")
_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z]+")


def operation_id(lb3_id: str) -> str:
    """LB3's operationId -> an identifier client generators turn into a good method name:
    `CoffeeShop.find` -> `CoffeeShop_find`, `CoffeeShop.prototype.__get__reviews` ->
    `CoffeeShop_prototype_get_reviews`, `CoffeeShop.replaceById__put_CoffeeShops_{id}` (LB3 names
    a method with several routes after verb and path) -> `CoffeeShop_replaceById_put`. The LB3 name
    stays in `x-lb-operation`; see `operation_ids` for names that would collide."""
    model, _, method = lb3_id.partition(".")
    suffixed = _VERB_SUFFIX.match(method)
    if suffixed:
        method = f"{suffixed['method']}_{suffixed['verb']}"
    return _identifier(f"{model}_{method}")


def long_operation_id(lb3_id: str) -> str:
    """Every part of the LB3 name kept: for the rare names `operation_id` would make collide."""
    return _identifier(lb3_id)


def _identifier(text: str) -> str:
    name = _NOT_IDENTIFIER.sub("_", text).strip("_")
    return f"_{name}" if name[:1].isdigit() else name


def operation_ids(lb3_ids: list[str]) -> dict[str, str]:
    """Each LB3 operationId's identifier, unique across the document: a short name two operations
    would share falls back to the long form (stable: it depends on the names only)."""
    short = {i: operation_id(i) for i in lb3_ids}
    taken: dict[str, int] = {}
    for name in short.values():
        taken[name] = taken.get(name, 0) + 1
    out = {i: s if taken[s] == 1 else long_operation_id(i) for i, s in short.items()}
    if len(set(out.values())) != len(out):
        raise ValueError(f"operationIds collide: {sorted(out.values())}")
    return out
