"""uvicorn's h11 protocol, answering where uvicorn's own does not, in the gateway's error shape.

- A request cut short by the client closing its side (a body shorter than its `Content-Length`,
  unfinished chunks, half a head) gets a 400, and a whole request whose client then closes its side
  still gets its answer. uvicorn's protocol does neither: it takes any half-closed connection for a
  client gone and closes it (Kludex/uvicorn#1264).
- A request whose framing cannot be read gets the gateway's JSON 400 `{"message":"Bad Request"}`
  rather than uvicorn's plain text.
"""

from __future__ import annotations

from http import HTTPStatus

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from local_api.gateway_events import gateway_error


class GatewayH11Protocol(H11Protocol):
    # asyncio.Protocol's `eof_received` returns whether the transport stays open for writing;
    # uvicorn declares it None (always close).
    def eof_received(self) -> bool:  # type: ignore[override]
        if self._request_unfinished():
            # h11 reads EOF in the middle of a request as a RemoteProtocolError, which uvicorn
            # answers with `send_400_response` (written at once, and the transport closed).
            self.conn.receive_data(b"")
            self.handle_events()
            return False
        if self.cycle is not None and not self.cycle.response_complete:
            # A whole request still being handled: answer it, then close (no more requests can come).
            self.cycle.keep_alive = False
            return True
        return False  # between requests: nothing to answer, close as uvicorn does

    def _request_unfinished(self) -> bool:
        # Only then is h11 told of the EOF: between requests it would return ConnectionClosed on
        # every call, which uvicorn's `handle_events` has no branch for and would loop on forever.
        state = self.conn.their_state
        return state is h11.SEND_BODY or (state is h11.IDLE and bool(self.conn.trailing_data[0]))

    def send_400_response(self, msg: str) -> None:
        if self.conn.our_state not in {h11.IDLE, h11.SEND_RESPONSE}:
            # An answer has begun already (a 413 sent before the body came in): h11 allows no second.
            self.transport.close()
            return
        error = gateway_error(HTTPStatus.BAD_REQUEST, "Bad Request")
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in error.headers]
        headers += [(b"content-length", str(len(error.body)).encode()), (b"connection", b"close")]
        response = h11.Response(status_code=error.status, headers=headers, reason=HTTPStatus.BAD_REQUEST.phrase)
        for event in (response, h11.Data(data=error.body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
