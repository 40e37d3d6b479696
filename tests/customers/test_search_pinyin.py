"""The customer search as Chinese staff search (customers/search.py, customers/pinyin.py),
through the customer list page, scoped by the one visibility selector; the list's capped
count and its page limit (customers/pagination.py)."""

import datetime

import pytest
from django.urls import reverse

from customers.models import AccessRequest, AccessRequestStatus, Customer
from customers.pinyin import name_search_keys
from customers.services import customer_create, customer_update
from tests.factories import CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def found(client, text) -> set[str]:
    response = client.get(reverse("customers:list"), {"q": text})
    assert response.status_code == 200
    return {customer.name for customer in response.context["page"]}


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("林小雨", "linxiaoyu", "lxy"),
        ("单田芳", "shantianfang", "stf"),  # 单 as a surname: shàn, not dān
        ("曾国藩", "zengguofan", "zgf"),  # not céng
        ("解缙", "xiejin", "xj"),  # not jiě
        ("区志坚", "ouzhijian", "ozj"),  # not qū
        ("仇英", "qiuying", "qy"),  # not chóu
        ("万俟卨", "moqixie", "mqx"),
        ("朴槿惠", "piaojinhui", "pjh"),
    ],
)
def test_surnames_are_read_as_surnames(name, full, initials):
    assert name_search_keys(name, kind="individual") == (full, initials)


def test_an_organisation_keeps_the_phrase_reading():
    # 单位: dān wèi; no family name at the start of a company's name.
    assert name_search_keys("单位旅游服务", kind="corporate")[0].startswith("danwei")
    assert name_search_keys("ABC旅行社 Co.", kind="corporate") == ("abclvxingsheco", "abclxsco")


def test_initials_full_pinyin_and_part_of_the_chinese_name_find_her(sales1, client_as):
    CustomerFactory(owner=sales1, name="林小雨")
    CustomerFactory(owner=sales1, name="林晓宇")  # the same sounds, other characters
    CustomerFactory(owner=sales1, name="王磊")
    client = client_as(sales1)
    assert found(client, "lxy") == {"林小雨", "林晓宇"}
    assert found(client, "LinXiaoyu") == {"林小雨", "林晓宇"}
    assert found(client, "lin xiao yu") == {"林小雨", "林晓宇"}
    assert found(client, "lx") == {"林小雨", "林晓宇"}
    assert found(client, "xiaoyu") == set()  # pinyin is matched from the start
    assert found(client, "小雨") == {"林小雨"}
    assert found(client, "林小雨") == {"林小雨"}
    assert found(client, "林") == {"林小雨", "林晓宇"}
    assert found(client, "wl") == {"王磊"}
    assert found(client, "zgf") == set()


def test_polyphonic_surnames_are_found_by_their_surname_reading(sales1, client_as):
    for name in ("单田芳", "曾国藩", "解缙", "区志坚", "仇英"):
        CustomerFactory(owner=sales1, name=name)
    client = client_as(sales1)
    assert found(client, "stf") == {"单田芳"}
    assert found(client, "shantianfang") == {"单田芳"}
    assert found(client, "dantianfang") == set()
    assert found(client, "zengguofan") == {"曾国藩"}
    assert found(client, "zgf") == {"曾国藩"}
    assert found(client, "xiejin") == {"解缙"}
    assert found(client, "ozj") == {"区志坚"}
    assert found(client, "qiuying") == {"仇英"}
    assert found(client, "单") == {"单田芳"}  # typed in Chinese: any reading of 单


def test_a_company_by_any_part_of_its_name(sales1, client_as):
    OrganisationFactory(owner=sales1, name="北京华夏科技有限公司")
    OrganisationFactory(owner=sales1, name="上海东方旅游集团")
    client = client_as(sales1)
    assert found(client, "华夏") == {"北京华夏科技有限公司"}
    assert found(client, "科技有限") == {"北京华夏科技有限公司"}
    assert found(client, "beijinghuaxia") == {"北京华夏科技有限公司"}
    assert found(client, "bjhx") == {"北京华夏科技有限公司"}
    assert found(client, "旅游") == {"上海东方旅游集团"}


def test_the_pinyin_follows_the_name_on_every_save(sales1):
    customer = customer_create(
        actor=sales1, customer=Customer(kind="individual", name="曾小贤", status="active")
    )
    assert (customer.name_pinyin, customer.name_initials) == ("zengxiaoxian", "zxx")
    customer.name = "单田芳"
    customer_update(actor=sales1, customer=customer)
    stored = Customer.objects.values("name_pinyin", "name_initials").get(pk=customer.pk)
    assert stored == {"name_pinyin": "shantianfang", "name_initials": "stf"}


