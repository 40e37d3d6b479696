from django.urls import path

from loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("", views.home, name="home"),
    path("rules/", views.rules, name="rules"),
    path("liability/", views.liability, name="liability"),
    path("customers/<int:customer_pk>/card/", views.issue, name="issue"),
    path("cards/<int:pk>/", views.statement, name="statement"),
    path("cards/<int:pk>/statement.csv", views.statement_csv, name="statement_csv"),
    path("cards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("cards/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("vouchers/<int:pk>/use/", views.voucher_use, name="voucher_use"),
]
