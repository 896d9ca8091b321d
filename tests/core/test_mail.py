"""xlsales mail: drafts parsed back, figures checked against an independent count, sent for
real to a local SMTP server (aiosmtpd), idempotent per month (issue 13)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import re
import socket
import ssl
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsales import demo_master, write_master
from xlsales.cli import cli
from xlsales.mail.drafts import checked_address, reply_by_date
from xlsales.mail.monthly import mail_month
from xlsales.model import ReplyBy

MONTH = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGER = "boss@example.co.jp"


def mail_master():
    """The demo master with a manager, a leader, a rep who left, one without and one with a bad address."""
    master = demo_master()
    members = list(master.members)
    members[0] = dataclasses.replace(members[0], leader=True)
    members[5] = dataclasses.replace(members[5], left_on=dt.date(2026, 9, 30))
    members[6] = dataclasses.replace(members[6], email="")
    members[7] = dataclasses.replace(members[7], email="nakamura@@example")
    master.members = members
    master.settings.manager_email = MANAGER
    return master


def few_reps(master, n):
    master.members = master.members[:n]
    keep = {m.rep for m in master.members}
    master.events = [ev for ev in master.events if ev.rep in keep]
    master.targets = [t for t in master.targets if t.rep in keep]
    master.benchmarks = {k: v for k, v in master.benchmarks.items() if k[0] in ("", *keep)}
    return master


def parse(path: Path) -> email.message.EmailMessage:
    with open(path, "rb") as fh:
        return BytesParser(policy=email.policy.default).parse(fh)


def expected_figures(master, rep, month, as_of):
    """The month of ``rep`` counted here from the raw events, without xlsales' engine."""
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    own = [ev for ev in master.events if ev.rep == rep]
    in_month = [ev for ev in own if (ev.date.year, ev.date.month) == (month.year, month.month)]
    sales = sum(ev.amount or 0 for ev in in_month if ev.activity == "order")
    visits = sum(1 for ev in in_month if ev.activity == "visit")
    target = next((t.sales_target for t in master.targets if t.rep == rep and t.month == month), None)
    latest = {}  # opportunity -> its latest stage event up to the as-of date (same date: the lower row)
    for _, ev in sorted(enumerate(own), key=lambda p: (p[1].date, p[0])):
        if ev.date <= as_of and ev.customer and ev.activity in ("topic", "deal_b", "deal_a", "order", "lost"):
            latest[ev.customer.casefold()] = ev
    deals = {s: [ev for ev in latest.values() if ev.activity == s and ev.close_month == nxt] for s in ("deal_a",
                                                                                                         "deal_b")}
    return sales, target, visits, deals


def fmt(v):
    return f"{int(v):,}" if v == int(v) else f"{v:,.2f}".rstrip("0").rstrip(".")


@pytest.fixture(scope="module")
def mailed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mail")
    master = mail_master()
    path = folder / "master.xlsx"
    write_master(path, master, lang="ja")
    run = CliRunner().invoke(cli, ["mail", str(path), "--out", str(folder / "out"), "--month", "2026-10"])
    return master, folder / "out", run


def test_one_draft_per_rep_with_headers(mailed):
    master, out, run = mailed
    assert run.exit_code == 1, run.output  # two reps could not get a draft: listed, exit 1
    drafts = sorted(out.glob("*.eml"))
    reps = [m.rep for m in master.members]
    # six reps (one left, one without, one with a bad address) + the leader's team draft
    assert len(drafts) == 5 + 1
    msg = parse(out / f"目標プロセス_{reps[0]}_2026-10.eml")
    assert msg["To"].addresses[0].addr_spec == master.members[0].email
    assert msg["To"].addresses[0].display_name == reps[0]
    assert msg["Cc"] == MANAGER and msg["X-Unsent"] == "1"
    assert msg["Subject"] == f"【2026年10月】目標・プロセス管理ブック（{reps[0]}）"
    assert not any(reps[5] in p.name for p in drafts)  # left in September
    assert f"{reps[6]}: メンバーシートにメールアドレスがありません" in run.output
    assert f"{reps[7]}: メールアドレス「nakamura@@example」が正しくありません" in run.output
    assert reps[5] in run.output  # listed as having left, not silently dropped


