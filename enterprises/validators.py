"""Validators of Chinese administrative codes: the unified social credit code (GB 32100-2015)."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters (digits and capitals without I, O, Z, S, V).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: the organisation code inside the credit code (positions 9-17).
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code, from its first 17."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The 9th character of an organisation code (GB 11714), from its first 8."""
    total = sum(ORG_CODE_ALPHABET.index(ch) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless ``value`` is a well-formed credit code with a correct check digit."""
    if not isinstance(value, str) or len(value) != 18:
        raise ValidationError(_("A unified social credit code has exactly 18 characters."), code="length")
    bad = sorted({ch for ch in value if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("Characters not allowed in a unified social credit code: %(chars)s"),
            code="charset", params={"chars": "".join(bad)},
        )
    if not value[2:8].isdigit():
        raise ValidationError(_("Positions 3-8 must be an administrative division code."), code="division")
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("Check digit is %(given)s but should be %(expected)s."),
            code="check_digit", params={"given": value[17], "expected": expected},
        )


def make_credit_code(division: str, serial: str, registration: str = "91") -> str:
    """Build a valid credit code from a 6-digit division code and an 8-character serial."""
    org = serial + org_code_check_char(serial)
    first17 = registration + division + org
    return first17 + credit_code_check_char(first17)
