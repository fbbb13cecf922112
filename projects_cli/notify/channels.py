"""The channels a reminder goes out on, with the standard library only: the 企业微信 group robot, the 钉钉
custom robot (signed when a secret is configured) and SMTP e-mail (plain text + HTML, SSL or STARTTLS).

Every call has a timeout; `attempt` retries a failed send with a growing pause. Secrets (the 钉钉 secret,
the SMTP password) come from the environment or a file only the owner can read, and never appear in an
error: a failure names the channel and what the server answered, not the URL with its key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from projects_cli.errors import InvalidValue
from projects_cli.i18n import _

SMTP_PASSWORD_ENV = "PROJECTS_SMTP_PASSWORD"
DINGTALK_SECRET_ENV = "PROJECTS_DINGTALK_SECRET"
# what each robot takes in one message (bytes of its markdown): 企业微信 4096, 钉钉 20000
LIMITS = {"wecom": 4096, "dingtalk": 20000}


class SendFailed(Exception):
    """A send that did not go through: the reason in words, without any secret; `final`: trying again
    cannot help (nothing configured)."""

    def __init__(self, reason: str, final: bool = False):
        super().__init__(reason)
        self.final = final


@dataclass(frozen=True)
class NotifyConfig:
    """The config file's [notify] section, as the channels use it."""

    robot: str = "wecom"  # a webhook whose host does not tell which robot it is
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 1.0
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_from: str | None = None
    smtp_security: str = "ssl"  # ssl, starttls or none
    smtp_password_file: Path | None = None
    smtp_ca_file: Path | None = None  # the certificate(s) to trust for the mail server (its own CA), else the system's
    dingtalk_secret_file: Path | None = None
    office_webhook: str | None = None  # the office's own group robot: for units with no webhook and no e-mail
    office_email: str | None = None


def notify_config(section: Mapping[str, Any], base: Path | None = None) -> NotifyConfig:
    """A `NotifyConfig` from the checked [notify] section; files relative to `base` (the config's folder)."""
    def path(key: str) -> Path | None:
        value = section.get(key)
        if not value:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() or base is None else base / p

    return NotifyConfig(
        robot=section.get("robot", "wecom"), timeout=float(section.get("timeout_seconds", 10.0)),
        retries=int(section.get("retries", 2)), backoff=float(section.get("backoff_seconds", 1.0)),
        smtp_host=section.get("smtp_host"), smtp_port=section.get("smtp_port"), smtp_user=section.get("smtp_user"),
        smtp_from=section.get("smtp_from"), smtp_security=section.get("smtp_security", "ssl"),
        smtp_password_file=path("smtp_password_file"), smtp_ca_file=path("smtp_ca_file"), dingtalk_secret_file=path("dingtalk_secret_file"),
        office_webhook=section.get("office_webhook"), office_email=section.get("office_email"))


def read_secret(env: str, file: Path | None, what: str) -> str | None:
    """A secret from the environment variable `env`, else from `file` (readable by its owner only); None: neither."""
    value = os.environ.get(env)
    if value:
        return value.strip()
    if file is None:
        return None
    try:
        mode = file.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidValue(_("{what}文件 {file} 别人也能读，请改为只有本人可读：chmod 600 {file}").format(
                what=what, file=file))
        return file.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise InvalidValue(_("读不了{what}文件 {file}：{reason}").format(what=what, file=file, reason=exc.strerror)) from None


def robot_kind(url: str, default: str) -> str:
    """Which robot a webhook is: by its host (qyapi.weixin.qq.com, oapi.dingtalk.com), else `default`."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host.endswith("weixin.qq.com"):
        return "wecom"
    if host.endswith("dingtalk.com"):
        return "dingtalk"
    return default


def fit(text: str, limit: int, pointer: str) -> str:
    """`text` cut at a line to at most `limit` bytes (UTF-8), ending with `pointer` when cut."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(pointer.encode()) - 1
    lines, used = [], 0
    for line in text.split("\n"):
        size = len(line.encode()) + 1
        if used + size > room:
            break
        lines.append(line)
        used += size
    return "\n".join(lines + [pointer])


def wecom_payload(text: str) -> dict[str, Any]:
    """企业微信 群机器人: a markdown message."""
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_payload(title: str, text: str) -> dict[str, Any]:
    """钉钉 自定义机器人: a markdown message (its title is what the notification shows)."""
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def dingtalk_signed(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook with 钉钉's signature: timestamp (ms) and sign = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def post_json(url: str, payload: Mapping[str, Any], timeout: float) -> None:
    """POST `payload` as JSON; a robot that does not answer 2xx with errcode 0 is a `SendFailed`."""
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the office's own URL
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendFailed(_("连接失败：{reason}").format(reason=reason)) from None
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return  # a 2xx without JSON: taken as delivered
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise SendFailed(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def mail_message(sender: str, to: str, subject: str, plain: str, html: str,
                 attachments: Sequence[tuple[str, bytes]] = ()):
    """The e-mail: the plain text and HTML bodies, and each attachment (a .docx: Word's type)."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(plain + "\n")
    msg.add_alternative(html + "\n", subtype="html")
    for name, content in attachments:
        kind = DOCX_TYPE if name.lower().endswith(".docx") else ("application", "octet-stream")
        msg.add_attachment(content, maintype=kind[0], subtype=kind[1], filename=name)
    return msg


def send_mail(cfg: NotifyConfig, password: str | None, msg) -> None:
    """Send `msg` through the configured SMTP server (SSL, STARTTLS or plain), logging in when a user is set."""
    import smtplib
    import ssl

    if not cfg.smtp_host:
        raise SendFailed(_("没有配置邮件服务器：config.toml [notify] smtp_host"), final=True)
    port = cfg.smtp_port or (465 if cfg.smtp_security == "ssl" else 587 if cfg.smtp_security == "starttls" else 25)
    try:
        # the server's certificate is checked, against the office's own CA when smtp_ca_file names one
        context = ssl.create_default_context(cafile=str(cfg.smtp_ca_file) if cfg.smtp_ca_file else None)
        if cfg.smtp_security == "ssl":
            server = smtplib.SMTP_SSL(cfg.smtp_host, port, timeout=cfg.timeout, context=context)
        else:
            server = smtplib.SMTP(cfg.smtp_host, port, timeout=cfg.timeout)
        with server:
            if cfg.smtp_security == "starttls":
                server.starttls(context=context)
            if cfg.smtp_user:
                server.login(cfg.smtp_user, password or "")
            server.send_message(msg)
    except smtplib.SMTPException as exc:
        raise SendFailed(_("邮件服务器拒绝：{error}").format(error=exc.__class__.__name__)) from None
    except ssl.SSLCertVerificationError as exc:
        raise SendFailed(_("邮件服务器的证书无法验证（{reason}）；内部 CA 请在 [notify] smtp_ca_file 写明证书文件").format(
            reason=exc.verify_message)) from None
    except OSError as exc:
        raise SendFailed(_("连接邮件服务器失败：{reason}").format(reason=exc.strerror or exc)) from None


def attempt(send: Callable[[], None], retries: int, backoff: float,
            sleep: Callable[[float], None] = time.sleep) -> tuple[int, str | None]:
    """Call `send` until it goes through, at most 1 + `retries` times, pausing backoff, 2×backoff, …
    between tries; (tries made, the last error or None)."""
    error = None
    for n in range(retries + 1):
        if n:
            sleep(backoff * 2 ** (n - 1))
        try:
            send()
            return n + 1, None
        except SendFailed as exc:
            error = str(exc)
            if exc.final:
                return n + 1, error
    return retries + 1, error
