"""Postings and the career site: job postings as recruiters keep them, the public job board,
the company's profile and facts, and the tracked links that credit a visit to its source."""
