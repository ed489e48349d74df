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
adapter in services/social/publishing.py.
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
            api_credentials=("linkedin_access_token", "linkedin_author_urn")),
    Network("x", "X", "external", 280, counting=TWITTER_TEXT,
            share_dialog=ShareDialog("https://twitter.com/intent/tweet", "url", text_param="text"),
            api_credentials=("x_bearer_token",)),
    Network("facebook", "Facebook", "external", 63206,
            share_dialog=ShareDialog("https://www.facebook.com/sharer/sharer.php", "u"),
            api_credentials=("facebook_page_id", "facebook_page_token")),
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