def test_mobile_last_digits_only_in_the_searchers_own_book(
    sales1, sales2, lead1, manager1, client_as
):
    CustomerFactory(owner=sales1, name="自己的", mobile="13912345678")
    CustomerFactory(owner=sales2, name="同事的", mobile="13800005678")
    assert found(client_as(sales1), "5678") == {"自己的"}
    assert found(client_as(sales1), "345678") == {"自己的"}
    # A lead and a manager see both customers, but four digits are not a search over
    # other people's books; the whole number is.
    assert found(client_as(lead1), "5678") == set()
    assert found(client_as(manager1), "5678") == set()
    assert found(client_as(manager1), "138 0000 5678") == {"同事的"}
    assert found(client_as(sales1), "567") == set()  # fewer than four digits


def test_a_rep_never_finds_another_reps_customer(sales1, sales3, client_as):
    CustomerFactory(
        owner=sales3,
        name="林小雨",
        mobile="13712345678",
        email="lin@example.com",
        id_number="34052419800101001X",
        birthday=datetime.date(1980, 1, 1),
    )
    OrganisationFactory(owner=sales3, name="北京华夏科技有限公司")
    client = client_as(sales1)
    for text in (
        "林小雨",
        "小雨",
        "林",
        "lxy",
        "linxiaoyu",
        "lx",
        "13712345678",
        "5678",
        "lin@example.com",
        "34052419800101001X",
        "华夏",
        "beijinghuaxia",
    ):
        assert found(client, text) == set(), text


def test_special_access_lets_the_rep_find_that_customer_by_name(
    sales1, sales3, manager1, client_as
):
    granted = CustomerFactory(owner=sales3, name="林小雨", mobile="13712345678")
    CustomerFactory(owner=sales3, name="林晓宇")
    AccessRequest.objects.create(
        requester=sales1,
        customer=granted,
        reason="客户来电",
        status=AccessRequestStatus.APPROVED,
        decided_by=manager1,
        expires_at=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1),
    )
    client = client_as(sales1)
    assert found(client, "lxy") == {"林小雨"}
    assert found(client, "5678") == set()  # not the rep's own book


def test_search_keeps_the_query_count_constant(sales1, client_as, django_assert_max_num_queries):
    client = client_as(sales1)
    CustomerFactory(owner=sales1, name="林小雨")
    url = reverse("customers:list")
    with django_assert_max_num_queries(17) as small:
        client.get(url, {"q": "lxy", "dormant": "false"})
    for index in range(30):
        CustomerFactory(owner=sales1, name=f"林小雨{index}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"q": "lxy", "dormant": "false"})
    assert len(response.context["page"]) == 25


def test_a_count_past_the_cap_reads_as_more_and_deep_pages_stop_there(
    sales1, client_as, monkeypatch
):
    monkeypatch.setattr("customers.pagination.COUNT_CAP", 5)
    monkeypatch.setattr("customers.views.archive.PAGE_SIZE", 2)
    CustomerFactory.create_batch(8, owner=sales1)
    client = client_as(sales1)
    url = reverse("customers:list")

    first = client.get(url)
    assert "5+ customers" in first.text
    assert "Page 1" in first.text and "Page 1 of" not in first.text
    assert "last" not in first.text.split('aria-label="Pages"')[1]

    deep = client.get(url, {"page": 99})  # past the cap: the last page a person reaches
    assert deep.context["page"].number == 3
    assert len(deep.context["page"]) == 1
    assert "narrow the search or the filters" in deep.text


@pytest.mark.parametrize("few", [3, 2], ids=["read-by-ids", "walked-in-order"])
def test_few_matches_are_listed_in_name_order_page_by_page(sales1, client_as, monkeypatch, few):
    """A search with few matches reads them by id (customers.pagination.FEW): the pages
    show the same rows in the same order as the walk of the list's order does."""
    monkeypatch.setattr("customers.pagination.FEW", few)
    monkeypatch.setattr("customers.views.archive.PAGE_SIZE", 2)
    for name in ("ZZ测试3", "AA其他", "ZZ测试1", "BB其他", "ZZ测试2"):
        CustomerFactory(owner=sales1, name=name)
    client = client_as(sales1)
    url = reverse("customers:list")
    first = client.get(url, {"q": "ZZ测试"})
    assert [c.name for c in first.context["page"]] == ["ZZ测试1", "ZZ测试2"]
    assert "3 customers" in first.text and "Page 1 of 2" in first.text
    second = client.get(url, {"q": "ZZ测试", "page": 2})
    assert [c.name for c in second.context["page"]] == ["ZZ测试3"]


def test_a_count_within_the_cap_is_exact(sales1, client_as, monkeypatch):
    monkeypatch.setattr("customers.pagination.COUNT_CAP", 5)
    CustomerFactory.create_batch(5, owner=sales1)
    response = client_as(sales1).get(reverse("customers:list"))
    assert "5 customers" in response.text and "5+ customers" not in response.text
