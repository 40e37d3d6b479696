"""What can be imported: for each kind, its fields, the header spellings that map to them,
how a cell is read, and what the template shows. Labels are the models' own verbose
names where there is one, so the mapping step speaks the words of the forms."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from customers.models import (
    BookingStatus,
    ChurnReason,
    ContactChannel,
    ContactOutcome,
    CustomerKind,
    CustomerStatus,
    TripType,
)
from customers.models.choices import (
    AircraftSize,
    FareRule,
    HotelClass,
    OrganisationType,
    SeatPreference,
    SourceChannel,
    SupplierType,
)
from imports import values as v
from imports.models import ImportKind
from imports.reading import header_key


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    parse: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: type | None = None
    example: Any = ""
    help: Any = ""
    max_length: int | None = None

    def read(self, raw):
        if self.choices is not None:
            return choice_value(self.choices, raw)
        if self.max_length:
            return v.as_text(raw, max_length=self.max_length)
        return self.parse(raw)


def text(max_length: int) -> Callable[[Any], str]:
    return lambda raw: v.as_text(raw, max_length=max_length)


# Words agencies' spreadsheets use for a choice besides its labels.
SYNONYMS = {
    CustomerKind: {
        CustomerKind.INDIVIDUAL: ["个人", "散客", "旅游者", "游客", "个人客户"],
        CustomerKind.CORPORATE: ["企业", "企业客户", "公司", "单位", "政府", "机关"],
        CustomerKind.SUPPLIER: ["供应商"],
        CustomerKind.MEDIA: ["媒体", "传媒"],
    },
    TripType: {
        TripType.DOMESTIC: ["国内", "境内", "国内线路"],
        TripType.OUTBOUND: ["出境", "境外", "出国", "出境游"],
    },
    BookingStatus: {
        BookingStatus.PAID: ["已付", "已支付", "已收款", "已结清", "付清"],
        BookingStatus.BOOKED: ["预订", "已预订", "未付款", "待付款"],
        BookingStatus.CANCELLED: ["取消", "已取消"],
        BookingStatus.REFUNDED: ["退款", "已退款"],
    },
}


class _Labels:
    """A choice list rendered when the message is, so each language gets its labels."""

    def __init__(self, choices: type):
        self.choices = choices

    def __str__(self) -> str:
        return "、".join(choice_labels(self.choices))


@cache
def _choice_map(choices: type) -> dict[str, str]:
    """Each choice by its code, its English label and its Chinese label."""
    found: dict[str, str] = {}
    for code, words in SYNONYMS.get(choices, {}).items():
        for word in words:
            found[v.choice_key(word)] = code
    for code, label in choices.choices:
        found[v.choice_key(str(code))] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                found.setdefault(v.choice_key(str(label)), code)
    return found


def choice_labels(choices: type) -> list[str]:
    return [str(label) for _code, label in choices.choices]


def choice_value(choices: type, raw) -> str:
    if v.is_empty(raw):
        return ""
    key = v.choice_key(v.as_text(raw))
    code = _choice_map(choices).get(key)
    if code is None:
        raise v.CellError(
            v.NOT_A_CHOICE,
            code="choice",
            params={"value": str(raw).strip(), "choices": _Labels(choices)},
        )
    return code


def _aliases(*names: str) -> tuple[str, ...]:
    return tuple(header_key(name) for name in names)


# Columns that find the customer a booking, contact person or contact record belongs to.
CUSTOMER_REF_FIELDS = [
    FieldSpec(
        "customer_id_number",
        _("customer's ID number"),
        v.as_id_number,
        _aliases(
            "身份证",
            "身份证号",
            "身份证号码",
            "证件号码",
            "客户身份证",
            "ID number",
            "customer ID number",
        ),
        help=_("Finds the customer by their ID number (format the column as Text)."),
    ),
    FieldSpec(
        "customer_mobile",
        _("customer's mobile"),
        v.as_mobile,
        _aliases("手机", "手机号", "手机号码", "客户手机", "Mobile", "customer mobile"),
        example="13800138000",
        help=_("Finds the customer by their mobile number."),
    ),
    FieldSpec(
        "customer_name",
        _("customer's name"),
        v.as_text,
        _aliases(
            "客户",
            "客户名称",
            "客户姓名",
            "姓名",
            "单位",
            "单位名称",
            "公司",
            "公司名称",
            "Customer",
            "customer name",
            "Organisation",
            "company",
        ),
        example="张伟",
        help=_(
            "Finds the customer by name when there is no ID number or mobile: an "
            "organisation by its name, a traveller when exactly one of your customers has it."
        ),
    ),
]

CUSTOMER_FIELDS = [
    FieldSpec(
        "kind",
        _("kind"),
        v.as_text,
        _aliases("客户类型", "类型", "类别", "Kind", "Type", "customer type"),
        choices=CustomerKind,
        example=CustomerKind.INDIVIDUAL.label,
        help=_("Empty means an individual traveller."),
    ),
    FieldSpec(
        "name",
        _("name"),
        text(200),
        _aliases(
            "姓名",
            "客户名称",
            "名称",
            "客户姓名",
            "单位名称",
            "公司名称",
            "客户",
            "Name",
            "customer name",
            "full name",
        ),
        required=True,
        example="张伟",
    ),
    FieldSpec(
        "owner",
        _("owner"),
        v.as_text,
        _aliases(
            "负责人",
            "客户经理",
            "销售",
            "归属销售",
            "业务员",
            "所属销售",
            "Owner",
            "sales rep",
            "account manager",
        ),
        help=_(
            "The rep's user name or full name; empty: the owner chosen for the "
            "import (new customers) or the current owner."
        ),
    ),
    FieldSpec(
        "status",
        _("status"),
        v.as_text,
        _aliases("状态", "客户状态", "Status"),
        choices=CustomerStatus,
    ),
    FieldSpec(
        "churn_reason",
        _("reason lost"),
        v.as_text,
        _aliases("流失原因", "reason lost", "churn reason"),
        choices=ChurnReason,
    ),
    FieldSpec(
        "is_key_account",
        _("key account"),
        v.as_bool,
        _aliases("大客户", "重点客户", "key account"),
        example="否",
        help=_("是 or 否 (yes or no)."),
    ),
    FieldSpec(
        "organisation_type",
        _("organisation type"),
        v.as_text,
        _aliases("单位性质", "企业性质", "单位类型", "organisation type", "organization type"),
        choices=OrganisationType,
    ),
    FieldSpec(
        "supplier_type",
        _("supplier type"),
        v.as_text,
        _aliases("供应商类型", "supplier type"),
        choices=SupplierType,
    ),
    FieldSpec(
        "policy_first_class",
        _("who may fly first class"),
        text(200),
        _aliases("可乘头等舱", "头等舱", "first class"),
    ),
    FieldSpec(
        "policy_fare_rule",
        _("fare rule"),
        v.as_text,
        _aliases("票价规则", "fare rule"),
        choices=FareRule,
    ),
    FieldSpec(
        "founding_date",
        _("company founding date"),
        v.as_date,
        _aliases("成立日期", "公司成立日期", "成立纪念日", "founding date", "founded"),
    ),
    FieldSpec(
        "id_number",
        _("resident ID number"),
        v.as_id_number,
        _aliases(
            "身份证",
            "身份证号",
            "身份证号码",
            "证件号",
            "证件号码",
            "ID number",
            "ID",
            "ID card",
            "resident ID number",
        ),
        example="110105198506150014",
        help=_(
            "18 characters. Format the column as Text, or Excel turns it into a "
            "number and loses the last digits."
        ),
    ),
    FieldSpec(
        "birthday",
        _("birthday"),
        v.as_date,
        _aliases("生日", "出生日期", "Birthday", "date of birth", "birth date"),
        help=_("Filled from the ID number when empty."),
    ),
    FieldSpec(
        "wedding_anniversary",
        _("wedding anniversary"),
        v.as_date,
        _aliases("结婚纪念日", "wedding anniversary"),
    ),
    FieldSpec("occupation", _("occupation"), text(100), _aliases("职业", "Occupation", "job")),
    FieldSpec(
        "mobile",
        _("mobile"),
        v.as_mobile,
        _aliases(
            "手机",
            "手机号",
            "手机号码",
            "移动电话",
            "联系电话",
            "联系方式",
            "Mobile",
            "mobile phone",
            "cell phone",
        ),
        example="13800138000",
    ),
    FieldSpec(
        "phone",
        _("other phone"),
        v.as_phone,
        _aliases(
            "电话",
            "座机",
            "固定电话",
            "其他电话",
            "办公电话",
            "Phone",
            "telephone",
            "other phone",
            "landline",
        ),
    ),
    FieldSpec(
        "email",
        _("e-mail"),
        v.as_email,
        _aliases("邮箱", "电子邮件", "电子邮箱", "E-mail", "email"),
    ),
    FieldSpec(
        "province", _("province"), text(30), _aliases("省", "省份", "Province"), example="北京市"
    ),
    FieldSpec("city", _("city"), text(30), _aliases("市", "城市", "City"), example="北京市"),
    FieldSpec(
        "district", _("district"), text(30), _aliases("区", "区县", "District"), example="朝阳区"
    ),
    FieldSpec(
        "street_address",
        _("street address"),
        text(200),
        _aliases(
            "地址", "详细地址", "街道地址", "通讯地址", "邮寄地址", "Address", "street address"
        ),
        example="建国路88号",
    ),
    FieldSpec(
        "postal_code",
        _("postal code"),
        v.as_postal_code,
        _aliases("邮编", "邮政编码", "postal code", "postcode", "zip"),
        example="100020",
    ),
    FieldSpec(
        "source_channel",
        _("source channel"),
        v.as_text,
        _aliases("来源", "来源渠道", "客户来源", "渠道", "Source", "source channel", "channel"),
        choices=SourceChannel,
    ),
    FieldSpec(
        "channel_partner",
        _("channel partner"),
        text(200),
        _aliases("渠道商", "合作渠道", "渠道合作方", "channel partner"),
        help=_("A new name is added to the channel partners."),
    ),
    FieldSpec(
        "desired_destinations",
        _("desired destinations"),
        v.as_list,
        _aliases("希望去的地方", "意向目的地", "想去的地方", "desired destinations"),
        example="三亚、日本",
        help=_("Several separated by 、 or commas; new places are added."),
    ),
    FieldSpec(
        "tags",
        _("tags"),
        v.as_list,
        _aliases("标签", "Tags"),
        help=_("Several separated by 、 or commas; new tags are added."),
    ),
    FieldSpec(
        "pref_airline",
        _("preferred airline"),
        text(50),
        _aliases("偏好航空公司", "航空公司", "preferred airline", "airline"),
    ),
    FieldSpec(
        "pref_aircraft_size",
        _("aircraft size"),
        v.as_text,
        _aliases("机型", "机型偏好", "aircraft size"),
        choices=AircraftSize,
    ),
    FieldSpec(
        "pref_seat",
        _("seat"),
        v.as_text,
        _aliases("座位", "座位偏好", "Seat"),
        choices=SeatPreference,
    ),
    FieldSpec(
        "pref_hotel_class",
        _("hotel class"),
        v.as_text,
        _aliases("酒店等级", "酒店星级", "hotel class"),
        choices=HotelClass,
    ),
    FieldSpec("pref_diet", _("diet"), text(100), _aliases("饮食", "饮食偏好", "Diet")),
    FieldSpec(
        "character_notes",
        _("character, interests, talents"),
        v.as_text,
        _aliases(
            "性格",
            "性格喜好特长",
            "性格、喜好、特长",
            "喜好",
            "备注",
            "Notes",
            "remarks",
            "character",
        ),
    ),
]

BOOKING_FIELDS = [
    FieldSpec(
        "source",
        _("source system"),
        v.as_booking_source,
        _aliases("来源系统", "系统", "source system", "Source"),
        example="import",
        help=_("The system the booking numbers come from; empty: import."),
    ),
    FieldSpec(
        "source_number",
        _("booking number at source"),
        v.as_booking_number,
        _aliases(
            "订单号",
            "预订号",
            "订单编号",
            "单号",
            "编号",
            "booking number",
            "order number",
            "booking no",
            "order no",
            "number",
        ),
        required=True,
        example="BK-2024-0001",
        help=_(
            "Unique per source: importing the same number again updates that "
            "booking instead of adding one."
        ),
    ),
    *CUSTOMER_REF_FIELDS,
    FieldSpec(
        "product",
        _("product / tour"),
        text(200),
        _aliases("产品", "线路", "产品名称", "线路名称", "团名", "Product", "tour"),
        required=True,
        example="三亚五日游",
    ),
    FieldSpec(
        "destination",
        _("destination"),
        text(100),
        _aliases("目的地", "Destination"),
        required=True,
        example="三亚",
        help=_("A new place is added to the destinations."),
    ),
    FieldSpec(
        "trip_type",
        _("trip type"),
        v.as_text,
        _aliases("出行类型", "国内出境", "类型", "trip type"),
        required=True,
        choices=TripType,
        example=TripType.DOMESTIC.label,
    ),
    FieldSpec(
        "start_date",
        _("trip start"),
        v.as_date,
        _aliases("出发日期", "出行日期", "开始日期", "start date", "departure", "trip start"),
        required=True,
        example="2024-03-05",
    ),
    FieldSpec(
        "end_date",
        _("trip end"),
        v.as_date,
        _aliases("返回日期", "结束日期", "回程日期", "end date", "return", "trip end"),
        required=True,
        example="2024-03-09",
    ),
    FieldSpec(
        "head_count",
        _("head count"),
        v.as_int,
        _aliases("人数", "出行人数", "head count", "travellers", "pax"),
        example=2,
    ),
    FieldSpec(
        "amount",
        _("amount (¥)"),
        v.as_decimal,
        _aliases("金额", "销售额", "团费", "应收金额", "订单金额", "Amount", "price", "total"),
        required=True,
        example="8000.00",
    ),
    FieldSpec(
        "cost",
        _("cost (¥)"),
        v.as_decimal,
        _aliases("成本", "Cost"),
        required=True,
        example="6500.00",
    ),
    FieldSpec(
        "payment_due_date",
        _("payment due"),
        v.as_date,
        _aliases("付款期限", "应付款日期", "付款截止日期", "payment due", "due date"),
    ),
    FieldSpec(
        "paid_date",
        _("paid on"),
        v.as_date,
        _aliases(
            "付款日期", "收款日期", "已付日期", "实收日期", "paid on", "paid date", "payment date"
        ),
        example="2024-02-20",
    ),
    FieldSpec(
        "refunded_amount",
        _("refunded (¥)"),
        v.as_decimal,
        _aliases("退款", "退款金额", "refund", "refunded"),
    ),
    FieldSpec(
        "status",
        _("status"),
        v.as_text,
        _aliases("状态", "订单状态", "Status"),
        choices=BookingStatus,
        example=BookingStatus.PAID.label,
        help=_("Empty: booked."),
    ),
]

CONTACT_FIELDS = [
    FieldSpec(
        "name",
        _("contact person"),
        text(100),
        _aliases("联系人", "联系人姓名", "姓名", "Name", "contact", "contact name"),
        required=True,
        example="李娜",
    ),
    FieldSpec(
        "customer_name",
        _("organisation"),
        v.as_text,
        _aliases(
            "单位",
            "单位名称",
            "公司",
            "公司名称",
            "客户",
            "客户名称",
            "Organisation",
            "organization",
            "company",
            "customer",
        ),
        required=True,
        example="华夏科技有限公司",
        help=_("The organisation the person works for, as on file."),
    ),
    FieldSpec(
        "title",
        _("position"),
        text(100),
        _aliases("职务", "职位", "Title", "position"),
        example="行政经理",
    ),
    FieldSpec(
        "mobile",
        _("mobile"),
        v.as_mobile,
        _aliases("联系人手机", "手机", "手机号", "手机号码", "Mobile"),
        example="13900139000",
    ),
    FieldSpec("email", _("e-mail"), v.as_email, _aliases("邮箱", "电子邮件", "E-mail")),
    FieldSpec(
        "is_primary",
        _("main contact"),
        v.as_bool,
        _aliases("主要联系人", "首要联系人", "main contact", "primary"),
        example="是",
    ),
    FieldSpec(
        "started_on",
        _("contact since"),
        v.as_date,
        _aliases("开始日期", "起始日期", "contact since", "since"),
        help=_("Empty: the day of the import."),
    ),
]

RECORD_FIELDS = [
    *CUSTOMER_REF_FIELDS,
    FieldSpec(
        "channel",
        _("channel"),
        v.as_text,
        _aliases("方式", "联系方式", "渠道", "Channel"),
        required=True,
        choices=ContactChannel,
        example=ContactChannel.PHONE.label,
    ),
    FieldSpec(
        "contacted_at",
        _("when"),
        v.as_datetime,
        _aliases("时间", "联系时间", "日期", "联系日期", "When", "date", "contacted at"),
        required=True,
        example="2024-03-05 10:30",
    ),
    FieldSpec(
        "by",
        _("by"),
        v.as_text,
        _aliases("联系人员", "经办人", "员工", "销售", "By", "staff"),
        help=_("User name or full name; empty: you."),
    ),
    FieldSpec(
        "outcome",
        _("outcome"),
        v.as_text,
        _aliases("结果", "联系结果", "Outcome", "result"),
        required=True,
        choices=ContactOutcome,
        example=ContactOutcome.REACHED.label,
    ),
    FieldSpec("notes", _("notes"), v.as_text, _aliases("内容", "记录", "备注", "Notes", "content")),
    FieldSpec("next_step", _("next step"), text(200), _aliases("下一步", "next step")),
    FieldSpec(
        "next_contact_on",
        _("next contact on"),
        v.as_date,
        _aliases("下次联系日期", "下次联系", "next contact", "next contact on"),
    ),
]

CATALOGUE: dict[str, list[FieldSpec]] = {
    ImportKind.CUSTOMERS: CUSTOMER_FIELDS,
    ImportKind.BOOKINGS: BOOKING_FIELDS,
    ImportKind.CONTACTS: CONTACT_FIELDS,
    ImportKind.RECORDS: RECORD_FIELDS,
}


@dataclass
class FieldInfo:
    """A field as the mapping step shows it."""

    name: str
    label: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    help: str = ""


def fields_for(kind: str) -> list[FieldSpec]:
    return CATALOGUE[kind]


def field_map(kind: str) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in CATALOGUE[kind]}


def known_header_keys(kind: str) -> set[str]:
    return {alias for spec in CATALOGUE[kind] for alias in spec.aliases} | {
        header_key(str(spec.label)) for spec in CATALOGUE[kind]
    }


def suggest_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Each header to the field it names (by the common spellings or the field's label
    in either language); a field is given to the first header that names it."""
    by_key: dict[str, str] = {}
    for spec in CATALOGUE[kind]:
        keys = [*spec.aliases, header_key(spec.name)]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                keys.append(header_key(str(spec.label)))
        for key in keys:
            by_key.setdefault(key, spec.name)
    mapping, taken = {}, set()
    for header in headers:
        name = by_key.get(header_key(header), "")
        if name in taken:
            name = ""
        if name:
            taken.add(name)
        mapping[header] = name
    return mapping
