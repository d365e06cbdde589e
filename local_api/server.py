"""The local HTTP server: uvicorn running `local_api.asgi.GatewayApp` on a socket bound up front.

uvicorn's h11 protocol parses and frames HTTP/1.1 (keep-alive, Content-Length or chunked bodies);
`local_api.http_protocol` makes a request it cannot read, or one cut short by the client closing its
side, get the gateway's JSON 400 before the app sees it.

h11 rather than httptools: it comes with uvicorn (pure Python, no compiled extension to install),
and, as RFC 9112 (6.3) allows, it takes a Content-Length repeated with one value as that value,
where httptools refuses it. What it costs is invisible here: about 0.05 ms more per request than
httptools with a trivial app, against about 5 ms per request through the worker pool and moto,
where the two measured alike within run-to-run noise (`benchmarks/local_api_http.py`).
"""

from __future__ import annotations

import copy
import socket
from typing import Any

import uvicorn
import uvicorn.config

from local_api.asgi import GatewayApp
from local_api.http_protocol import GatewayH11Protocol

# Connections a burst can open before the server accepts them (uvicorn's default; the kernel caps
# it at net.core.somaxconn).
LISTEN_BACKLOG = 2048
# On Ctrl-C or SIGTERM, requests in flight get this long to finish before they are cancelled.
GRACEFUL_SHUTDOWN_SECONDS = 5


def listening_socket(address: tuple[str, int]) -> socket.socket:
    """A TCP socket bound to `address` and listening (an OSError, such as the port being taken,
    surfaces here), so that connections wait in the backlog while the server starts.

    Created with protocol IPPROTO_TCP, not the default 0 that accepted sockets inherit: asyncio sets
    TCP_NODELAY only on connections whose socket says IPPROTO_TCP, and without it a keep-alive
    client's delayed ACK holds each response's body back about 40 ms (uvicorn#3149).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(LISTEN_BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log on stderr beside everything else (stdout carries
    only the start-up announcement) and uvicorn's own start/stop lines left out (the announcement
    says it all); its warnings, such as a request it refused to parse, still show."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    config["loggers"]["uvicorn.error"]["level"] = "WARNING"
    return config


class LocalHttpServer:
    def __init__(self, address: tuple[str, int], app: GatewayApp, *, access_log: bool = True) -> None:
        self._socket = listening_socket(address)
        config = uvicorn.Config(
            app,
            http=GatewayH11Protocol,
            ws="none",
            lifespan="off",
            interface="asgi3",
            loop="asyncio",
            backlog=LISTEN_BACKLOG,
            access_log=access_log,
            log_config=_log_config(),
            # API Gateway's sourceIp is the peer's address, whatever X-Forwarded-For says.
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        self._server = uvicorn.Server(config)

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host!s}:{port}"

    def serve_forever(self) -> None:
        """Serve until SIGINT or SIGTERM; uvicorn then shuts down gracefully and raises the signal
        again for the handler that was in place before it started."""
        self._server.run(sockets=[self._socket])

    def close(self) -> None:
        self._socket.close()
