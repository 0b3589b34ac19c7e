"""`cvxlint daemon`: a resident process that answers `cvxlint check` from facts kept in memory.

A one-shot `cvxlint check` parses and models every file of its apps; after one edit, almost
all of that is the same work again (the result cache only helps when nothing changed). The
daemon keeps what the language server keeps between lints: every file's facts (`FactsMemo`:
a file is read again only when its size, mtime or inode changed, and parsed again only when
its bytes did) and what linking derives per file while the file and everything it imports
are unchanged (project/derived.py). So after an edit, a check costs about the edited file
plus the cross-file rules, from the command line, pre-commit or CI scripts alike.

How a check finds it: `cvxlint daemon start DIR` writes `DIR/.cvxlint_cache/daemon.json`.
`cvxlint check` looks for that file from its first target upwards and forwards its parsed
options, working directory, environment and whether its streams are terminals when every
target lies inside DIR and the daemon runs the very same cvxlint code (`code_fingerprint`).
The daemon makes the same call `cvxlint check` would (`cli.run_check_command`) with its memo,
in the client's directory and environment, and sends back stdout, stderr and the exit code.
Anything else (no daemon, another cvxlint version, a daemon that died) and the check runs
in-process as always: a daemon can make a check faster, never different.

Protocol: one request per connection on a Unix socket in a private runtime directory
(mode 0700, so only the same user can connect); each message is a 4-byte big-endian length
and a JSON object.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path

from .engine.cache import CACHE_DIR, code_fingerprint
from .errors import CvxlintError

STATE_FILE = "daemon.json"
IDLE_TIMEOUT_MINUTES = 120.0
REQUEST_TIMEOUT = 30.0  # seconds the daemon waits for a connected client's request
START_TIMEOUT = 20.0  # seconds `daemon start` waits for the new process to answer
KEPT_ENVIRONMENTS = 4  # sets of apps whose derived values are kept (a whole tree, pre-commit's apps, ...)
_PATH_PARAMS = ("config_path", "output_file")


def supported() -> bool:
    return hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")


# -- where a daemon lives -------------------------------------------------------------------

def runtime_dir() -> Path:
    """A directory only this user can enter, for the sockets."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()) / f"cvxlint-{os.getuid()}"
    base.mkdir(mode=0o700, exist_ok=True)
    st = base.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise CvxlintError(f"{base} must belong to you and be private (mode 0700)")
    return base


def socket_path(root: Path) -> Path:
    # Unix socket paths are limited to ~100 bytes, so not under the (possibly deep) root itself.
    name = hashlib.blake2b(str(root).encode(), digest_size=10).hexdigest()
    return runtime_dir() / f"{name}.sock"


def state_path(root: Path) -> Path:
    return root / CACHE_DIR / STATE_FILE


def read_state(root: Path) -> dict | None:
    try:
        state = json.loads(state_path(root).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("socket"), str) or not isinstance(state.get("pid"), int):
        return None
    return state


def find_root(start: Path) -> Path | None:
    """The closest folder at or above `start` that has a daemon state file."""
    start = start.resolve()
    for d in [start, *start.parents]:
        if (d / CACHE_DIR / STATE_FILE).is_file():
            return d
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- messages -------------------------------------------------------------------------------

def _send(conn: socket.socket, message: dict) -> None:
    data = json.dumps(message).encode("utf-8")
    conn.sendall(struct.pack(">I", len(data)) + data)


