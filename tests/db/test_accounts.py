import pytest
import sqlalchemy as sa

from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.demo import DEMO_PASSWORD
from services.people import accounts, sign_in


def _sign_in(email="recruiter@example.com", password=DEMO_PASSWORD):
    return sign_in.with_password(email, password)


def test_first_admin_only_once(clean_db):
    assert accounts.is_first_run()
    admin = accounts.create_first_admin("Boss@Example.com", "Ada Boss", "a long password")
    assert admin.role is Role.ADMIN and admin.email == "boss@example.com"
    assert not accounts.is_first_run()
    with pytest.raises(ValidationError, match="already has accounts"):
        accounts.create_first_admin("two@example.com", "Two", "a long password")
    assert sign_in.with_password("boss@example.com", "a long password").user_id == admin.user_id


def test_first_admin_form_is_validated(clean_db):
    with pytest.raises(ValidationError, match="email"):
        accounts.create_first_admin("not-an-email", "Ada", "a long password")
    with pytest.raises(ValidationError, match="at least 10"):
        accounts.create_first_admin("ada@example.com", "Ada", "short")
    assert accounts.is_first_run()


def test_sign_in_with_demo_accounts(demo_db):
    actor = _sign_in()
    assert actor.role is Role.RECRUITER and actor.full_name == "Jordan Rivera"
    assert _sign_in("PRIYA@example.com").role is Role.ALUMNUS


def test_wrong_password_and_unknown_email_get_one_generic_message(demo_db):
    with pytest.raises(sign_in.SignInError) as wrong_password:
        _sign_in(password="wrong password")
    with pytest.raises(sign_in.SignInError) as unknown:
        _sign_in("nobody@example.com")
    assert str(wrong_password.value) == str(unknown.value) == sign_in.GENERIC_SIGN_IN_ERROR


def test_repeated_failures_back_off_even_for_the_right_password(demo_db):
    for _ in range(sign_in.FREE_ATTEMPTS):
        with pytest.raises(sign_in.SignInError, match="do not match"):
            _sign_in(password="wrong password")
    with pytest.raises(sign_in.SignInError, match=r"Wait \d+ seconds?"):
        _sign_in()  # the right password, but the account must wait
    with demo_db.begin() as conn:  # time passes
        conn.execute(sa.text("update private.sign_in_failures set locked_until = now() - interval '1 s'"))
    assert _sign_in().role is Role.RECRUITER
    with demo_db.connect() as conn:  # success resets this client's count for the address
        assert conn.execute(sa.text("select count(*) from private.sign_in_failures"
                                    " where key like 'pair:%'")).scalar() == 0


def test_parallel_guesses_cannot_slip_past_the_back_off(demo_db, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(sign_in, "FIRST_LOCK_SECONDS", 60)  # no lock runs out mid-test

    def guess(_):
        try:
            _sign_in(password="wrong password")
        except sign_in.SignInError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=16) as pool:  # more than the connection pool holds
        answers = list(pool.map(guess, range(32)))
    checked = [a for a in answers if a == sign_in.GENERIC_SIGN_IN_ERROR]
    assert 1 <= len(checked) <= sign_in.FREE_ATTEMPTS
    assert all(a == sign_in.IN_PROGRESS or a.startswith("Too many failed sign-ins")
               for a in answers if a not in checked)
    with demo_db.connect() as conn:  # every password checked was counted
        counted = conn.execute(sa.text("select failures from private.sign_in_failures"
                                       " where key like 'pair:%'")).scalar()
    assert counted == len(checked)


def test_change_password_guesses_count_too(demo_db):
    tom = _sign_in("tom@example.com")
    for _ in range(sign_in.FREE_ATTEMPTS):
        with pytest.raises(ValidationError, match="current password"):
            sign_in.change_password(tom, "a wrong guess", "a brand new password")
    with pytest.raises(sign_in.SignInError, match="Too many failed"):
        sign_in.change_password(tom, DEMO_PASSWORD, "a brand new password")


