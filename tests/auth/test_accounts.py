"""Account administration and credential storage: argon2id, the password policy, rehashing,
TOTP secrets encrypted at rest, roles and representations."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import accounts, passwords, service, totp
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.config import Settings
from peduli.core.errors import Conflict, Forbidden, ValidationFailed
from tests.auth.conftest import PASSWORD, Staff

MakeStaff = Callable[..., Staff]


@pytest.mark.usefixtures("production_password_hashing")
def test_passwords_are_stored_as_argon2id_hashes(db: Session) -> None:
    account, generated = accounts.create_staff(
        db,
        email="a@example.org",
        role="officer",
        representation_code="kbri-seoul",
        password=PASSWORD,
    )
    assert generated is None
    assert account.password_hash is not None
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert passwords.verify(account.password_hash, PASSWORD)
    assert not passwords.verify(account.password_hash, PASSWORD + "!")
    assert not passwords.verify(None, PASSWORD)


def test_a_generated_password_is_returned_once_and_works(db: Session) -> None:
    account, generated = accounts.create_staff(db, email="b@example.org", role=Role.HQ_ANALYST)
    assert generated is not None and len(generated) >= passwords.MIN_LENGTH
    assert passwords.verify(account.password_hash, generated)


def test_short_passwords_are_refused_with_the_minimum(db: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_staff(db, email="c@example.org", role="hq_admin", password="short pass1")
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("password", "password_policy")
    assert "11 characters" in problem.message and "12" in problem.message
    assert problem.hint


@pytest.mark.usefixtures("production_password_hashing")
def test_old_hash_parameters_are_upgraded_at_sign_in(db: Session, make_staff: MakeStaff) -> None:
    staff = make_staff()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    staff.account.password_hash = weak
    db.commit()
    service.sign_in(db, email=staff.email, password=PASSWORD, totp_code=staff.code(), ip="x")
    assert staff.account.password_hash != weak
    assert not passwords.needs_rehash(staff.account.password_hash)
    assert passwords.verify(staff.account.password_hash, PASSWORD)


def test_the_totp_secret_is_encrypted_at_rest(db: Session, make_staff: MakeStaff) -> None:
    staff = make_staff()
    stored = db.scalar(
        select(StaffAccount.totp_secret_encrypted).where(StaffAccount.id == staff.account.id)
    )
    assert stored and staff.secret not in stored
    uri = accounts.totp_provisioning(db, email=staff.email)
    assert pyotp.parse_uri(uri).secret == staff.secret
    assert totp.qr_png_base64(uri)


def test_roles_and_representations_are_checked(db: Session) -> None:
    cases = [
        ({"role": "consul"}, "role"),
        ({"role": "officer"}, "representation_code"),
        ({"role": "hq_admin", "representation_code": "kbri-seoul"}, "representation_code"),
        ({"role": "officer", "email": "not-an-email"}, "email"),
    ]
    for overrides, field in cases:
        values = {"email": "d@example.org", **overrides}
        with pytest.raises(ValidationFailed) as refused:
            accounts.create_staff(db, **values)  # type: ignore[arg-type]
        assert refused.value.problems[0].field == field


def test_an_email_is_used_once(db: Session, make_staff: MakeStaff) -> None:
    make_staff()
    with pytest.raises(Conflict):
        accounts.create_staff(
            db, email="OFFICER@example.org", role="supervisor", representation_code="kbri-seoul"
        )


def test_agency_accounts_have_neither_password_nor_second_factor(db: Session) -> None:
    account, generated = accounts.create_staff(db, email="imigrasi@example.org", role="agency")
    assert (generated, account.password_hash, account.totp_secret_encrypted) == (None, None, None)
    with pytest.raises(Conflict):
        accounts.totp_provisioning(db, email="imigrasi@example.org")


def test_account_changes_are_audited(db: Session, make_staff: MakeStaff) -> None:
    staff = make_staff()
    accounts.create_token(db, email=staff.email)
    accounts.disable_staff(db, email=staff.email)
    db.commit()
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["auth.account_create", "auth.token_create", "auth.account_disable"]


def test_totp_codes_are_shown_only_outside_production(
    db: Session, make_staff: MakeStaff, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = make_staff()
    code = accounts.current_totp_code(db, email=staff.email)
    assert totp.matching_step(staff.account, code) is not None
    monkeypatch.setattr(settings, "environment", "production")
    with pytest.raises(Forbidden):
        accounts.current_totp_code(db, email=staff.email)


def test_every_bad_field_is_reported_at_once(db: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_staff(db, email="nope", role="officer", password="short")
    fields = {p.field for p in refused.value.problems}
    assert fields == {"email", "representation_code", "password"}


def test_the_representation_must_exist(db: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_staff(
            db, email="e@example.org", role="officer", representation_code="kbri-atlantis"
        )
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("representation_code", "unknown_representation")
    account, _ = accounts.create_staff(
        db, email="e@example.org", role="supervisor", representation_code=" KJRI-Hong-Kong "
    )
    assert account.representation_code == "kjri-hong-kong"
