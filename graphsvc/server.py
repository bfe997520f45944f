"""Production serving with gunicorn: several worker processes, each with its own projection."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

__all__ = ["serve"]


class _GraphsvcServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # No runtime control socket: nothing outside the process should steer the workers,
            # and several servers on one machine must not fight over one socket path.
            self.cfg.set("control_socket_disable", True)

    def load(self):
        from . import create_app

        return create_app()


def serve(host: str, port: int, workers: int, timeout: int) -> None:
    _GraphsvcServer({
        "bind": f"{host}:{port}",
        "workers": workers,
        "timeout": timeout,
        "graceful_timeout": 20,
        "accesslog": "-",
        "limit_request_line": 8190,
        "limit_request_fields": 100,
    }).run()
