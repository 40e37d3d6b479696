"""django-otp registers its device models in the admin, where a superuser could read a
secret or delete a device with no audit entry. Devices change only through
twofactor.services (the person's own page, a manager's reset), so they are not there."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
