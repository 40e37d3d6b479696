"""The catalogue: for each kind, its fields, the header spellings that map to them, how
a cell is read, and what the template shows. Labels are the models' own verbose names
where there is one, so the mapping step speaks the words of the forms."""

from django.utils.translation import gettext_lazy as _

from customers.models import (
    BookingStatus,
    ContactChannel,
    ContactOutcome,
    TripType,
)
from imports import values as v
from imports.fields.customers import CUSTOMER_FIELDS
from imports.fields.spec import FieldSpec, text
from imports.fields.spec import aliases as _aliases
from imports.models import ImportKind

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
