from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.Model):
    """A place customers travel to or wish to: used to invite them to matching tours."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_outbound = models.BooleanField(_("outbound"), default=False)

    class Meta:
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChannelPartner(models.Model):
    """A partner that brings customers (e.g. a high-end channel partner 高端渠道)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("channel partner")
        verbose_name_plural = _("channel partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
