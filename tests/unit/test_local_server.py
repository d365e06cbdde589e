"""The local API's listening socket: what every accepted connection inherits from it."""

import asyncio
import socket

from local_api.server import listening_socket


async def _accepted_connection_nodelay(listener: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Recorder(asyncio.Protocol):
        def connection_made(self, transport):
            accepted.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Recorder, sock=listener)
    try:
        with socket.create_connection(listener.getsockname(), timeout=5):
            return await asyncio.wait_for(accepted, timeout=5)
    finally:
        server.close()


def test_connections_accepted_on_the_listening_socket_have_nagle_off():
    listener = listening_socket(("127.0.0.1", 0))

    assert asyncio.run(_accepted_connection_nodelay(listener)) != 0