def test_the_body_holds_the_figures_counted_independently(mailed):
    master, out, _ = mailed
    for m in master.members[:5]:
        body = parse(out / f"目標プロセス_{m.rep}_2026-10.eml").get_body(("plain",)).get_content()
        sales, target, visits, deals = expected_figures(master, m.rep, MONTH, AS_OF)
        assert f"・売上: {fmt(sales)}万円" in body
        if target:
            assert f"目標 {fmt(target)}万円（達成率 {sales / target:.0%}）" in body
        assert f"・訪問: {visits} 件" in body
        a, b = deals["deal_a"], deals["deal_b"]
        assert (f"11月に受注予定の商談: ◯ {len(a)} 件 {fmt(sum(ev.amount for ev in a))}万円、"
                f"△ {len(b)} 件 {fmt(sum(ev.amount for ev in b))}万円") in body
        for ev in a:
            if len(a) <= 3:
                assert f"◯ {ev.customer} {fmt(ev.amount)}万円" in body
        due = reply_by_date(MONTH, ReplyBy(5, True))
        assert due == dt.date(2026, 11, 9)  # 11/1 a Sunday, 11/3 a holiday: Mon 2, Wed 4, Thu 5, Fri 6, Mon 9
        assert "11月9日（月）までに" in body


def test_the_attachment_is_the_workbook_byte_for_byte_with_its_japanese_name(mailed):
    master, out, _ = mailed
    rep = master.members[1].rep
    eml = out / f"目標プロセス_{rep}_2026-10.eml"
    msg = parse(eml)
    (att,) = list(msg.iter_attachments())
    assert att.get_content_type() == XLSX
    assert att.get_filename() == f"目標プロセス_{rep}_2026-10.xlsx"
    assert att.get_content() == (out / f"目標プロセス_{rep}_2026-10.xlsx").read_bytes()
    assert re.search(rb"filename\*(0\*)?=utf-8''%E7%9B%AE", eml.read_bytes())  # RFC 2231 (continued when long)


def test_the_leader_gets_their_teams_workbook(mailed):
    master, out, _ = mailed
    leader = master.members[0]
    assert len({m.team for m in master.members}) == 2  # the build wrote a workbook per team
    msg = parse(out / f"目標プロセス_チーム_{leader.team}_2026-10_{leader.rep}.eml")
    assert msg["To"].addresses[0].addr_spec == leader.email and msg["Cc"] == MANAGER
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == f"目標プロセス_チーム_{leader.team}_2026-10.xlsx"
    assert att.get_content() == (out / f"目標プロセス_チーム_{leader.team}_2026-10.xlsx").read_bytes()
    assert not (out / f"目標プロセス_チーム_2026-10_{leader.rep}.eml").exists()
    body = msg.get_body(("plain",)).get_content()
    team = [m.rep for m in master.members if m.team == leader.team]
    sales = sum(expected_figures(master, r, MONTH, AS_OF)[0] for r in team)
    assert f"・売上: {fmt(sales)}万円" in body and "返送は不要" in body


def test_with_one_team_the_leader_gets_the_workbook_of_all_reps(tmp_path):
    master = few_reps(mail_master(), 2)  # both in 営業1課
    result = mail_month(master, tmp_path, month=MONTH, lang="ja", today=dt.date(2027, 1, 5))
    leader = master.members[0]
    msg = parse(result.drafts["leader:" + leader.rep])
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == "目標プロセス_チーム_2026-10.xlsx"
    assert sorted(p.name for p in tmp_path.glob("*チーム*.xlsx")) == ["目標プロセス_チーム_2026-10.xlsx"]


def test_english_drafts(tmp_path):
    master = few_reps(mail_master(), 2)
    result = mail_month(master, tmp_path, month=MONTH, lang="en", today=dt.date(2027, 1, 5))
    msg = parse(result.drafts["rep:" + master.members[1].rep])
    assert msg["Subject"] == f"[October 2026] Your targets & process workbook ({master.members[1].rep})"
    body = msg.get_body(("plain",)).get_content()
    sales, _, visits, _ = expected_figures(master, master.members[1].rep, MONTH, AS_OF)
    assert f"- Sales: {fmt(sales)} 万円" in body and f"- Visits: {visits}" in body
    assert "Monday, November 9, 2026" in body and '"ActivityLog" sheet' in body


def test_from_an_earlier_build_attaches_its_files(tmp_path):
    from xlsales import build
    master = few_reps(mail_master(), 2)
    built = build(master, tmp_path / "built", as_of=AS_OF, lang="ja")
    result = mail_month(master, tmp_path / "out", month=MONTH, from_dir=tmp_path / "built", today=dt.date(2027, 1, 5))
    assert not list((tmp_path / "out").glob("*.xlsx"))
    msg = parse(result.drafts["rep:" + master.members[1].rep])
    (att,) = list(msg.iter_attachments())
    assert att.get_content() == built.people[master.members[1].rep].read_bytes()


@pytest.mark.parametrize("text, ok", [("a@b.co", True), ("a@b", False), ("a b@c.jp", False), ("@c.jp", False),
                                      ("a@@c.jp", False), ("", False),
                                      ("山田@example.jp", False)])  # a non-ASCII local part needs SMTPUTF8