def _receive(conn: socket.socket) -> dict:
    (size,) = struct.unpack(">I", _exactly(conn, 4))
    message = json.loads(_exactly(conn, size).decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def _exactly(conn: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def ask(root: Path, message: dict, timeout: float | None = None) -> dict:
    """Send one request to the daemon of `root` and return its answer (OSError/ValueError
    when there is none)."""
    state = read_state(root)
    if state is None:
        raise ConnectionError("no daemon state")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(2.0)
        conn.connect(state["socket"])
        conn.settimeout(timeout)
        _send(conn, message)
        return _receive(conn)


# -- the client side of `cvxlint check` -----------------------------------------------------

def forward_check(params: dict) -> int | None:
    """Run `cvxlint check` (its parsed options) in the daemon for its targets, print what it
    printed and return its exit code; None when no usable daemon runs (check in-process)."""
    if not supported():
        return None
    targets = [Path(p) for p in params.get("paths") or ()] or [Path.cwd()]
    try:
        resolved = [t.resolve() for t in targets]
    except (OSError, RuntimeError):
        return None
    root = find_root(resolved[0] if resolved[0].is_dir() else resolved[0].parent)
    if root is None or not all(p == root or root in p.parents for p in resolved):
        return None
    state = read_state(root)
    if state is None:
        return None
    if state.get("code") != code_fingerprint():
        _note(f"the daemon for {root} runs other cvxlint code; checking without it "
              "(restart it: cvxlint daemon start)")
        return None
    request = {
        "op": "check",
        "code": state["code"],
        "params": _request_params(params),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "tty": [_isatty(sys.stdout), _isatty(sys.stderr)],
    }
    try:
        answer = ask(root, request)
    except (OSError, ValueError) as e:
        if not _alive(state["pid"]):
            _forget(root, state)
            _note(f"the daemon for {root} is not running any more; checking without it")
        else:
            _note(f"the daemon for {root} did not answer ({type(e).__name__}); checking without it")
        return None
    if answer.get("op") != "checked":
        _note(f"the daemon for {root} declined ({answer.get('reason', 'no reason given')}); checking without it")
        return None
    import click

    from .cli import echo

    if answer.get("stdout"):
        echo(answer["stdout"], nl=False)
    if answer.get("stderr"):
        click.echo(answer["stderr"], nl=False, err=True)
    code = answer.get("exit")
    return code if isinstance(code, int) else 2


def _request_params(params: dict) -> dict:
    """`cvxlint check`'s parsed options as a request carries them (JSON; run_check_command
    takes all but --no-daemon)."""
    return {k: _jsonable(v) for k, v in params.items() if k != "no_daemon"}


def _jsonable(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _note(message: str) -> None:
    print(f"cvxlint: {message}", file=sys.stderr)


def _forget(root: Path, state: dict) -> None:
    """Remove the files of a daemon that is gone (it was killed)."""
    for p in (state_path(root), Path(state["socket"])):
        try:
            p.unlink()
        except OSError:
            pass


# -- the daemon ---------------------------------------------------------------------------

class _Captured(io.StringIO):
    """Stands for stdout/stderr during one forwarded run: collects text and answers
    `isatty` as the client's stream would (colours and code frames depend on it)."""

    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


class CheckDaemon:
    """Answers check requests for the tree under `root`, one at a time."""

    def __init__(self, root: Path, idle_timeout_minutes: float = IDLE_TIMEOUT_MINUTES):
        from .engine.heap import Heap
        from .project.derived import DerivedStore
        from .project.extract import FactsMemo

        self.root = root
        self.idle_timeout = idle_timeout_minutes * 60
        self.memo = FactsMemo()
        self.memo.derived = DerivedStore(keep=KEPT_ENVIRONMENTS)
        self.heap = Heap(lambda: self.memo.replaced_bytes)
        self.code = code_fingerprint()
        self.started = time.time()
        self.runs = 0
        self.socket = socket_path(root)
        self._listener: socket.socket | None = None

    # lifecycle
    def serve(self, warm: bool = True) -> None:
        """Listen, announce the daemon in the state file, fill the memo, answer until stopped
        or idle for `idle_timeout`; always clean up."""
        from .engine.heap import Heap

        Heap.manual()
        self._listen()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            self._write_state()
            if warm:
                self._warm()
            self._loop()
        finally:
            self._clean_up()

    def _listen(self) -> None:
        path = str(self.socket)
        if os.path.exists(path):
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(path)
            except OSError:
                os.unlink(path)  # left by a daemon that was killed
            else:
                raise CvxlintError(f"a daemon already serves {self.root}")
            finally:
                probe.close()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(16)
        self._listener = listener

    def _write_state(self) -> None:
        from .engine.cache import ensure_cache_dir

        ensure_cache_dir(self.root)
        state = {"pid": os.getpid(), "socket": str(self.socket), "root": str(self.root), "code": self.code,
                 "started": self.started}
        target = state_path(self.root)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-daemon-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f)
        os.replace(tmp, target)

    def _warm(self) -> None:
        """Read every file of the tree once, so the first forwarded check is already warm."""
        t = time.perf_counter()
        from .cli import check

        # `cvxlint check ROOT --exit-zero --statistics --quiet --no-cache`, as click parses it
        params = check.make_context("check", [str(self.root), "--exit-zero", "--statistics", "--quiet",
                                              "--no-cache"]).params
        answer = self._check({"params": _request_params(params),
                              "cwd": str(self.root), "env": dict(os.environ), "tty": [False, False]})
        self.heap.collect()
        self._log(f"warmed up in {time.perf_counter() - t:.2f} s (exit {answer['exit']})")

    def _clean_up(self) -> None:
        if self._listener is not None:
            self._listener.close()
            try:
                os.unlink(self.socket)
            except OSError:
                pass
        state = read_state(self.root)
        if state is not None and state.get("pid") == os.getpid():
            try:
                state_path(self.root).unlink()
            except OSError:
                pass

    def _loop(self) -> None:
        assert self._listener is not None
        self._listener.settimeout(self.idle_timeout)
        while True:
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                self._log("idle; stopping")
                return
            with conn:
                conn.settimeout(REQUEST_TIMEOUT)  # a client that connects and says nothing
                try:
                    request = _receive(conn)
                except (OSError, ValueError) as e:
                    self._log(f"bad request: {type(e).__name__}: {e}")
                    continue
                conn.settimeout(None)
                answer = self.handle(request)
                try:
                    _send(conn, answer)
                except OSError:
                    pass  # the client went away (Ctrl-C)
            if answer.get("op") == "stopping":
                return
            if answer.get("op") == "checked":
                self.heap.collect()  # after the answer is out, off the client's wait

    # requests
    def handle(self, request: dict) -> dict:
        op = request.get("op")
        if op == "ping":
            return {"op": "pong", "pid": os.getpid()}
        if op == "stop":
            self._log("stop requested")
            return {"op": "stopping", "pid": os.getpid()}
        if op == "status":
            import resource

            return {"op": "status", "pid": os.getpid(), "root": str(self.root), "uptime": time.time() - self.started,
                    "runs": self.runs, "files": len(self.memo._by_path),
                    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        if op == "check":
            if request.get("code") != self.code:
                return {"op": "declined", "reason": "it runs other cvxlint code"}
            if not isinstance(request.get("params"), dict) or not isinstance(request.get("cwd"), str):
                return {"op": "declined", "reason": "malformed request"}
            t = time.perf_counter()
            answer = self._check(request)
            self.runs += 1
            self._log(f"check {' '.join(request['params'].get('paths') or ['.'])}: exit {answer['exit']} "
                      f"in {time.perf_counter() - t:.2f} s")
            return answer
        return {"op": "declined", "reason": f"unknown request {op!r}"}

    def _check(self, request: dict) -> dict:
        """The client's `cvxlint check`, in its directory and environment, over the memo."""
        from .cli import one_line_errors, run_check_command

        params = dict(request["params"])
        params["paths"] = tuple(Path(p) for p in params.get("paths") or ())
        for k in _PATH_PARAMS:
            if params.get(k) is not None:
                params[k] = Path(params[k])
        tty = request.get("tty") or [False, False]
        out, err = _Captured(bool(tty[0])), _Captured(bool(tty[1]))
        saved = (os.getcwd(), dict(os.environ), sys.stdout, sys.stderr)
        code: object = 0
        try:
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update({str(k): str(v) for k, v in (request.get("env") or {}).items()})
            sys.stdout, sys.stderr = out, err
            try:
                with one_line_errors():
                    run_check_command(**params, load_facts=self.memo)
            except SystemExit as e:
                code = e.code
            except Exception as e:  # CVXLINT_DEBUG lets errors through: give the client the traceback
                import traceback

                err.write("".join(traceback.format_exception(e)))
                code = 2
        except OSError as e:  # the client's directory is gone
            err.write(f"cvxlint: error: {e}\n")
            code = 2
        finally:
            sys.stdout, sys.stderr = saved[2], saved[3]
            os.environ.clear()
            os.environ.update(saved[1])
            os.chdir(saved[0])
        if code is None:
            code = 0
        elif not isinstance(code, int):  # sys.exit("message")
            err.write(f"{code}\n")
            code = 1
        return {"op": "checked", "stdout": out.getvalue(), "stderr": err.getvalue(), "exit": code}

    def _log(self, message: str) -> None:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", file=sys.__stderr__, flush=True)


# -- commands --------------------------------------------------------------------------------

def start(root: Path, idle_timeout_minutes: float) -> dict:
    """Start a daemon for `root` in the background (or keep the one running with this code);
    returns its status."""
    import subprocess

    if not supported():
        raise CvxlintError("the daemon needs Unix sockets (not available on this system)")
    root = root.resolve()
    if not root.is_dir():
        raise CvxlintError(f"not a directory: {root}")
    current = status(root)
    if current is not None:
        state = read_state(root)
        if state is not None and state.get("code") == code_fingerprint():
            current["already"] = True
            return current
        stop(root)  # it runs other cvxlint code
    from .engine.cache import ensure_cache_dir

    log = ensure_cache_dir(root) / "daemon.log"
    with open(log, "ab") as logf:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cvxlint", "daemon", "run", str(root), "--idle-timeout", str(idle_timeout_minutes)],
            cwd=root, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CvxlintError(f"the daemon did not start: {_last_line(log)}")
        state = read_state(root)
        if state is not None and state.get("pid") == proc.pid:
            return {"pid": proc.pid, "root": str(root), "log": str(log)}
        time.sleep(0.05)
    proc.terminate()
    raise CvxlintError(f"the daemon did not start within {START_TIMEOUT:.0f} s (see {log})")


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text("utf-8", "replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no log"


def status(root: Path) -> dict | None:
    """The running daemon's status, or None (a state file left by a dead daemon is removed)."""
    state = read_state(root)
    if state is None:
        return None
    try:
        return ask(root, {"op": "status"}, timeout=10.0)
    except (OSError, ValueError):
        if not _alive(state["pid"]):
            _forget(root, state)
        return None


def stop(root: Path, timeout: float = 10.0) -> int | None:
    """Stop the daemon of `root`; its pid, or None when none ran."""
    state = read_state(root)
    if state is None:
        return None
    pid = state["pid"]
    try:
        ask(root, {"op": "stop"}, timeout=timeout)
    except (OSError, ValueError):
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if not _alive(pid):
        _forget(root, state)
    return pid
