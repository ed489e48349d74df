"""The portal's own addresses beside its Streamlit pages, each named once: the services that
make links to them and the web layer that serves them read them here. This module imports
nothing, so that the server lists its routes at start without loading the services that
answer them (web/routes.py)."""

CAREERS_PATH = "/careers"  # the server-rendered career site; a job is /careers/<title>-<id>
JOB_CARD_FILE = "card.png"  # a job's share card: /careers/<title>-<id>/card.png
SHORT_LINK_PATH = "/r"  # /r/<code>: a short tracked link
OAUTH_CONNECT_PATH = "/oauth/{network}/connect"  # ?channel=<id>: on to the network's consent screen
OAUTH_CALLBACK_PATH = "/oauth/{network}/callback"  # where the network sends the admin back
SESSION_ROUTE = "/auth/session"  # ?code=<hand-off code>&next=<path>: sets the cookie
SIGN_OUT_ROUTE = "/auth/sign-out"  # ends the cookie's session and clears the cookie
HEALTH_PATH = "/healthz"  # 200 while the database answers (load balancers, uptime checks)
