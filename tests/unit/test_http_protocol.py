"""The local API's HTTP protocol on its own, behind an app that answers before it reads the body."""

import asyncio

import uvicorn
from uvicorn.server import ServerState

from local_api.http_protocol import GatewayH11Protocol
from local_api.server import listening_socket


async def _refuse_at_once(scope, receive, send):
    """As the gateway answers a body declared over its limit: 413 before the body comes in."""
    await send({"type": "http.response.start", "status": 413, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _reply_and_loop_errors(request: bytes) -> tuple[bytes, list[str]]:
    """All the server sends back to `request` (the client's side closed after it), and the errors
    the event loop caught from the protocol meanwhile."""
    loop = asyncio.get_running_loop()
    errors: list[str] = []
    loop.set_exception_handler(lambda _, context: errors.append(context["message"]))
    config = uvicorn.Config(_refuse_at_once, lifespan="off", log_config=None)
    listener = listening_socket(("127.0.0.1", 0))
    server = await loop.create_server(lambda: GatewayH11Protocol(config, ServerState(), {}), sock=listener)
    try:
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        writer.write(request)
        writer.write_eof()
        reply = await asyncio.wait_for(reader.read(), timeout=5)  # until the server closes
        writer.close()
    finally:
        server.close()
    return reply, errors


def test_a_body_cut_short_after_the_answer_was_sent_ends_the_connection_with_that_answer_alone():
    request = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n" + b"x" * 10

    reply, errors = asyncio.run(_reply_and_loop_errors(request))

    assert (reply, errors) == (b"HTTP/1.1 413 Request Entity Too Large\r\ncontent-length: 0\r\n\r\n", [])
