"""The customer fields of the import catalogue (every archive field a form has)."""

from django.utils.translation import gettext_lazy as _

from customers.models import (
    ChurnReason,
    CustomerKind,
    CustomerStatus,
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
from imports.fields.spec import FieldSpec, text
from imports.fields.spec import aliases as _aliases

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
