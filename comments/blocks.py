"""Blocks: comments from an e-mail address, an e-mail domain, an IP address or a network
(CIDR) are stored as spam by rule — never lost, never shown, and their author sees the
same "awaiting moderation" as anyone (`pipeline.submit`).

`rule_for(comment)` is the POST path's one question, asked in one query: any active block
that matches, or a ban of the address (`Commenter`, level banned). A network is stored
with its first and last address as fixed-width hex, so "is this IP in it" is a range
comparison; a domain block also matches its subdomains.
"""

import ipaddress
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models
from django.utils import timezone

from comments.models import Block, Commenter
from comments.reasons import Reason

K = Block.Kind
# Domain labels: letters, digits, hyphens (not at either end), at most 63 each.
_LABEL_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def _hex(address):
    """An IP address as 32 hex digits (IPv4 mapped into IPv6: one order for both)."""
    if address.version == 4:
        address = ipaddress.IPv6Address(f"::ffff:{address}")
    return f"{int(address):032x}"


def parse_network(value):
    """`value` ("203.0.113.0/24", "2001:db8::/32", or one address) as an ip_network, or
    ValidationError saying what is wrong."""
    value = (value or "").strip()
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValidationError(
                "Not an IP address or network: write one address (203.0.113.7) or a network "
                "in CIDR form (203.0.113.0/24, 2001:db8::/32)."
            ) from exc
        raise ValidationError(
            f"{value} has bits set after the prefix length: the network is {loose}."
        ) from exc


def parse_domain(value):
    """`value` ("example.com", "@example.com") as a lower-case domain, or ValidationError."""
    domain = (value or "").strip().lower().removeprefix("@").rstrip(".")
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or any(
            not label
            or len(label) > 63
            or label[0] == "-"
            or label[-1] == "-"
            or not set(label) <= _LABEL_CHARS
            for label in labels
        )
    ):
        raise ValidationError(
            "Not an e-mail domain: write the part after the @, such as example.com (letters, "
            "digits and hyphens, with at least one dot)."
        )
    return domain


def normalised(kind, value):
    """(value, first, last) as stored for a block of `kind`, or ValidationError."""
    if kind == K.NETWORK:
        network = parse_network(value)
        return str(network), _hex(network.network_address), _hex(network.broadcast_address)
    if kind == K.DOMAIN:
        return parse_domain(value), "", ""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            "Not an e-mail address: write it whole, such as name@example.com."
        ) from None
    return email, "", ""


def active(now=None):
    now = now or timezone.now()
    return Block.objects.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


@dataclass(frozen=True)
class Rule:
    """Why a comment is refused: a block (kind, value, reason) or a ban."""

    kind: str  # a Block.Kind, or "ban"
    value: str
    reason: str

    @property
    def code(self):
        return Reason.BANNED if self.kind == "ban" else Reason.BLOCKED

    @property
    def actor(self):
        return "ban" if self.kind == "ban" else "block"

    @property
    def params(self):
        if self.kind == "ban":
            return {"reason": self.reason}
        return {"kind": self.kind, "value": self.value, "reason": self.reason}


def _domains(email):
    """The address's domain and each domain above it (mail.example.com, example.com)."""
    domain = email.rpartition("@")[2]
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] if domain else []


def rule_for(comment, now=None):
    """The block or ban that refuses `comment` (its address and IP), or None: one query.

    Asked on every comment POST, so written as SQL: the ORM's union of the two querysets
    (`active()` blocks that match, the address's ban) cost ~1,800 Python calls to build,
    six times the rest of the lookup. The condition on `expires_at` is `active()`'s."""
    email = (comment.author_email or "").strip().lower()
    block, commenter = Block._meta.db_table, Commenter._meta.db_table
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    matches, params = ["(kind = %s AND value = %s)"], [K.EMAIL.value, email]
    domains = _domains(email)
    if domains:
        matches.append(f"(kind = %s AND value IN ({', '.join(['%s'] * len(domains))}))")
        params += [K.DOMAIN.value, *domains]
    if comment.user_ip:
        try:
            at = _hex(ipaddress.ip_address(comment.user_ip))
        except ValueError:
            at = None
        if at:
            matches.append('(kind = %s AND "first" <= %s AND "last" >= %s)')
            params += [K.NETWORK.value, at, at]
    sql = (
        f"SELECT 'ban', email, reason FROM {commenter} WHERE email = %s AND level = %s "
        f"UNION ALL SELECT kind, value, reason FROM {block} "
        f"WHERE (expires_at IS NULL OR expires_at > %s) AND ({' OR '.join(matches)}) LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [email, Commenter.Level.BANNED.value, now, *params])
        row = cursor.fetchone()
    return Rule(*row) if row else None
