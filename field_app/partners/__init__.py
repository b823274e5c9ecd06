"""Partner systems' API clients: registered by administrators, bound to a division subtree
and a set of scopes, holding a bearer token stored hashed."""
