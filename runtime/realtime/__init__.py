"""The real-time WebSocket API's functions: the $connect authorizer, the connection routes and the
pusher of domain events. All run outside the VPC and touch only their connections table."""
