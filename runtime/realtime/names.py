"""The WebSocket API's names shared by its functions, the stack and the local API (pure Python, no
settings read): what a client sends, and what the authorizer hands the routes."""

# The query parameter the $connect authorizer reads the token from (browsers set no headers on a
# WebSocket handshake), and the one a stack with no authorizer reads the user from.
TOKEN_PARAMETER = "token"  # noqa: S105 - a query parameter's name
USER_ID_PARAMETER = "userId"
# The authorizer's context key holding the verified user, which API Gateway passes on to every route.
USER_ID_CONTEXT_KEY = "userId"
# The one route a message's `action` selects; anything else goes to $default.
PING_ROUTE = "ping"

# The functions' metrics the stack alarms on (and the pusher's others).
TOKENS_REFUSED = "TokensRefused"
PUSH_FAILURES = "PushFailures"
EVENTS_PUSHED = "EventsPushed"
CONNECTIONS_GONE = "ConnectionsGone"
