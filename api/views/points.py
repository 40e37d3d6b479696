"""/api/v1/customers/{id}/points-card: a customer's points card 积分卡 (balance, points
about to expire), its statement (the ledger entries with the running balance), and
redemption 兑换 with an Idempotency-Key; /api/v1/rewards: the reward catalogue.

Cards are read through the customers the token's user sees (loyalty.selectors; 404
outside); redeeming needs the right to work on the customer (`card_can_redeem`: the
owner, their team lead, managers). A redemption goes through
`loyalty.services.redemption_create` with the caller's key: the card row is locked
before the key is looked up, so the same key — sent again later or many times at once —
redeems once and answers with the first result (200 and `Idempotent-Replayed: true`
instead of 201); points refused (too few, a frozen card, out of stock, the key already
used for another reward) are a 409 problem with the reason."""

import re

from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.custody import audit_list, deliver_customer_rows
from api.scopes import POINTS_WRITE
from api.serializers.points import (
    IDEMPOTENCY_KEY_HELP,
    PointsCardSerializer,
    RedeemSerializer,
    RedemptionSerializer,
    RewardSerializer,
    StatementQuerySerializer,
    StatementSerializer,
)
from api.views.base import ApiGenericView, ApiView
from customers.selectors import customer_get_visible
from loyalty.models import Card, Reward
from loyalty.selectors import card_can_redeem, card_panel_context, rewards_offered, statement_lines
from loyalty.services import PointsRefused, redemption_create
from loyalty.services.redemption import IDEMPOTENCY_KEY_MAX_LENGTH

IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$")


class PointsConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _card_of(request, pk) -> tuple[Card, dict]:
    customer = customer_get_visible(user=request.user, pk=pk)
    panel = card_panel_context(customer=customer, user=request.user)
    if panel["card"] is None:
        raise exceptions.NotFound(gettext("This customer has no points card yet."))
    return panel["card"], panel


class PointsCardView(ApiView):
    scope_resource = "points"

    @extend_schema(
        operation_id="customer_points_card_retrieve",
        summary="A customer's points card",
        description=(
            "Balance, level and status, and the points expiring soon. 404 when the "
            "customer has no card yet (one is issued with the first points). One customer "
            "row toward the export guard."
        ),
        responses=PointsCardSerializer,
    )
    def get(self, request, pk):
        card, panel = _card_of(request, pk)
        deliver_customer_rows(
            request, count=1, object_type="loyalty_card", obj=card, customer=card.customer
        )
        card.expiring_points = panel["expiring_points"]
        card.expiring_days = panel["expiring_days"]
        card.next_expiry = panel["next_expiry"]
        return Response(PointsCardSerializer(card).data)


def _details(entry) -> str:
    if entry.redemption_id:
        return entry.redemption.reward.name
    if entry.booking_id:
        return entry.booking.product
    return entry.reason


class PointsStatementView(ApiView):
    scope_resource = "points"

    @extend_schema(
        operation_id="customer_points_statement",
        summary="A points card's statement",
        description=(
            "Every ledger entry (earned, redeemed, expired, reversed, adjusted, cancelled) "
            "from `start` to `end`, oldest first, with the balance after each and the "
            "opening balance before `start` — the statement page and its CSV. One "
            "customer row toward the export guard."
        ),
        parameters=[StatementQuerySerializer],
        responses=StatementSerializer,
    )
    def get(self, request, pk):
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data.get("start"), query.validated_data.get("end")
        card, _panel = _card_of(request, pk)
        opening, lines = statement_lines(card=card, start=start, end=end)
        deliver_customer_rows(
            request,
            count=1,
            object_type="loyalty_statement",
            obj=card,
            customer=card.customer,
            detail={"rows": len(lines)},
        )
        entries = []
        for line in lines:
            line.entry.balance = line.balance
            line.entry.details = _details(line.entry)
            entries.append(line.entry)
        return Response(
            StatementSerializer(
                {
                    "card": card.number,
                    "start": start,
                    "end": end,
                    "opening_balance": opening,
                    "closing_balance": lines[-1].balance if lines else opening,
                    "entries": entries,
                }
            ).data
        )


class RedemptionCreateView(ApiView):
    method_scopes = {"POST": POINTS_WRITE}

    @extend_schema(
        operation_id="customer_points_redeem",
        summary="Redeem points for a reward (Idempotency-Key required)",
        description=(
            "Takes the reward's price from the card, oldest points first, and one from its "
            "stock. Send an `Idempotency-Key` header: the same key on the same card returns "
            "the first redemption (200, `Idempotent-Replayed: true`) and takes nothing "
            "more, even when sent many times at once; a new key redeems (201). Refused "
            "points — too few, a frozen card, out of stock, or the key already used for "
            "another reward — are a 409 problem saying why."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=IDEMPOTENCY_KEY_HELP,
            )
        ],
        request=RedeemSerializer,
        responses={
            201: RedemptionSerializer,
            200: OpenApiResponse(RedemptionSerializer, description="A replay of the key."),
            409: OpenApiResponse(description="Points refused (problem details)."),
        },
    )
    def post(self, request, pk):
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY.match(key):
            raise exceptions.ValidationError(
                {
                    "Idempotency-Key": [
                        gettext(
                            "Send an Idempotency-Key header: 1 to %(max)d printable ASCII "
                            "characters naming this redemption."
                        )
                        % {"max": IDEMPOTENCY_KEY_MAX_LENGTH}
                    ]
                }
            )
        card, _panel = _card_of(request, pk)
        if not card_can_redeem(user=request.user, card=card):
            raise exceptions.PermissionDenied
        serializer = RedeemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reward_id = serializer.validated_data["reward"]
        if not Reward.objects.filter(pk=reward_id).exists():
            raise exceptions.ValidationError({"reward": [gettext("No reward has this id.")]})
        try:
            redemption = redemption_create(
                actor=request.user, card_id=card.pk, reward_id=reward_id, idempotency_key=key
            )
        except PointsRefused as refused:
            raise PointsConflict(" ".join(refused.messages)) from None
        body = RedemptionSerializer(redemption).data
        if redemption.replayed:
            return Response(body, headers={"Idempotent-Replayed": "true"})
        return Response(body, status=status.HTTP_201_CREATED)


class RewardListView(ApiGenericView):
    serializer_class = RewardSerializer
    scope_resource = "points"
    pagination_class = None

    @extend_schema(
        operation_id="rewards_list",
        summary="The reward catalogue",
        description="The rewards offered now, cheapest first.",
        responses=RewardSerializer(many=True),
    )
    def get(self, request):
        rewards = list(rewards_offered())
        audit_list(request, object_type="reward_list", count=len(rewards))
        return Response(self.get_serializer(rewards, many=True).data)


urlpatterns = [
    path("customers/<int:pk>/points-card", PointsCardView.as_view(), name="points-card"),
    path(
        "customers/<int:pk>/points-card/statement",
        PointsStatementView.as_view(),
        name="points-statement",
    ),
    path(
        "customers/<int:pk>/points-card/redemptions",
        RedemptionCreateView.as_view(),
        name="points-redeem",
    ),
    path("rewards", RewardListView.as_view(), name="reward-list"),
]