def test_old_failures_are_forgotten(demo_db):
    for _ in range(sign_in.FREE_ATTEMPTS - 1):
        with pytest.raises(sign_in.SignInError):
            _sign_in(password="wrong password")
    with demo_db.begin() as conn:  # a while later…
        conn.execute(sa.text("update private.sign_in_failures"
                             " set last_failure_at = now() - interval '1 hour'"))
    with pytest.raises(sign_in.SignInError, match="do not match"):
        _sign_in(password="one more typo")
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select failures, locked_until from private.sign_in_failures"
                                    " where key like 'pair:%'")).one() == (1, None)


def test_back_off_doubles(demo_db):
    waits = []
    for _ in range(sign_in.FREE_ATTEMPTS + 2):
        with pytest.raises(sign_in.SignInError):
            _sign_in(password="wrong password")
        with demo_db.begin() as conn:
            waits.append(conn.execute(sa.text(
                "select extract(epoch from locked_until - last_failure_at)"
                " from private.sign_in_failures where key like 'pair:%'")).scalar())
            conn.execute(sa.text("update private.sign_in_failures set locked_until = now()"
                                 " - interval '1 s' where locked_until is not null"))
    assert waits[: sign_in.FREE_ATTEMPTS - 1] == [None] * (sign_in.FREE_ATTEMPTS - 1)
    assert [round(w) for w in waits[sign_in.FREE_ATTEMPTS - 1:]] == [1, 2, 4]


def test_admin_adds_user_who_can_sign_in(demo_db):
    admin = _sign_in("admin@example.com")
    added = accounts.add_user(admin, "New.Alum@example.com", "New Alum", "alumnus")
    actor = sign_in.with_password("new.alum@example.com", added.temporary_password)
    assert actor.role is Role.ALUMNUS and actor.full_name == "New Alum"


def test_only_admins_add_users(demo_db):
    with pytest.raises(PermissionDenied):
        accounts.add_user(_sign_in(), "x@example.com", "X", "admin")


def test_adding_a_user_says_every_problem_at_once(demo_db):
    with pytest.raises(ValidationError) as every:
        accounts.add_user(_sign_in("admin@example.com"), "x@", "", "boss")
    assert [field for field, _ in every.value.problems] == ["email", "full_name", "role"]


def test_adding_an_existing_email_is_explained(demo_db):
    with pytest.raises(ValidationError, match="already an account"):
        accounts.add_user(_sign_in("admin@example.com"), "tom@example.com", "Tom", "employee")


def test_change_role_and_deactivate(demo_db):
    admin = _sign_in("admin@example.com")
    tom = _sign_in("tom@example.com")
    accounts.change_role(admin, tom.user_id, Role.EMPLOYEE)
    assert sign_in.refresh(tom).role is Role.EMPLOYEE
    accounts.set_active(admin, tom.user_id, False)
    assert sign_in.refresh(tom) is None
    with pytest.raises(sign_in.SignInError, match="deactivated"):
        _sign_in("tom@example.com")
    accounts.set_active(admin, tom.user_id, True)
    assert _sign_in("tom@example.com").role is Role.EMPLOYEE
    with demo_db.connect() as conn:
        actions = conn.execute(sa.text("select action from public.audit_log order by id")).scalars().all()
    assert actions == ["user.role_changed", "user.deactivated", "user.activated"]


def test_recruiter_cannot_make_themselves_admin(demo_db):
    recruiter = _sign_in()
    with pytest.raises(PermissionDenied):
        accounts.change_role(recruiter, recruiter.user_id, Role.ADMIN)
    assert sign_in.refresh(recruiter).role is Role.RECRUITER


def test_admin_cannot_demote_themselves(demo_db):
    admin = _sign_in("admin@example.com")
    with pytest.raises(ValidationError, match="your own role"):
        accounts.change_role(admin, admin.user_id, Role.RECRUITER)


def test_the_last_admin_stays(demo_db):
    admin = _sign_in("admin@example.com")
    second = accounts.add_user(admin, "second@example.com", "Second Admin", Role.ADMIN)
    second_actor = sign_in.with_password("second@example.com", second.temporary_password)
    accounts.change_role(second_actor, admin.user_id, Role.RECRUITER)  # allowed: one admin left
    with pytest.raises(ValidationError, match="your own role"):
        accounts.set_active(second_actor, second_actor.user_id, False)
    with demo_db.begin() as conn:  # even the owner cannot remove the last admin
        with pytest.raises(sa.exc.DBAPIError, match="at least one active admin"):
            conn.execute(sa.text("update public.profiles set active = false where id = :id"),
                         {"id": second_actor.user_id})


