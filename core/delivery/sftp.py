"""An sFTP session to a plan's server (paramiko): connect with the host key verified,
list a folder, upload and download with nothing partial ever under a real name.

``upload`` writes to ``.NAME.ecmx-part``, checks the size (and a SHA-256 where the server
offers the ``check-file`` extension; OpenSSH does not, so size only, and ``Transfer``
says which), then renames into place: a plain sFTP rename, which OpenSSH refuses over an
existing file (so nothing is overwritten, even by a run at the same moment), or the
atomic ``posix-rename`` when replacing is asked (``RemoteExists`` when the name is
taken; ``digest`` reads a remote file through to hash it). ``download`` writes a local
temporary file, checks its size and links it to its name, which fails rather than replace
a file. Nothing remote is ever deleted or changed except the session's own temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import io
import os
import posixpath
import socket
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import paramiko

from ecmx.core.delivery import hostkeys
from ecmx.core.delivery.settings import Credentials, SftpSettings, resolve_credentials
from ecmx.core.errors import InputError, OutputError, RemoteError, printable

PART_SUFFIX = ".ecmx-part"
_KEY_TYPES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    mtime: int


@dataclass(frozen=True)
class Transfer:
    """A file moved: where it is now, its size, and how it was checked (``sha256``/``size``)."""

    name: str
    path: str
    size: int
    checked: str


class RemoteExists(OutputError):
    """An upload found its name taken on the server (without ``overwrite``): nothing replaced."""


def part_name(name: str) -> str:
    return f".{name}{PART_SUFFIX}"


def _plain_name(name: str) -> str:
    """A file name, not a path: a remote listing cannot send a download elsewhere."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise InputError(f"not a plain file name: {printable(name)!r}")
    return name


plain_name = _plain_name  # for fetch: a listed name checked before it names a local file


def open_transport(settings: SftpSettings, known: dict | None = None) -> paramiko.Transport:
    """An SSH connection with its key exchange done (no login yet): the server's host key
    is ``transport.get_remote_server_key()``."""
    where = f"sftp {printable(settings.plan)}: {settings.host}:{settings.port}"
    try:
        sock = socket.create_connection((settings.host, settings.port), settings.timeout)
    except ConnectionRefusedError:
        raise RemoteError(
            f"{where} refused the connection (is the server up, the port right?)"
        ) from None
    except TimeoutError:
        raise RemoteError(f"{where}: no answer within {settings.timeout:g} s") from None
    except OSError as exc:
        raise RemoteError(f"{where}: cannot connect ({exc.strerror or exc})") from None
    transport = paramiko.Transport(sock)
    transport.banner_timeout = transport.auth_timeout = settings.timeout
    options = transport.get_security_options()
    options.key_types = hostkeys.preferred_algorithms(known or {}, tuple(options.key_types))
    try:
        transport.start_client(timeout=settings.timeout)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        transport.close()
        raise RemoteError(f"{where}: the SSH handshake failed ({exc})") from None
    return transport


def server_key(settings: SftpSettings) -> paramiko.PKey:
    """The host key the server presents (for ``ecmx sftp trust``); nothing else is sent."""
    transport = open_transport(settings)
    try:
        return transport.get_remote_server_key()
    finally:
        transport.close()


def connect(settings: SftpSettings, credentials: Credentials | None = None) -> SftpSession:
    """A logged-in session; the host key is verified before any credential is sent."""
    credentials = credentials or resolve_credentials(settings)
    known = hostkeys.known_keys(settings.known_hosts, settings.host, settings.port)
    transport = open_transport(settings, known)
    try:
        key = transport.get_remote_server_key()
        hostkeys.verify(settings.known_hosts, settings.host, settings.port, key, settings.plan)
        _login(transport, settings, credentials)
        client = paramiko.SFTPClient.from_transport(transport)
        if client is None:
            raise RemoteError(f"sftp {printable(settings.plan)}: the server offers no sFTP")
        client.get_channel().settimeout(settings.timeout)
    except BaseException:
        transport.close()
        raise
    return SftpSession(settings, transport, client)


def _login(transport, settings: SftpSettings, credentials: Credentials) -> None:
    key = None
    if credentials.key_text is not None:  # read before connecting's login: a local problem
        key = _private_key(settings, credentials.key_text, credentials.passphrase)
    try:
        if key is not None:
            transport.auth_publickey(settings.user, key)
        else:
            transport.auth_password(settings.user, credentials.password or "")
    except paramiko.AuthenticationException:
        how = "key" if key is not None else "password"
        raise RemoteError(
            f"sftp {printable(settings.plan)}: {settings.where} refused the login with the "
            f"configured {how}; check the user and the {how}"
        ) from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise RemoteError(f"sftp {printable(settings.plan)}: login failed ({exc})") from None


