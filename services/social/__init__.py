"""Social media: the networks and channels posts go out on, drafting, guidelines and review,
the approval workflow, the posting calendar, publishing, and what each post brought."""
