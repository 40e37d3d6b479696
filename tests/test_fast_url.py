"""{% load fast_url %}'s links are Django's: every named URL of the site, reversed both
ways, comes out the same, and the template tag prints what the built-in one prints."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, get_resolver, reverse

from customers.templatetags.fast_url import fast_reverse

pytestmark = pytest.mark.django_db


def _named_urls() -> list[tuple[str, int]]:
    """(name, number of arguments) of every named pattern, namespaces included."""
    found = []

    def walk(resolver, namespace):
        for name, possibilities in resolver.reverse_dict.lists():
            if isinstance(name, str):
                for bits, _pattern, _defaults, _converters in possibilities:
                    found.extend((namespace + name, len(params)) for _format, params in bits)
        for ns, (_prefix, sub) in resolver.namespace_dict.items():
            walk(sub, f"{namespace}{ns}:")

    walk(get_resolver(), "")
    return sorted(set(found))


def test_every_named_url_reverses_as_django_does():
    checked = 0
    for name, arity in _named_urls():
        for args in ([7] * arity, [123456] * arity, list(range(1, arity + 1))):
            try:
                expected = reverse(name, args=args)
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    fast_reverse(name, args=args)
                continue
            assert fast_reverse(name, args=args) == expected, name
            checked += arity > 0
    assert checked > 50  # the site's links with ids were compared, not skipped


def test_text_and_keyword_arguments_go_to_django():
    assert fast_reverse("customers:detail", args=["12"]) == reverse("customers:detail", args=[12])
    with pytest.raises(NoReverseMatch):
        fast_reverse("customers:detail", args=[-1])
    with pytest.raises(NoReverseMatch):
        fast_reverse("customers:detail", args=[0, 1])


def test_the_tag_prints_what_the_built_in_tag_prints():
    source = (
        "{% url 'customers:detail' pk %}|{% url 'customers:detail' pk=pk %}|"
        "{% url 'followups:complete' pk as done %}{{ done }}|{% url 'customers:list' %}"
    )
    request = RequestFactory().get("/")
    context = {"pk": 42, "request": request}
    built_in = Template(source).render(Context(context))
    fast = Template("{% load fast_url %}" + source).render(Context(context))
    assert fast == built_in
    assert "/customers/42/" in fast
