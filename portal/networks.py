"""The social networks posts go out on: one entry per network, saying everything the portal
knows about it. Every other list of networks derives from `NETWORKS`.

It lives in `portal`, below every capability, because more than social media needs it: the
savings report writes a hire's channel (the utm_source that brought it) as its network's
label, and services/savings sits below services/social. So this module is the vocabulary
only, pure data; what carries it out stays with social media, keyed by it: counting a
length (services/social/channel_text.py), building a share dialog's address (same), and
sending a post by API or webhook (the adapters in services/social/publishing.py).

Adding a network is one entry here plus a migration `alter type public.social_network add
value '<key>'` (tests/db/test_network_enum.py fails until the two agree); its links credit hires
to social media by that value. A network published through its own API also needs its
adapter in services/social/publishing.py; one whose company page an admin connects (OAuth 2)
also needs its `oauth` entry here and its account lookup in services/social/connections.py.
"""

from __future__ import annotations

from dataclasses import dataclass

# Who a network reaches; a channel on it has the same choice.
AUDIENCES = ("external", "internal")

# How a network measures a post: Unicode characters of the text's NFC form, a link as long
# as it is written; or X's weighted count (twitter-text): every link 23, CJK and emoji 2.
CHARACTERS, TWITTER_TEXT = "characters", "twitter-text"

# The JSON an incoming webhook takes: Slack's {"text"}, a Teams message with an Adaptive
# Card, or {"text", "link", "title"} for our own internal services.
SLACK_JSON, TEAMS_CARD, PLAIN_JSON = "slack", "teams", "plain"


@dataclass(frozen=True)
class ShareDialog:
    """A network's own share dialog: its address and the query parameters it reads."""
    url: str
    link_param: str
    text_param: str | None = None  # None: it takes the link only, the text is pasted there


@dataclass(frozen=True)
class OAuth:
    """A network's OAuth 2 authorization-code flow, through which an admin connects a company
    page (services/social/connections.py). The addresses are the network's own; the setting
    named `endpoint_setting`, when set, replaces their scheme and host (a stand-in in tests, a
    proxy), keeping each path."""
    authorize_url: str
    token_url: str
    revoke_url: str
    scopes: tuple[str, ...]
    client_settings: tuple[str, str]  # the Settings fields of the app's client id and secret
    endpoint_setting: str  # the Settings field that may replace the addresses' scheme and host
    pkce: bool = False  # sends an S256 code challenge (RFC 7636), as the network asks
    client_auth: str = "body"  # "body": client id and secret in the form; "basic": HTTP Basic
    scope_separator: str = " "
    connects: str = "page"  # what an admin connects: the company's page, or its account


@dataclass(frozen=True)
class Network:
    key: str  # the database's `social_network` value, and the utm_source of its posts' links
    label: str
    audience: str  # whom it reaches, and so the voice its drafts are written in
    limit: int  # the longest post, as `counting` measures it
    counting: str = CHARACTERS
    share_dialog: ShareDialog | None = None  # None: shared by pasting the text and its link
    api_credentials: tuple[str, ...] = ()  # the Settings fields its API publisher needs
    webhook: str | None = None  # the JSON its incoming webhook takes, when it has one
    utm_medium: str = "social"
    oauth: OAuth | None = None  # how an admin connects a company page, when the network has a way

    @property
    def utm_source(self) -> str:
        return self.key


# Limits as each network documents them. X: 280 weighted characters. LinkedIn: a post's
# commentary (Posts API). Facebook: a post's text. Slack: its API recommends at most 4,000
# characters of message text (it truncates past 40,000). Teams: a webhook message may be
# about 28 KB; 4,000 characters keeps well inside it and stays readable. The internal news
# feed and the alumni digest are ours: 10,000 is room for a long post.
NETWORKS: dict[str, Network] = {n.key: n for n in (
    Network("linkedin", "LinkedIn", "external", 3000,
            share_dialog=ShareDialog("https://www.linkedin.com/sharing/share-offsite/", "url"),
            api_credentials=("linkedin_access_token", "linkedin_author_urn"),
            # LinkedIn's 3-legged OAuth for web apps (PKCE is for its native apps only); posting
            # as an organisation its admin chose. Refresh tokens are LinkedIn's to grant (to apps
            # in its Marketing Developer Platform); without one the page is connected again.
            oauth=OAuth("https://www.linkedin.com/oauth/v2/authorization",
                        "https://www.linkedin.com/oauth/v2/accessToken",
                        "https://www.linkedin.com/oauth/v2/revoke",
                        ("r_organization_admin", "w_organization_social"),
                        ("linkedin_client_id", "linkedin_client_secret"), "linkedin_oauth_url")),
    Network("x", "X", "external", 280, counting=TWITTER_TEXT,
            share_dialog=ShareDialog("https://twitter.com/intent/tweet", "url", text_param="text"),
            api_credentials=("x_bearer_token",),
            # X's OAuth 2.0 with PKCE, a confidential client (HTTP Basic); offline.access
            # brings the refresh token its two-hour access tokens need.
            oauth=OAuth("https://x.com/i/oauth2/authorize", "https://api.x.com/2/oauth2/token",
                        "https://api.x.com/2/oauth2/revoke",
                        ("tweet.read", "tweet.write", "users.read", "offline.access"),
                        ("x_client_id", "x_client_secret"), "x_oauth_url", pkce=True,
                        client_auth="basic", connects="account")),
    Network("facebook", "Facebook", "external", 63206,
            share_dialog=ShareDialog("https://www.facebook.com/sharer/sharer.php", "u"),
            api_credentials=("facebook_page_id", "facebook_page_token"),
            # Facebook Login for a page: the user's token is traded for the page's own
            # (which does not expire); the grant is revoked with the app's token.
            oauth=OAuth("https://www.facebook.com/v21.0/dialog/oauth",
                        "https://graph.facebook.com/v21.0/oauth/access_token",
                        "https://graph.facebook.com/v21.0/{grantor}/permissions",
                        ("pages_show_list", "pages_manage_posts", "pages_read_engagement"),
                        ("facebook_app_id", "facebook_app_secret"), "facebook_oauth_url",
                        scope_separator=",")),
    Network("slack", "Slack", "internal", 4000, webhook=SLACK_JSON),
    Network("teams", "Microsoft Teams", "internal", 4000, webhook=TEAMS_CARD),
    Network("news_feed", "Internal news feed", "internal", 10000, webhook=PLAIN_JSON),
    Network("alumni_digest", "Alumni digest", "internal", 10000, webhook=PLAIN_JSON),
)}

LABELS = {key: network.label for key, network in NETWORKS.items()}


def network(key: str) -> Network:
    try:
        return NETWORKS[key]
    except KeyError:
        raise ValueError(f"unknown network {key!r}; one of {', '.join(NETWORKS)}") from None