def _load_key(text: str, passphrase: str | None) -> paramiko.PKey | None:
    """The key, or None; ``PasswordRequiredException`` when it is protected and no
    passphrase was given."""
    for kind in _KEY_TYPES:
        try:
            return kind.from_private_key(io.StringIO(text), password=passphrase)
        except paramiko.PasswordRequiredException:
            raise
        except (paramiko.SSHException, ValueError):
            continue
    return None


def _private_key(settings: SftpSettings, text: str, passphrase: str | None) -> paramiko.PKey:
    where = f"plans.{printable(settings.plan)}.sftp"
    try:
        key = _load_key(text, passphrase)
    except paramiko.PasswordRequiredException:
        raise InputError(
            f"{where}.key: the key is protected by a passphrase; add passphrase: {{env: NAME}} "
            "or passphrase: {keyring: SERVICE} next to key: (docs/delivery.md)"
        ) from None
    if key is not None:
        return key
    try:  # with a passphrase given: tell a wrong one from a file that is not a key
        _load_key(text, None)
    except paramiko.PasswordRequiredException:
        legacy = "Proc-Type: 4,ENCRYPTED" in text  # a PEM key some paramiko versions cannot open
        raise InputError(
            f"{where}.passphrase: the passphrase does not open the key; check the passphrase"
            + ("; or rewrite this old PEM key once with ssh-keygen -p -f KEY" if legacy else "")
        ) from None
    raise InputError(f"{where}.key: not an Ed25519, ECDSA or RSA private key")