def test_checked_address(text, ok):
    assert (checked_address(text) is not None) == ok


# ---------------------------------------------------------------------------------------
# Sending for real, to aiosmtpd on 127.0.0.1
# ---------------------------------------------------------------------------------------

aiosmtpd = pytest.importorskip("aiosmtpd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def start_server(**kwargs):
    from aiosmtpd.controller import Controller
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller, inbox


def small_master(port, security="none"):
    master = few_reps(mail_master(), 3)
    master.settings.smtp_host, master.settings.smtp_port, master.settings.smtp_security = "127.0.0.1", port, security
    master.settings.mail_from = "sales@example.co.jp"
    return master


def test_send_delivers_every_draft_once_and_resend_again(tmp_path):
    controller, inbox = start_server()
    try:
        master = small_master(controller.port)
        path = tmp_path / "master.xlsx"
        write_master(path, master, lang="ja")
        args = ["mail", str(path), "--out", str(tmp_path / "out"), "--month", "2026-10", "--send"]
        first = CliRunner().invoke(cli, args)
        assert first.exit_code == 0, first.output
        assert len(inbox.messages) == 4  # three reps and the leader's team mail
        by_to = {}
        for mail_from, rcpts, content in inbox.messages:
            msg = BytesParser(policy=email.policy.default).parsebytes(content)
            assert mail_from == "sales@example.co.jp" and MANAGER in rcpts and msg["X-Unsent"] is None
            by_to.setdefault(msg["To"].addresses[0].addr_spec, []).append(msg)
        rep = master.members[1]
        (msg,) = by_to[rep.email]
        (att,) = list(msg.iter_attachments())
        assert att.get_content() == (tmp_path / "out" / f"目標プロセス_{rep.rep}_2026-10.xlsx").read_bytes()
        assert att.get_filename() == f"目標プロセス_{rep.rep}_2026-10.xlsx"
        second = CliRunner().invoke(cli, args)
        assert second.exit_code == 0 and len(inbox.messages) == 4  # nothing twice
        assert "4 通は送信済み" in second.output
        third = CliRunner().invoke(cli, [*args, "--resend"])
        assert third.exit_code == 0 and len(inbox.messages) == 8
    finally:
        controller.stop()


def test_a_refused_recipient_does_not_stop_the_others(tmp_path):
    class Picky(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address.startswith("suzuki"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    from aiosmtpd.controller import Controller
    inbox = Picky()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        master = small_master(controller.port)
        result = mail_month(master, tmp_path, month=MONTH, send=True, today=dt.date(2027, 1, 5))
        refused = [p for p in result.problems if p.reason == "mail_send_failed"]
        assert [p.rep for p in refused] == [master.members[1].rep]
        assert len(result.sent) == 3 and len(inbox.messages) == 4
        assert sorted(len(rcpts) for _, rcpts, _ in inbox.messages) == [1, 2, 2, 2]  # the refused one: CC only
        assert "rep:" + master.members[1].rep not in (tmp_path / "sent.json").read_text("utf-8")
    finally:
        controller.stop()


def _self_signed(tmp_path):
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_with_a_login_from_the_environment_that_no_file_keeps(tmp_path):
    pytest.importorskip("cryptography")
    from aiosmtpd.smtp import AuthResult
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"mailer" and auth_data.password == b"s3cret-PW")

    controller, inbox = start_server(tls_context=server_ctx, require_starttls=True, authenticator=authenticator,
                                     auth_required=True)
    try:
        master = small_master(controller.port, "starttls")
        client_ctx = ssl.create_default_context(cafile=str(cert))
        env = {"XLSALES_SMTP_USER": "mailer", "XLSALES_SMTP_PASSWORD": "s3cret-PW"}
        out = tmp_path / "out"
        result = mail_month(master, out, month=MONTH, send=True, env=env, ssl_context=client_ctx,
                            today=dt.date(2027, 1, 5))
        assert not result.problems and len(inbox.messages) == 4
        assert logins == [(b"mailer", b"s3cret-PW")]
        for path in out.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert b"s3cret-PW" not in data and "s3cret-PW".encode("utf-16-le") not in data, path
        wrong = mail_month(master, tmp_path / "again", month=MONTH, send=True, ssl_context=client_ctx,
                           env={"XLSALES_SMTP_USER": "mailer", "XLSALES_SMTP_PASSWORD": "wrong"},
                           today=dt.date(2027, 1, 5))
        assert len(wrong.problems) == 4 and all(p.reason == "mail_send_failed" for p in wrong.problems)
        assert all("wrong" not in p.message("en") for p in wrong.problems)
    finally:
        controller.stop()
