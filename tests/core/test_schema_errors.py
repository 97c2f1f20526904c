"""A schema's complaints in our words: no library English reaches a reader."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, EmailStr, Field, ValidationError, field_validator

from peduli.core.i18n import in_language
from peduli.core.schema_errors import schema_problems


class Contact(BaseModel):
    email: EmailStr
    born: date
    age: int = Field(ge=0, le=130)
    name: str = Field(min_length=1, max_length=5)

    @field_validator("name")
    @classmethod
    def _no_digits(cls, value: str) -> str:
        if any(ch.isdigit() for ch in value):
            raise ValueError("A name has no digits.")
        return value


def _problems(**values: object) -> dict[str, tuple[str, str, str]]:
    good = {"email": "siti@example.org", "born": "1990-05-17", "age": 30, "name": "Siti"}
    with pytest.raises(ValidationError) as error:
        Contact.model_validate(good | values)
    return {p.field: (p.code, p.message, p.hint) for p in schema_problems(error.value.errors())}


def test_an_email_address_is_explained_without_the_email_library() -> None:
    [(code, message, hint)] = _problems(email="siti@@example").values()
    assert code == "email_invalid"
    assert message == "The email address is not written correctly."
    assert hint == "Write it as name@example.org."
    assert in_language(message, "fr") == "L’adresse e-mail n’est pas écrite correctement."


def test_each_kind_of_error_says_what_to_do_with_the_schemas_limit() -> None:
    problems = _problems(born="17/05/1990", age=200, name="Abcdefgh")
    assert problems["born"][1:] == (
        "This is not a date.",
        "Write the date as YYYY-MM-DD, for example 1990-05-17.",
    )
    assert problems["age"][1:] == ("This number is too large.", "Give 130 or less.")
    assert problems["name"][1:] == ("This is too long.", "Shorten it to at most 5 characters.")
    assert in_language(problems["age"][2], "id") == "Berikan 130 atau kurang."


def test_our_own_rules_keep_their_words() -> None:
    assert _problems(name="S1ti")["name"][1] == "A name has no digits."


def test_a_missing_field_is_named_by_its_path() -> None:
    class Outer(BaseModel):
        contact: Contact

    with pytest.raises(ValidationError) as error:
        Outer.model_validate({"contact": {"email": "a@example.org", "born": "1990-01-01"}})
    fields = {p.field: p for p in schema_problems(error.value.errors())}
    assert set(fields) == {"contact.age", "contact.name"}
    assert fields["contact.age"].message == "This field is required."
    assert in_language(fields["contact.age"].hint, "zh") == "请填写此项。"


def test_no_pydantic_wording_ever_comes_through() -> None:
    for message in _problems(email="x", born="x", age="x", name="").values():
        assert "Input should" not in message[1] and "value is not" not in message[1]