class SftpSession:
    """An open sFTP session (a context manager: closed at the end of the ``with``)."""

    def __init__(self, settings: SftpSettings, transport, client: paramiko.SFTPClient):
        self.settings = settings
        self._transport = transport
        self._sftp = client

    def __enter__(self) -> SftpSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def host_key(self) -> paramiko.PKey:
        return self._transport.get_remote_server_key()

    def close(self) -> None:
        self._sftp.close()
        self._transport.close()

    def _fail(self, what: str, exc: BaseException) -> RemoteError:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return RemoteError(f"sftp {printable(self.settings.plan)}: {what} ({reason})")

    def require_folder(self, remote_dir: str) -> None:
        """Return if ``remote_dir`` is a folder on the server; one line otherwise."""
        where = f"{self.settings.host}:{printable(remote_dir)}"
        try:
            mode = self._sftp.stat(remote_dir).st_mode or 0
        except FileNotFoundError:
            raise RemoteError(
                f"sftp {printable(self.settings.plan)}: the remote folder {where} does not exist; "
                "check plans.<id>.sftp.path or ask the plan"
            ) from None
        except (OSError, paramiko.SSHException) as exc:
            raise self._fail(f"cannot read the remote folder {where}", exc) from None
        if not stat.S_ISDIR(mode):
            raise RemoteError(f"sftp {printable(self.settings.plan)}: {where} is not a folder")

    def list(self, remote_dir: str, patterns: Iterable[str] = ("*",)) -> list[RemoteFile]:
        """The regular files in ``remote_dir`` whose names match one of ``patterns``, by name;
        hidden files (a transfer's ``.NAME.ecmx-part`` among them) are left out."""
        self.require_folder(remote_dir)
        patterns = tuple(patterns)
        try:
            entries = self._sftp.listdir_attr(remote_dir)
        except (OSError, paramiko.SSHException) as exc:
            raise self._fail(f"cannot list {self.settings.host}:{remote_dir}", exc) from None
        return sorted(
            (
                RemoteFile(e.filename, e.st_size or 0, e.st_mtime or 0)
                for e in entries
                if stat.S_ISREG(e.st_mode or 0)
                and not e.filename.startswith(".")
                and any(fnmatch.fnmatchcase(e.filename, p) for p in patterns)
            ),
            key=lambda f: f.name,
        )

    def exists(self, remote_path: str) -> bool:
        try:
            self._sftp.stat(remote_path)
        except FileNotFoundError:
            return False
        except (OSError, paramiko.SSHException) as exc:
            raise self._fail(f"cannot read {self.settings.host}:{remote_path}", exc) from None
        return True

    def upload(
        self, local: Path, remote_dir: str, name: str, *, overwrite: bool = False
    ) -> Transfer:
        """``local`` to ``remote_dir/name``, through a temporary name; never over an existing
        file unless ``overwrite``."""
        name = _plain_name(name)
        try:
            size = Path(local).stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read {local}: {exc.strerror or exc}") from None
        self.require_folder(remote_dir)
        final = posixpath.join(remote_dir, name)
        temporary = posixpath.join(remote_dir, part_name(name))
        if not overwrite and self.exists(final):
            raise self._exists(final)
        try:
            self._sftp.put(str(local), temporary, confirm=False)
            checked = self._check(temporary, local, size)
            if overwrite:
                self._sftp.posix_rename(temporary, final)
            else:
                self._sftp.rename(temporary, final)  # OpenSSH: refused if final exists
        except (OSError, paramiko.SSHException) as exc:
            if not overwrite and self._still_there(final):
                self._remove_part(temporary)
                raise self._exists(final) from None
            raise self._fail(
                f"upload of {name} to {self.settings.host}:{remote_dir} failed", exc
            ) from None
        return Transfer(name, final, size, checked)

    def digest(self, remote_dir: str, name: str) -> tuple[int, str]:
        """The size and hex SHA-256 of ``remote_dir/name``, read through (streamed): nothing
        is written locally, nothing changed remotely."""
        remote = posixpath.join(remote_dir, _plain_name(name))
        digest, size = hashlib.sha256(), 0
        try:
            with self._sftp.open(remote, "rb") as handle:
                handle.prefetch()
                while chunk := handle.read(1 << 16):
                    digest.update(chunk)
                    size += len(chunk)
        except (OSError, paramiko.SSHException) as exc:
            raise self._fail(f"cannot read {self.settings.host}:{remote} back", exc) from None
        return size, digest.hexdigest()

    def _exists(self, final: str) -> RemoteExists:
        return RemoteExists(
            f"sftp {printable(self.settings.plan)}: {self.settings.host}:{final} exists already; "
            "not replaced (a correction is sent on purpose, with --resend)"
        )

    def _check(self, temporary: str, local: Path, size: int) -> str:
        remote_size = self._sftp.stat(temporary).st_size
        if remote_size != size:
            raise OSError(errno.EIO, f"the server holds {remote_size} bytes of {size}")
        try:
            with self._sftp.open(temporary) as handle:
                remote_hash = handle.check("sha256", 0, 0, 0)
        except (OSError, paramiko.SSHException):
            return "size"  # the server has no check-file extension (OpenSSH has none)
        local_hash = hashlib.sha256(Path(local).read_bytes()).digest()
        if remote_hash[: len(local_hash)] != local_hash:
            raise OSError(errno.EIO, "the server's SHA-256 differs from the file's")
        return "sha256"

    def _still_there(self, final: str) -> bool:
        """Whether a rename failed for a file that appeared meanwhile (False if unknown)."""
        try:
            return self.exists(final)
        except RemoteError:
            return False

    def _remove_part(self, temporary: str) -> None:
        # if it cannot go, it is left for the next upload of the name, which writes over it
        with contextlib.suppress(OSError, paramiko.SSHException):
            self._sftp.remove(temporary)

    def download(self, remote_dir: str, name: str, local_dir: Path) -> Transfer:
        """``remote_dir/name`` to ``local_dir/name``, through a temporary local name; never
        over an existing file; nothing remote is changed."""
        name, local_dir = _plain_name(name), Path(local_dir)
        final, temporary = local_dir / name, local_dir / part_name(name)
        if final.exists():
            raise OutputError(f"{final} exists already; not replaced")
        remote = posixpath.join(remote_dir, name)
        try:
            size = self._sftp.stat(remote).st_size or 0
            with _LocalFile(temporary) as handle:
                self._sftp.getfo(remote, handle)
        except _LocalWriteError as exc:
            temporary.unlink(missing_ok=True)
            raise OutputError(f"cannot write {temporary}: {exc}; nothing kept") from None
        except FileNotFoundError:
            temporary.unlink(missing_ok=True)
            raise RemoteError(
                f"sftp {printable(self.settings.plan)}: {self.settings.host}:{remote} does not exist"
            ) from None
        except (OSError, paramiko.SSHException) as exc:
            temporary.unlink(missing_ok=True)
            raise self._fail(f"download of {remote} failed", exc) from None
        return self._place(temporary, final, remote, size)

    def _place(self, temporary: Path, final: Path, remote: str, size: int) -> Transfer:
        try:
            if temporary.stat().st_size != size:
                raise RemoteError(
                    f"sftp {printable(self.settings.plan)}: {remote}: got {temporary.stat().st_size} bytes of {size}"
                )
            os.link(temporary, final)
        except FileExistsError:
            raise OutputError(f"{final} exists already; not replaced") from None
        except OSError as exc:
            raise OutputError(f"cannot write {final}: {exc.strerror or exc}") from None
        finally:
            temporary.unlink(missing_ok=True)
        return Transfer(final.name, str(final), size, "size")


class _LocalWriteError(Exception):
    """The local disk refused a write (full, read-only): told apart from a remote error."""


class _LocalFile:
    """The local temporary file of a download; its write errors are ``_LocalWriteError``."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> _LocalFile:
        try:
            self._handle = open(self.path, "wb")  # closed in __exit__
        except OSError as exc:
            raise _LocalWriteError(exc.strerror or str(exc)) from None
        return self

    def write(self, data: bytes) -> int:
        try:
            return self._handle.write(data)
        except OSError as exc:
            raise _LocalWriteError(exc.strerror or str(exc)) from None

    def __exit__(self, *exc) -> None:
        try:
            self._handle.close()
        except OSError as error:
            if exc[0] is None:
                raise _LocalWriteError(error.strerror or str(error)) from None
