"""The unified social credit code check (GB 32100-2015)."""
import pytest
from django.core.exceptions import ValidationError

from enterprises.validators import credit_code_check_char, make_credit_code, org_code_check_char, validate_credit_code

# The example code printed in GB 32100-2015 and codes of real, publicly listed companies.
VALID = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code,reason", [
    ("91350100M000100Y44", "check_digit"),   # last digit changed
    ("91350100M000100Y4", "length"),         # 17 characters
    ("91350100M000100Y433", "length"),       # 19 characters
    ("91350100M0001O0Y43", "charset"),       # letter O is not allowed
    ("9135010IM000100Y43", "charset"),       # letter I is not allowed
    ("91350A00M000100Y43", "division"),      # division code must be digits
    ("91350100m000100y43", "charset"),       # lower case is not allowed
])
def test_invalid_codes_fail_with_reason(code, reason):
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    assert err.value.code == reason


def test_every_single_character_change_is_caught():
    code = "91350100M000100Y43"
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for i in range(17):
        for ch in alphabet:
            if ch == code[i]:
                continue
            changed = code[:i] + ch + code[i + 1:]
            if not changed[2:8].isdigit():
                continue
            with pytest.raises(ValidationError):
                validate_credit_code(changed)


def test_made_codes_are_valid_and_carry_org_check():
    code = make_credit_code("330483", "MA2B3C4D")
    validate_credit_code(code)
    assert code[:8] == "91330483"
    assert code[16] == org_code_check_char("MA2B3C4D")
    assert code[17] == credit_code_check_char(code[:17])


def test_org_code_check_char_known_value():
    # GB 11714 example: organisation code D2143569-9... computed by hand: weights 3,7,9,10,5,8,4,2.
    # D=13: 13*3+2*7+1*9+4*10+3*5+5*8+6*4+9*2 = 39+14+9+40+15+40+24+18 = 199; 199 % 11 = 1; 11-1 = 10 -> X
    assert org_code_check_char("D2143569") == "X"
