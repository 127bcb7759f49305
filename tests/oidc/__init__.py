"""A real OpenID Connect provider (npm ``oidc-provider``) run on loopback for the tests."""
