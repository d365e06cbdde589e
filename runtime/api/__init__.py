"""HTTP routes, one router per resource; they parse, call the repository and shape responses."""