def test_list_users_pages_and_filters(demo_db):
    admin = _sign_in("admin@example.com")
    page = accounts.list_users(admin, page_size=5)
    assert page.total == 14 and len(page.rows) == 5 and page.page_count == 3
    alumni = accounts.list_users(admin, role=Role.ALUMNUS)
    assert {u.role for u in alumni.rows} == {Role.ALUMNUS}
    assert accounts.list_users(admin, search="priya").total == 1
    assert accounts.list_users(admin, search="%").total == 0  # wildcards are literal


def test_change_password(demo_db):
    tom = _sign_in("tom@example.com")
    with pytest.raises(ValidationError, match="current password"):
        sign_in.change_password(tom, "wrong", "a brand new password")
    sign_in.change_password(tom, DEMO_PASSWORD, "a brand new password")
    assert _sign_in("tom@example.com", "a brand new password").user_id == tom.user_id


def test_visitor_refresh_is_a_no_op(demo_db):
    assert sign_in.refresh(Actor.visitor()) == Actor.visitor()


def test_accounts_are_not_written_past_supabase_auth(clean_db, monkeypatch):
    monkeypatch.setattr(accounts, "on_supabase", lambda: True)
    with pytest.raises(ValidationError, match="Supabase Auth"):
        accounts.create_first_admin("ada@example.com", "Ada", "a long password")


def test_invitations_are_used_once(demo_db):
    admin = _sign_in("admin@example.com")
    accounts.add_user(admin, "once@example.com", "Once", Role.RECRUITER)
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.invitations")).scalar() == 0


def test_admin_resets_a_password(demo_db):
    admin = _sign_in("admin@example.com")
    tom = _sign_in("tom@example.com")
    with pytest.raises(PermissionDenied):
        accounts.reset_password(_sign_in(), tom.user_id)  # a recruiter
    password = accounts.reset_password(admin, tom.user_id)
    assert _sign_in("tom@example.com", password).user_id == tom.user_id
    with pytest.raises(sign_in.SignInError):
        _sign_in("tom@example.com")  # the old password is gone


def test_single_sign_on_signs_in_staff_and_employees_it_vouches_for(demo_db):
    recruiter = sign_in.with_single_sign_on("  Recruiter@Example.com ", True)
    assert recruiter.role is Role.RECRUITER and recruiter.email == "recruiter@example.com"
    assert sign_in.with_single_sign_on("admin@example.com").role is Role.ADMIN  # no email_verified (Entra)
    admin = _sign_in("admin@example.com")
    tom = _sign_in("tom@example.com")
    accounts.change_role(admin, tom.user_id, Role.EMPLOYEE)
    assert sign_in.with_single_sign_on("tom@example.com", True).user_id == tom.user_id
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.audit_log"
                                    " where action = 'user.signed_in_with_sso'")).scalar_one() == 3


@pytest.mark.parametrize(("email", "verified", "says"), [
    ("priya@example.com", True, "No active staff or employee account"),  # an alumna: not the company's
    ("candidate@example.com", True, "No active staff or employee account"),
    ("stranger@example.com", True, "No active staff or employee account"),
    ("recruiter@example.com", False, "not verified"),
    ("", True, "Enter the email address"),
])
def test_single_sign_on_never_makes_or_widens_an_account(demo_db, email, verified, says):
    with demo_db.connect() as conn:
        before = conn.execute(sa.text("select count(*) from auth.users")).scalar_one()
    with pytest.raises((sign_in.SignInError, ValidationError), match=says):
        sign_in.with_single_sign_on(email, verified)
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from auth.users")).scalar_one() == before


def test_single_sign_on_refuses_a_deactivated_account(demo_db):
    admin = _sign_in("admin@example.com")
    recruiter = _sign_in("recruiter@example.com")
    accounts.set_active(admin, recruiter.user_id, False)
    with pytest.raises(sign_in.SignInError, match="No active staff"):
        sign_in.with_single_sign_on("recruiter@example.com", True)
